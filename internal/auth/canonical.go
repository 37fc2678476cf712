package auth

import (
	"bytes"
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// This file builds the parts of the SigV4 canonical request. Every builder
// appends to a caller-owned buffer so that a whole canonical request is built
// in one (usually stack-allocated) slice.

const upperHex = "0123456789ABCDEF"

// unreserved reports whether c is in RFC 3986's unreserved set, the only bytes
// SigV4 leaves bare.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func appendEscaped(b []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// requestPath is the path exactly as the client sent it. Go decodes r.URL.Path;
// the client signed the encoded form, so %2B must stay %2B.
func requestPath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.EscapedPath()
}

// appendCanonicalURI appends the canonical URI for a non-S3 service: the path
// as sent, URI-encoded a second time (every byte but the unreserved set and '/'
// is percent-encoded, so "%2B" becomes "%252B"). An empty path is "/".
func appendCanonicalURI(b []byte, path string) []byte {
	if path == "" {
		return append(b, '/')
	}
	return appendEscaped(b, path, true)
}

// normalizedPath is the path the way botocore sees it before encoding: dot
// segments resolved and runs of '/' collapsed (botocore.utils.
// remove_dot_segments). The Go and JS SDKs sign the path unchanged, so this is
// tried only when the path would change and the plain form did not match.
// ok is false when normalising leaves the path as it was.
func normalizedPath(path string) (string, bool) {
	if !strings.Contains(path, "//") && !strings.Contains(path, "/.") {
		return "", false
	}
	var out []string
	for seg := range strings.SplitSeq(path, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var first, last string
	if strings.HasPrefix(path, "/") {
		first = "/"
	}
	if strings.HasSuffix(path, "/") && len(out) > 0 {
		last = "/"
	}
	n := first + strings.Join(out, "/") + last
	return n, n != path
}

// queryParam is one query parameter in canonical (SigV4-encoded) form.
type queryParam struct{ key, value string }

// queryParams are the parameters of a query string, encoded and sorted as
// SigV4 wants them.
type queryParams []queryParam

// parseQuery splits raw on '&' (empty pieces are skipped, as url.ParseQuery
// does), decodes each key and value once and re-encodes it per RFC 3986. The
// result is appended to dst, which the caller can back with a stack array. It
// reports false when a piece is not valid percent-encoding.
func parseQuery(dst []queryParam, raw string) (queryParams, bool) {
	q := queryParams(dst[:0])
	for raw != "" {
		var piece string
		piece, raw, _ = strings.Cut(raw, "&")
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		ck, ok1 := canonicalComponent(k)
		cv, ok2 := canonicalComponent(v)
		if !ok1 || !ok2 {
			return nil, false
		}
		q = append(q, queryParam{ck, cv})
	}
	// SigV4 sorts by encoded key, then by encoded value (url.Values.Encode
	// would sort by key only).
	slices.SortFunc(q, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.value, b.value)
	})
	return q, true
}

// get returns the decoded value of key and how many times key appears. It is
// used for the X-Amz-* parameters of a presigned URL.
func (q queryParams) get(key string) (value string, n int) {
	for _, p := range q {
		if p.key == key {
			value = p.value
			n++
		}
	}
	if n > 0 {
		if d, err := url.PathUnescape(value); err == nil {
			value = d
		}
	}
	return value, n
}

// appendTo appends the canonical query string, leaving out the parameter named
// skip (X-Amz-Signature in a presigned URL) when skip is not empty.
func (q queryParams) appendTo(b []byte, skip string) []byte {
	first := true
	for _, p := range q {
		if skip != "" && p.key == skip {
			continue
		}
		if !first {
			b = append(b, '&')
		}
		first = false
		b = append(b, p.key...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	return b
}

// canonicalComponent returns s decoded once (as a query component: '+' is a
// space) and re-encoded with only the unreserved set left bare. What SDKs send
// is almost always in that form already, which is checked first so that the
// common case does not allocate.
func canonicalComponent(s string) (string, bool) {
	if isCanonical(s) {
		return s, true
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		return "", false
	}
	return string(appendEscaped(make([]byte, 0, len(d)*3), d, false)), true
}

// isCanonical reports whether s is already what decode-then-encode would yield:
// unreserved bytes, and %XX (upper-case hex) only for bytes outside that set.
func isCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		hi, lo := upperHexVal(s[i+1]), upperHexVal(s[i+2])
		if hi < 0 || lo < 0 || unreserved(byte(hi<<4|lo)) {
			return false
		}
		i += 2
	}
	return true
}

func upperHexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendCanonicalHeaders appends "name:value\n" for every name in signed (the
// SignedHeaders list, ';'-separated). Names are lower-cased; values are
// rebuilt from the fields net/http moves headers into. The list must not have
// an empty name and must include host: an unsigned Host would let a signature
// be replayed against another endpoint. Every SDK sorts the list, as SigV4
// says; one out of order or with a name twice is refused, since a name
// repeated a million times would make a canonical request of gigabytes from
// a 1 MB header.
// With tabs, a tab in a value counts as a space (tabForm).
func appendCanonicalHeaders(b []byte, r *http.Request, signed string, tabs bool) ([]byte, *Error) {
	hasHost := false
	var lower map[string][]string // r.Header by lower-case name, built if needed
	prevStart, prevEnd := 0, 0
	for rest := signed; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" {
			return b, incomplete("SignedHeaders '" + signed + "' has an empty header name.")
		}
		start := len(b)
		b = appendLower(b, name)
		lname := b[start:]
		if prevEnd > 0 && bytes.Compare(b[prevStart:prevEnd], lname) >= 0 {
			return b, incomplete("SignedHeaders '" + signed + "' must list header names in order, each once.")
		}
		prevStart, prevEnd = start, len(b)
		b = append(b, ':')
		switch string(lname) {
		case "host":
			hasHost = true
			// net/http moves Host out of r.Header into r.Host.
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			b = appendTrimmed(b, host, tabs)
		case "content-length":
			// net/http keeps the header on the server side but not on requests
			// built in-process; r.ContentLength is always set.
			if vs := headerValues(r.Header, lname, &lower); len(vs) > 0 {
				b = appendValues(b, vs, tabs)
			} else if r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
			}
		case "transfer-encoding":
			// net/http moves Transfer-Encoding into r.TransferEncoding.
			b = appendValues(b, r.TransferEncoding, tabs)
		default:
			b = appendValues(b, headerValues(r.Header, lname, &lower), tabs)
		}
		b = append(b, '\n')
		if !more {
			break
		}
		rest = tail
	}
	if !hasHost {
		return b, incomplete("SignedHeaders '" + signed + "' must include 'host'.")
	}
	return b, nil
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// headerValues finds the values of the header whose lower-case name is lname.
// It builds the canonical MIME form in a stack buffer so the map lookup does
// not allocate. Names that net/http left as they were sent (those with bytes
// outside the token set) or that are long are looked up in *lower, an index
// of h by lower-case name built on first need: scanning h for each signed
// name would cost signed names × headers, before the signature is checked.
func headerValues(h http.Header, lname []byte, lower *map[string][]string) []string {
	var kb [64]byte
	if len(lname) <= len(kb) {
		k := kb[:len(lname)]
		upper := true
		for i, c := range lname {
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			k[i] = c
			upper = c == '-'
		}
		if vs, ok := h[string(k)]; ok {
			return vs
		}
	}
	if *lower == nil {
		*lower = make(map[string][]string, len(h))
		for name, vs := range h {
			(*lower)[strings.ToLower(name)] = vs
		}
	}
	return (*lower)[string(lname)]
}

// appendValues joins values with ',' after trimming each and collapsing inner
// runs of spaces, as SigV4's Trimall does.
func appendValues(b []byte, vs []string, tabs bool) []byte {
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v, tabs)
	}
	return b
}

// tabForm is how botocore and the JavaScript SDK read Trimall: they collapse
// any whitespace, tabs too (Python's str.split, JavaScript's \s+), where the
// Go SDK collapses spaces only. net/http refuses the other control
// characters in header values, so tabs are the only difference.
func appendTrimmed(b []byte, v string, tabs bool) []byte {
	isSpace := func(c byte) bool { return c == ' ' || (tabs && c == '\t') }
	start, end := 0, len(v)
	for start < end && isSpace(v[start]) {
		start++
	}
	for end > start && isSpace(v[end-1]) {
		end--
	}
	space := false
	for i := start; i < end; i++ {
		c := v[i]
		if isSpace(c) {
			if space {
				continue
			}
			space, c = true, ' '
		} else {
			space = false
		}
		b = append(b, c)
	}
	return b
}

// hasTab says whether a header value holds a tab, which the SDKs sign in two
// ways (tabForm).
func hasTab(h http.Header) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.IndexByte(v, '\t') >= 0 {
				return true
			}
		}
	}
	return false
}
