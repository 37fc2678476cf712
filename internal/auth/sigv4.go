// Package auth verifies AWS Signature Version 4 on incoming requests, the way
// the Amazon Chime service does, so that the official SDKs and the AWS CLI can
// talk to chimed unchanged.
//
// It accepts the Authorization-header form and the presigned query form,
// follows the non-S3 rules (the path is URI-encoded a second time, the server
// hashes the body it received) and answers with the error types AWS uses.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	byKey map[string]Credential
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
	v := &Verifier{
		byKey: make(map[string]Credential, len(creds)),
		now:   now,
		keys:  make(map[keyID][signatureBytes]byte),
	}
	for _, c := range creds {
		if _, dup := v.byKey[c.AccessKeyID]; !dup {
			v.byKey[c.AccessKeyID] = withDefaults(c)
		}
	}
	return v
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

func (v *Verifier) verify(r *http.Request, body []byte) (Credential, *Error) {
	var qbuf [8]queryParam
	q, ok := parseQuery(qbuf[:0], r.URL.RawQuery)
	if !ok {
		return Credential{}, invalid("The query string is not valid percent-encoding.")
	}
	var in sigInput
	var err *Error
	if h := r.Header.Get("Authorization"); strings.TrimSpace(h) != "" {
		in, err = fromHeader(r, h)
	} else if isPresigned(q) {
		in, err = fromQuery(q)
	} else {
		return Credential{}, errMissingToken
	}
	if err != nil {
		return Credential{}, err
	}

	cred, known := v.byKey[in.scope.accessKey]
	if !known {
		return Credential{}, errUnknownKey
	}
	if err := v.checkScopeAndTime(&in); err != nil {
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
	if !cached {
		v.storeKey(cred.SecretAccessKey, &in.scope, &key)
	}
	return cred, nil
}

// matches reports whether the client's signature is that of r. botocore
// removes dot segments and collapses "//" before signing; the Go and JS SDKs
// do not. botocore's form is tried only when it differs and the plain one
// failed, so ordinary requests pay nothing for it.
func matches(r *http.Request, q queryParams, in *sigInput, payload []byte, key, provided *[signatureBytes]byte) (bool, *Error) {
	path := requestPath(r)
	sig, err := signature(r, q, in, path, payload, key)
	if err != nil {
		return false, err
	}
	if hmac.Equal(sig[:], provided[:]) {
		return true, nil
	}
	if np, changed := normalizedPath(path); changed {
		sig, _ = signature(r, q, in, np, payload, key)
		return hmac.Equal(sig[:], provided[:]), nil
	}
	return false, nil
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

// payloadHash returns the hex payload hash for the canonical request: the
// X-Amz-Content-Sha256 header when the client sent one (checked against the
// body unless it is UNSIGNED-PAYLOAD), else UNSIGNED-PAYLOAD for a presigned
// URL (Verify also tries the body's hash there), else the SHA-256 of the body as received. A REST-JSON service hashes
// the body itself rather than trusting the header as S3 does. The result is
// written into dst, which keeps it off the heap.
func payloadHash(r *http.Request, body []byte, presigned bool, dst *[2 * sha256.Size]byte) ([]byte, *Error) {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case declared == unsignedPayload, declared == "" && presigned:
		return dst[:copy(dst[:], unsignedPayload)], nil
	}
	sum := sha256.Sum256(body)
	hex.Encode(dst[:], sum[:])
	if declared != "" {
		if !strings.EqualFold(declared, string(dst[:])) {
			return nil, invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		// The client signed its own spelling of the digest (case may differ).
		copy(dst[:], declared)
	}
	return dst[:], nil
}

// decodeSignature decodes the client's hex signature without the []byte
// conversion hex.Decode would need.
func decodeSignature(s string, dst *[signatureBytes]byte) bool {
	if len(s) != 2*signatureBytes {
		return false
	}
	for i := range dst {
		hi, lo := hexVal(s[2*i]), hexVal(s[2*i+1])
		if hi < 0 || lo < 0 {
			return false
		}
		dst[i] = byte(hi<<4 | lo)
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// signature computes the signature of r as the client should have: canonical
// request, string to sign, HMAC with the signing key.
func signature(r *http.Request, q queryParams, in *sigInput, path string, payload []byte, key *[signatureBytes]byte) ([signatureBytes]byte, *Error) {
	// Most canonical requests fit here, which keeps them off the heap.
	var stack [1024]byte
	b := append(stack[:0], r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, path)
	b = append(b, '\n')
	skip := ""
	if in.presigned {
		skip = "X-Amz-Signature"
	}
	b = q.appendTo(b, skip)
	b = append(b, '\n')
	b, err := appendCanonicalHeaders(b, r, in.signedHeaders)
	if err != nil {
		return [signatureBytes]byte{}, err
	}
	b = append(b, '\n')
	b = appendLower(b, in.signedHeaders)
	b = append(b, '\n')
	b = append(b, payload...)
	crHash := sha256.Sum256(b)

	// String to sign.
	var sts [256]byte
	s := append(sts[:0], algorithm+"\n"...)
	s = appendAmzDate(s, in.date)
	s = append(s, '\n')
	s = append(s, in.scope.date...)
	s = append(s, '/')
	s = append(s, in.scope.region...)
	s = append(s, '/')
	s = append(s, in.scope.service...)
	s = append(s, "/"+scopeTerminal+"\n"...)
	s = hex.AppendEncode(s, crHash[:])
	return hmacSHA256(key, s), nil
}

// signingKey returns the derived key for the scope, from the cache when it is
// there. cached reports whether it was.
func (v *Verifier) signingKey(secret string, sc *scope) (key [signatureBytes]byte, cached bool) {
	id := keyID{secret, sc.date, sc.region, sc.service}
	v.mu.RLock()
	key, cached = v.keys[id]
	v.mu.RUnlock()
	if cached {
		return key, true
	}
	k := deriveKey([]byte("AWS4"+secret), sc.date)
	k = deriveKey(k, sc.region)
	k = deriveKey(k, sc.service)
	k = deriveKey(k, scopeTerminal)
	copy(key[:], k)
	return key, false
}

func deriveKey(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// storeKey caches a signing key that has just verified a signature. The scope
// strings are substrings of the request's header or URL; cloning them keeps the
// request from being retained by the cache.
func (v *Verifier) storeKey(secret string, sc *scope, key *[signatureBytes]byte) {
	id := keyID{secret, strings.Clone(sc.date), strings.Clone(sc.region), strings.Clone(sc.service)}
	v.mu.Lock()
	if len(v.keys) >= maxCachedKeys {
		clear(v.keys)
	}
	v.keys[id] = *key
	v.mu.Unlock()
}

// hmacSHA256 is HMAC-SHA256 (RFC 2104) for a 32-byte key, written out with
// sha256.Sum256 over stack buffers: crypto/hmac allocates two hash states per
// call, and this runs on every request.
func hmacSHA256(key *[signatureBytes]byte, msg []byte) [signatureBytes]byte {
	const blockSize = sha256.BlockSize
	var ibuf [blockSize + 256]byte
	inner := ibuf[:blockSize]
	for i := range inner {
		inner[i] = 0x36
	}
	for i, k := range key {
		inner[i] ^= k
	}
	inner = append(inner, msg...)
	ih := sha256.Sum256(inner)

	var obuf [blockSize + sha256.Size]byte
	for i := 0; i < blockSize; i++ {
		obuf[i] = 0x5c
	}
	for i, k := range key {
		obuf[i] ^= k
	}
	copy(obuf[blockSize:], ih[:])
	return sha256.Sum256(obuf[:])
}
