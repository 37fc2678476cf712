package auth

import (
	"strings"
	"time"
)

const (
	algorithm      = "AWS4-HMAC-SHA256"
	scopeTerminal  = "aws4_request"
	serviceName    = "chime"
	amzDateLayout  = "20060102T150405Z"
	amzDateLen     = len(amzDateLayout)
	signatureBytes = 32 // SHA-256
)

// authHeader holds the parts of an Authorization header. Every field is a
// substring of the header, so parsing does not allocate.
type authHeader struct {
	credential    string // <key>/<yyyymmdd>/<region>/<service>/aws4_request
	signedHeaders string // lower-case names separated by ';'
	signature     string // 64 hex digits
}

// parseAuthorization splits
//
//	AWS4-HMAC-SHA256 Credential=<scope>, SignedHeaders=<names>, Signature=<hex>
//
// It is lenient about separators, as AWS is: the three parameters may be
// separated by any mix of commas, spaces and tabs, in any order. It is strict
// about structure: the algorithm must be AWS4-HMAC-SHA256, each parameter must
// appear exactly once with a non-empty value, and nothing else may appear.
func parseAuthorization(h string) (authHeader, *Error) {
	var a authHeader
	h = strings.Trim(h, " \t")
	alg, rest, _ := cutAny(h, " \t,")
	if alg != algorithm {
		if alg == "" || strings.ContainsRune(alg, '=') {
			return a, incomplete("Authorization header must start with the algorithm " + algorithm + ".")
		}
		return a, incomplete("Unsupported authorization algorithm '" + alg + "': only " + algorithm + " is accepted.")
	}
	var seen [3]bool
	for rest != "" {
		var tok string
		tok, rest, _ = cutAny(rest, " \t,")
		if tok == "" {
			continue // a run of separators
		}
		name, value, ok := strings.Cut(tok, "=")
		if !ok || name == "" {
			return a, incomplete("'" + tok + "' not a valid key=value pair (missing equal-sign) in Authorization header.")
		}
		var field *string
		var i int
		switch name {
		case "Credential":
			field, i = &a.credential, 0
		case "SignedHeaders":
			field, i = &a.signedHeaders, 1
		case "Signature":
			field, i = &a.signature, 2
		default:
			return a, incomplete("Authorization header has an unknown parameter '" + name + "'.")
		}
		if seen[i] {
			return a, incomplete("Authorization header has the parameter '" + name + "' more than once.")
		}
		if value == "" {
			return a, incomplete("Authorization header has an empty '" + name + "' parameter.")
		}
		seen[i] = true
		*field = value
	}
	switch {
	case !seen[0]:
		return a, incomplete("Authorization header requires 'Credential' parameter.")
	case !seen[1]:
		return a, incomplete("Authorization header requires 'SignedHeaders' parameter.")
	case !seen[2]:
		return a, incomplete("Authorization header requires 'Signature' parameter.")
	}
	return a, nil
}

// cutAny is strings.Cut with a set of one-byte separators.
func cutAny(s, seps string) (before, after string, found bool) {
	if i := strings.IndexAny(s, seps); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// scope is a parsed credential scope.
type scope struct {
	accessKey, date, region, service string
}

// parseScope splits <key>/<yyyymmdd>/<region>/<service>/aws4_request from the
// right, because access key ids may themselves contain '/'.
func parseScope(cred string) (scope, *Error) {
	var s scope
	rest := cred
	var parts [4]string // terminal, service, region, date
	for i := range parts {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return s, incomplete("Credential '" + cred + "' must have the form <AccessKeyId>/<yyyymmdd>/<region>/<service>/aws4_request.")
		}
		parts[i], rest = rest[j+1:], rest[:j]
	}
	s = scope{accessKey: rest, date: parts[3], region: parts[2], service: parts[1]}
	switch {
	case parts[0] != scopeTerminal:
		return s, incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[0] + "'.")
	case s.accessKey == "":
		return s, incomplete("Credential '" + cred + "' has an empty access key id.")
	case !isScopeDate(s.date):
		return s, incomplete("Credential '" + cred + "' has an invalid date '" + s.date + "': expected yyyymmdd.")
	case s.region == "":
		return s, incomplete("Credential '" + cred + "' has an empty region.")
	case s.service == "":
		return s, incomplete("Credential '" + cred + "' has an empty service.")
	}
	return s, nil
}

func isScopeDate(d string) bool {
	if len(d) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if !isDigit(d[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseAmzDate parses the ISO 8601 basic form yyyyMMdd'T'HHmmss'Z' strictly and
// without allocating (time.Parse would accept and normalise more than SigV4
// allows, and this runs on every request).
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != amzDateLen || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	var n [6]int
	offs := [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}}
	for i, o := range offs {
		for j := o[0]; j < o[1]; j++ {
			if !isDigit(s[j]) {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(s[j]-'0')
		}
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	// time.Date normalises out-of-range fields (month 13, hour 25); refuse them.
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] ||
		t.Hour() != n[3] || t.Minute() != n[4] || t.Second() != n[5] {
		return time.Time{}, false
	}
	return t, true
}

// parseHTTPDate parses the Date header, which SigV4 allows instead of
// X-Amz-Date. Clients send RFC 1123 with "GMT" (net/http, most SDKs) or with a
// numeric zone (botocore's email.utils.formatdate writes "-0000").
func parseHTTPDate(s string) (time.Time, bool) {
	for _, layout := range [...]string{time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// appendAmzDate appends t in the yyyyMMdd'T'HHmmss'Z' form.
func appendAmzDate(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, amzDateLayout)
}

func formatAmzDate(t time.Time) string { return string(appendAmzDate(nil, t)) }
