package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawRequest is an API request written by hand, for what the SDKs never
// send: broken constraints, odd encodings, odd methods.
type rawRequest struct {
	method string
	// path is already percent-encoded, exactly as it goes on the wire.
	path string
	// query is the raw query string, without "?".
	query string
	body  []byte
	// header is sent as given. Content-Type defaults to application/json
	// when there is a body, unless header has a Content-Type entry (an empty
	// one sends none).
	header http.Header
	// unsigned sends the request without an Authorization header.
	unsigned bool
}

// rawResponse is what came back.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// errorType is the x-amzn-ErrorType the SDKs read.
func (r rawResponse) errorType() string { return r.header.Get("x-amzn-ErrorType") }

// message is the Message of a JSON error body.
func (r rawResponse) message() string {
	var e struct{ Message string }
	json.Unmarshal(r.body, &e)
	return e.Message
}

func (r rawResponse) String() string {
	return http.StatusText(r.status) + " " + r.errorType() + " " + string(r.body)
}

// send signs req with the access key (SigV4, as the official SDKs do: the
// path is URI-encoded once more for the canonical request) and sends it.
func (e *env) send(t *testing.T, key string, req rawRequest) rawResponse {
	t.Helper()
	resp, err := e.trySend(key, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// trySend is send for a goroutine other than the test's, which must not
// stop the test: it returns what went wrong instead.
func (e *env) trySend(key string, req rawRequest) (rawResponse, error) {
	url := e.srv.URL + req.path
	if req.query != "" {
		url += "?" + req.query
	}
	hr, err := http.NewRequest(req.method, url, bytes.NewReader(req.body))
	if err != nil {
		return rawResponse{}, fmt.Errorf("build %s %s: %v", req.method, url, err)
	}
	if _, set := req.header["Content-Type"]; !set && len(req.body) > 0 {
		hr.Header.Set("Content-Type", "application/json")
	}
	for name, values := range req.header {
		if len(values) > 0 { // an empty entry means: send no such header
			hr.Header[name] = values
		}
	}
	if !req.unsigned {
		// The signer rewrites the query it signs in canonical order; sign a
		// copy so the query goes on the wire exactly as written.
		signed := hr.Clone(ctx)
		sum := sha256.Sum256(req.body)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		err = v4.NewSigner().SignHTTP(ctx, creds, signed, hex.EncodeToString(sum[:]), "chime", "us-east-1", time.Now())
		if err != nil {
			return rawResponse{}, fmt.Errorf("sign: %v", err)
		}
		hr.Header = signed.Header
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return rawResponse{}, fmt.Errorf("%s %s: %v", req.method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return rawResponse{}, fmt.Errorf("read response of %s %s: %v", req.method, url, err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// escapeLabel percent-encodes a path label the way the AWS SDKs do: every
// byte but the RFC 3986 unreserved characters, so "+" is %2B and "/" is %2F.
func escapeLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
