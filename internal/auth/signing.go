package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// This file computes the signature a client should have sent: payload hash,
// canonical request, string to sign, signing key (cached) and HMAC.

// matches reports whether the client's signature is that of r. The SDKs
// differ in two ways: botocore removes dot segments and collapses "//"
// before signing, where the Go and JS SDKs do not; botocore and the JS SDK
// collapse tabs in header values (tabForm), where the Go SDK does not. The
// other forms are tried only when they differ and the plain one failed, so
// ordinary requests pay nothing for them.
func matches(r *http.Request, q queryParams, in *sigInput, payload []byte, key, provided *[signatureBytes]byte) (bool, *Error) {
	path := requestPath(r)
	sig, err := signature(r, q, in, path, false, payload, key)
	if err != nil {
		return false, err
	}
	if hmac.Equal(sig[:], provided[:]) {
		return true, nil
	}
	np, normalized := normalizedPath(path)
	tabs := hasTab(r.Header)
	forms := [...]struct {
		path          string
		tabs, differs bool
	}{
		{np, false, normalized},
		{path, true, tabs},
		{np, true, normalized && tabs},
	}
	for _, f := range forms {
		if !f.differs {
			continue
		}
		if sig, _ = signature(r, q, in, f.path, f.tabs, payload, key); hmac.Equal(sig[:], provided[:]) {
			return true, nil
		}
	}
	return false, nil
}

// payloadHash returns the hex payload hash for the canonical request: the
// X-Amz-Content-Sha256 header when the client sent one (checked against the
// body), else UNSIGNED-PAYLOAD for a presigned URL (Verify also tries the
// body's hash there), else the SHA-256 of the body as received. A REST-JSON
// service hashes the body itself rather than trusting the header as S3 does,
// so UNSIGNED-PAYLOAD, which would leave the body out of the signature, is
// S3's and presigned URLs' only: AWS answers it with a signature mismatch.
// The result is written into dst, which keeps it off the heap.
func payloadHash(r *http.Request, body []byte, presigned bool, dst *[2 * sha256.Size]byte) ([]byte, *Error) {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case presigned && (declared == "" || declared == unsignedPayload):
		return dst[:copy(dst[:], unsignedPayload)], nil
	case declared == unsignedPayload:
		return nil, invalid("X-Amz-Content-Sha256: UNSIGNED-PAYLOAD is accepted on presigned URLs only; sign the SHA-256 of the body, as the AWS SDKs do for Chime.")
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
func signature(r *http.Request, q queryParams, in *sigInput, path string, tabs bool, payload []byte, key *[signatureBytes]byte) ([signatureBytes]byte, *Error) {
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
	b, err := appendCanonicalHeaders(b, r, in.signedHeaders, tabs)
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
