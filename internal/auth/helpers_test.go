package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Fixtures shared by the tests. testNow is the verifier's clock; requests are
// signed at testNow unless a test says otherwise.
var (
	testNow   = time.Date(2019, 9, 18, 17, 24, 39, 0, time.UTC)
	testCred  = Credential{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AwsAccountID: "123456789012"}
	slashCred = Credential{AccessKeyID: "AKID/with/slash", SecretAccessKey: "s3cr3t/+=", AwsAccountID: "210987654321"}
	// tempCred is a temporary credential, as STS issues them; expiredCred
	// one whose time is up.
	tempCred = Credential{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "temporary-secret", AwsAccountID: "123456789012",
		SessionToken: "FwoGZXIvYXdzEBYaDH/token+with=chars", Expiration: new(testNow.Add(time.Hour))}
	expiredCred = Credential{AccessKeyID: "ASIAEXPIRED", SecretAccessKey: "expired-secret", AwsAccountID: "123456789012",
		SessionToken: "FwoGZXIvYXdzEBYaDH/expired", Expiration: new(testNow)}
)

const testEndpoint = "http://chime.local:8080"

func newTestVerifier() *Verifier {
	return NewVerifier([]Credential{testCred, slashCred, tempCred, expiredCred, DevCredential()}, func() time.Time { return testNow })
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// reqSpec describes a request before signing.
type reqSpec struct {
	method  string
	target  string // path and query, already encoded as an SDK would send them
	headers map[string]string
	body    string
}

// newClientRequest builds the request an SDK would hand to its HTTP client.
func newClientRequest(t testing.TB, s reqSpec) *http.Request {
	t.Helper()
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	r, err := http.NewRequest(s.method, testEndpoint+s.target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.headers {
		r.Header.Set(k, v)
	}
	return r
}

// goSign signs r with the AWS SDK for Go v2 signer. The SDK computes the
// payload hash itself and, for a non-S3 service, does not send it as a header.
func goSign(t testing.TB, r *http.Request, body string, c Credential, service, region string, at time.Time) {
	t.Helper()
	goSignHash(t, r, sha256Hex([]byte(body)), c, service, region, at)
}

// goSignHash signs with an explicit payload hash, as a client that sends
// X-Amz-Content-Sha256 does.
func goSignHash(t testing.TB, r *http.Request, payloadHash string, c Credential, service, region string, at time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash, service, region, at); err != nil {
		t.Fatal(err)
	}
}

// goPresign presigns r with the Go v2 signer and returns the request a client
// of the URL would send.
func goPresign(t testing.TB, r *http.Request, c Credential, expires int, at time.Time) *http.Request {
	t.Helper()
	q := r.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(expires))
	r.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	u, h, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "chime", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(r.Method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		if !strings.EqualFold(k, "Host") {
			out.Header[k] = vs
		}
	}
	return out
}

// overWire sends r through the same parsing a server does: the client writes
// it, http.ReadRequest reads it. That moves Host to r.Host, sets RequestURI,
// RawPath and ContentLength exactly as chimed's handlers will see them.
func overWire(t testing.TB, r *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, body
}

// botoReq is one request for botocore to sign; botoOut is what it produced.
type botoReq struct {
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
	Timestamp string            `json:"timestamp"`
	Key       string            `json:"key"`
	Secret    string            `json:"secret"`
	Token     string            `json:"token,omitempty"`
	Service   string            `json:"service"`
	Region    string            `json:"region"`
	Presign   bool              `json:"presign"`
	Expires   int               `json:"expires"`
}

type botoOut struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// botoScript signs each request with botocore's own SigV4Auth / SigV4QueryAuth,
// with the clock pinned to the request's timestamp.
const botoScript = `
import datetime, json, sys
import botocore.auth as A
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
out = []
for p in json.load(sys.stdin):
    ts = datetime.datetime.strptime(p['timestamp'], '%Y%m%dT%H%M%SZ')
    A.get_current_datetime = lambda *a, **k: ts
    req = AWSRequest(method=p['method'], url=p['url'], data=p['body'].encode() or None, headers=p['headers'] or {})
    creds = Credentials(p['key'], p['secret'], p.get('token'))
    if p['presign']:
        A.SigV4QueryAuth(creds, p['service'], p['region'], expires=p['expires']).add_auth(req)
    else:
        A.SigV4Auth(creds, p['service'], p['region']).add_auth(req)
    out.append({'url': req.url, 'headers': dict(req.headers.items())})
json.dump(out, sys.stdout)
`

// botoSign runs botocore (preinstalled with the AWS CLI tooling) once for all
// requests: starting Python per request would dominate the test time.
func botoSign(t testing.TB, reqs []botoReq) []botoOut {
	t.Helper()
	in, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", botoScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore signer failed (python3 with botocore is required for this test): %v\n%s", err, stderr.String())
	}
	var res []botoOut
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("botocore output: %v\n%s", err, out)
	}
	if len(res) != len(reqs) {
		t.Fatalf("botocore returned %d results for %d requests", len(res), len(reqs))
	}
	return res
}

// fromBoto builds the request botocore's HTTP client would send.
func fromBoto(t testing.TB, method string, o botoOut, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, o.URL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range o.Headers {
		r.Header.Set(k, v)
	}
	return r
}

// signedHeadersOf returns the SignedHeaders list of a signed request.
func signedHeadersOf(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		_, after, _ := strings.Cut(a, "SignedHeaders=")
		before, _, _ := strings.Cut(after, ",")
		return before
	}
	return r.URL.Query().Get("X-Amz-SignedHeaders")
}

// errType returns the AWS error type of err, or "" for nil; it fails the test
// for an error of another kind.
func errType(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *auth.Error", err, err)
	}
	return ae.Type
}
