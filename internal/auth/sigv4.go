// Package auth verifies AWS Signature Version 4 on incoming requests, the way
// the Amazon Chime service does, so that the official SDKs and the AWS CLI can
// talk to chimed unchanged.
//
// It accepts the Authorization-header form and the presigned query form,
// follows the non-S3 rules (the path is URI-encoded a second time, the server
// hashes the body it received) and answers with the error types AWS uses.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// maxSkew is how far X-Amz-Date may be from the server's clock, as in AWS.
	maxSkew = 15 * time.Minute
	// maxExpires is the longest life of a presigned URL (7 days), as in AWS.
	maxExpires = 604800
	// maxCachedKeys bounds the signing-key cache. A key is cached only after a
	// signature verified, so only holders of a secret can add entries; the
	// bound protects against one of them cycling through regions.
	maxCachedKeys = 4096

	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// Verifier checks SigV4 signatures against a fixed set of credentials. It is
// safe for concurrent use.
type Verifier struct {
	// byKey is swapped whole by Replace, so a request sees one set of
	// keys from start to end.
	byKey atomic.Pointer[map[string]Credential]
	now   func() time.Time

	mu   sync.RWMutex
	keys map[keyID][signatureBytes]byte
}

// keyID identifies a derived signing key. The key depends on nothing else, so
// within a day every request of one client reuses it.
type keyID struct{ secret, date, region, service string }

// NewVerifier returns a Verifier accepting creds. If two entries share an
// access key id the first wins (LoadFile refuses such files). now is the clock,
// injectable for tests; nil means time.Now.
func NewVerifier(creds []Credential, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	v := &Verifier{now: now, keys: make(map[keyID][signatureBytes]byte)}
	v.Replace(creds)
	return v
}

// Replace makes creds the accepted keys, from the next request on: keys
// not in creds are refused, and a key whose secret changed takes the new
// one. The cached signing keys of the old set are dropped with it.
func (v *Verifier) Replace(creds []Credential) {
	byKey := make(map[string]Credential, len(creds))
	for _, c := range creds {
		if _, dup := byKey[c.AccessKeyID]; !dup {
			byKey[c.AccessKeyID] = withDefaults(c)
		}
	}
	v.byKey.Store(&byKey)
	v.mu.Lock()
	clear(v.keys)
	v.mu.Unlock()
}

// sigInput is what the two forms have in common once parsed.
type sigInput struct {
	scope         scope
	signedHeaders string
	signature     string
	date          time.Time // from X-Amz-Date (or Date)
	expires       int       // presigned only: seconds of validity
	presigned     bool
}

// Verify authenticates r, whose full body the caller has already read into
// body (r.Body must not be read by Verify). It accepts both the
// Authorization-header form and the presigned query form. On refusal the error
// is an *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) (Credential, error) {
	c, err := v.verify(r, body)
	if err != nil {
		return Credential{}, err // not a typed nil: err is checked first
	}
	return c, nil
}

// Screen refuses, before its body is read, a request that no body could
// make valid: no signature, an unknown key, a scope or a time out of range.
// A server that screens reads no body (up to 1 MiB each) for a caller that
// holds no key.
func (v *Verifier) Screen(r *http.Request) error {
	var qbuf [8]queryParam
	q, ok := parseQuery(qbuf[:0], r.URL.RawQuery)
	if !ok {
		return errQueryEncoding
	}
	if _, _, err := v.identify(r, q); err != nil {
		return err // not a typed nil: err is checked first
	}
	return nil
}

// ClaimedAccessKey names the access key that r says it was signed with,
// for the log line of a refused request: the ID itself when it is one of
// the configured keys (an access key ID is not a secret, and it tells an
// operator which client holds a stale secret or signs wrongly), else only
// its first bytes and its length, since a client that swapped its key ID
// and secret would otherwise put its secret in the log; "" where r names
// no key.
func (v *Verifier) ClaimedAccessKey(r *http.Request) string {
	var qbuf [8]queryParam
	q, _ := parseQuery(qbuf[:0], r.URL.RawQuery)
	in, _ := signatureInput(r, q)
	key := in.scope.accessKey
	if _, known := (*v.byKey.Load())[key]; known || key == "" {
		return key
	}
	return fmt.Sprintf("%s…(%d bytes, not a configured key)", key[:min(len(key), unknownKeyPrefix)], len(key))
}

// unknownKeyPrefix is how much of an unknown key ID the log shows: enough
// to tell "AKIA" from "ASIA" and one client from another, too little of a
// 40-byte secret to matter.
const unknownKeyPrefix = 4

// identify reads the signature's inputs from the request and finds its key:
// every check that needs no body.
func (v *Verifier) identify(r *http.Request, q []queryParam) (sigInput, Credential, *Error) {
	in, err := signatureInput(r, q)
	if err != nil {
		return in, Credential{}, err
	}
	cred, known := (*v.byKey.Load())[in.scope.accessKey]
	if !known {
		return in, Credential{}, errUnknownKey
	}
	return in, cred, v.checkScopeAndTime(&in)
}

// signatureInput reads the signature's inputs from the Authorization
// header, or else from a presigned query. As far as they could be read, they
// come back with an error too (the scope, for ClaimedAccessKey).
func signatureInput(r *http.Request, q []queryParam) (sigInput, *Error) {
	if h := r.Header.Get("Authorization"); strings.TrimSpace(h) != "" {
		return fromHeader(r, h)
	}
	if isPresigned(q) {
		return fromQuery(q)
	}
	return sigInput{}, errMissingToken
}

func (v *Verifier) verify(r *http.Request, body []byte) (Credential, *Error) {
	var qbuf [8]queryParam
	q, ok := parseQuery(qbuf[:0], r.URL.RawQuery)
	if !ok {
		return Credential{}, errQueryEncoding
	}
	in, cred, err := v.identify(r, q)
	if err != nil {
		return Credential{}, err
	}
	var provided [signatureBytes]byte
	if !decodeSignature(in.signature, &provided) {
		return Credential{}, incomplete("Signature must be " + strconv.Itoa(2*signatureBytes) + " hexadecimal digits.")
	}
	var ph [2 * sha256.Size]byte
	payload, perr := payloadHash(r, body, in.presigned, &ph)
	if perr != nil {
		return Credential{}, perr
	}

	key, cached := v.signingKey(cred.SecretAccessKey, &in.scope)
	match, err := matches(r, q, &in, payload, &key, &provided)
	if err != nil {
		return Credential{}, err
	}
	if !match && in.presigned && r.Header.Get("X-Amz-Content-Sha256") == "" {
		// S3 presigns with UNSIGNED-PAYLOAD, and so does the Go SDK's
		// presigner when asked to; botocore's SigV4QueryAuth, used for every
		// other service, signs the hash of the (usually empty) body.
		var bh [2 * sha256.Size]byte
		sum := sha256.Sum256(body)
		hex.Encode(bh[:], sum[:])
		match, _ = matches(r, q, &in, bh[:], &key, &provided)
	}
	if !match {
		return Credential{}, errMismatch
	}
	if !tokenMatches(r, in.presigned, cred.SessionToken) {
		return Credential{}, errUnknownKey // AWS's answer to a token it did not issue
	}
	if cred.Expiration != nil && !v.now().Before(*cred.Expiration) {
		return Credential{}, errExpiredToken
	}
	if !cached {
		v.storeKey(cred.SecretAccessKey, &in.scope, &key)
	}
	return cred, nil
}

// tokenMatches says whether the request carries the credential's session
// token, in the header or, presigned, in the query: or none, for a key
// without one.
func tokenMatches(r *http.Request, presigned bool, want string) bool {
	got := r.Header.Get("X-Amz-Security-Token")
	if presigned {
		got = r.URL.Query().Get("X-Amz-Security-Token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// fromHeader reads the Authorization-header form. The time comes from
// X-Amz-Date, or from Date when X-Amz-Date is absent, as SigV4 allows.
func fromHeader(r *http.Request, h string) (sigInput, *Error) {
	var in sigInput
	a, err := parseAuthorization(h)
	if err != nil {
		return in, err
	}
	if in.scope, err = parseScope(a.credential); err != nil {
		return in, err
	}
	in.signedHeaders, in.signature = a.signedHeaders, a.signature
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		t, ok := parseAmzDate(d)
		if !ok {
			return in, incomplete("X-Amz-Date '" + d + "' must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.")
		}
		in.date = t
	} else if d := r.Header.Get("Date"); d != "" {
		t, ok := parseHTTPDate(d)
		if !ok {
			return in, incomplete("Date '" + d + "' must be in the RFC 1123 format.")
		}
		in.date = t
	} else {
		return in, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	return in, nil
}

// presignParams are the query parameters of a presigned URL, all required but
// the security token, which is signed like any other parameter.
var presignParams = [...]string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
}

func isPresigned(q queryParams) bool {
	for _, p := range q {
		switch p.key {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true
		}
	}
	return false
}

// fromQuery reads the presigned form.
func fromQuery(q queryParams) (sigInput, *Error) {
	var in sigInput
	var vals [len(presignParams)]string
	for i, name := range presignParams {
		v, n := q.get(name)
		if n == 0 || v == "" {
			return in, incomplete("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', " +
				"'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Missing or empty: '" + name + "'.")
		}
		if n > 1 {
			return in, incomplete("Query-string parameter '" + name + "' appears more than once.")
		}
		vals[i] = v
	}
	alg, cred, date, expires, signed, sig := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	if alg != algorithm {
		return in, incomplete("Unsupported X-Amz-Algorithm '" + alg + "': only " + algorithm + " is accepted.")
	}
	var err *Error
	if in.scope, err = parseScope(cred); err != nil {
		return in, err
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return in, incomplete("X-Amz-Date '" + date + "' must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.")
	}
	e, perr := strconv.Atoi(expires)
	if perr != nil || e < 1 || e > maxExpires {
		return in, incomplete("X-Amz-Expires '" + expires + "' must be a number of seconds from 1 to " + strconv.Itoa(maxExpires) + ".")
	}
	in.date, in.expires, in.presigned = t, e, true
	in.signedHeaders, in.signature = signed, sig
	return in, nil
}

// checkScopeAndTime checks the credential scope against the service and the
// request date, and the request date against the clock.
func (v *Verifier) checkScopeAndTime(in *sigInput) *Error {
	if in.scope.service != serviceName {
		return invalid("Credential should be scoped to correct service: '" + serviceName + "'. Got '" + in.scope.service + "'.")
	}
	var db [amzDateLen]byte
	d := appendAmzDate(db[:0], in.date)
	if string(d[:8]) != in.scope.date {
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			in.scope.date + "' != '" + string(d[:8]) + "', from '" + string(d) + "'.")
	}
	now := v.now()
	switch {
	case in.date.Before(now.Add(-maxSkew)) && !in.presigned:
		// A presigned URL may be used long after it was made; its bound is
		// X-Amz-Expires, checked below.
		return invalid("Signature expired: " + string(d) + " is now earlier than " +
			formatAmzDate(now.Add(-maxSkew)) + " (" + formatAmzDate(now) + " - 15 min.)")
	case in.date.After(now.Add(maxSkew)):
		return invalid("Signature expired: " + string(d) + " is now later than " +
			formatAmzDate(now.Add(maxSkew)) + " (" + formatAmzDate(now) + " + 15 min.)")
	case in.presigned && now.After(in.date.Add(time.Duration(in.expires)*time.Second)):
		return invalid("Request has expired: the presigned URL signed at " + string(d) + " with X-Amz-Expires " +
			strconv.Itoa(in.expires) + " expired at " + formatAmzDate(in.date.Add(time.Duration(in.expires)*time.Second)) +
			"; it is now " + formatAmzDate(now) + ".")
	}
	return nil
}
