package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The request shapes the official clients send to Chime. target is what goes
// on the wire, already encoded the way the SDKs encode labels and queries.
var acceptCases = []struct {
	name   string
	method string
	target string
	body   string
}{
	{"phone number label", "GET", "/phone-numbers/%2B12065550100", ""},
	{"operation query with body", "POST", "/accounts/0123-abcd/users?operation=create", `{"Username":"alice","Email":"alice@example.com"}`},
	{"escaped query values", "GET", "/accounts?name=Team%20A%2BB&user-email=a%40example.com&next-token=x%2Fy%3D%3D&max-results=10", ""},
	{"repeated and empty query keys", "GET", "/search?k=b&k=a&empty=&z=%E2%9C%93", ""},
	{"encoded slash in label", "DELETE", "/accounts/acc/rooms/room%2F1/memberships/m%20id", ""},
	{"put with body", "PUT", "/accounts/acc/bots/bot-1/events-configuration", `{"OutboundEventsHTTPSEndpoint":"https://example.com/x?y=1"}`},
	{"root path", "GET", "/", ""},
}

// TestGoSDKSignatures verifies requests signed by the AWS SDK for Go v2
// signer with the headers the Go SDK sends, after a trip through net/http's
// request parsing.
func TestGoSDKSignatures(t *testing.T) {
	v := newTestVerifier()
	for _, c := range acceptCases {
		for _, cred := range []Credential{testCred, slashCred} {
			t.Run(c.name+"/"+cred.AccessKeyID, func(t *testing.T) {
				h := map[string]string{
					"Amz-Sdk-Invocation-Id": "2b2a53c1-3c4b-4d1f-9c0e-6a1b2c3d4e5f",
					"Amz-Sdk-Request":       "attempt=1; max=3",
					"User-Agent":            "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.26 api/chime#1.0",
				}
				want := "amz-sdk-invocation-id;amz-sdk-request;host;x-amz-date"
				if c.body != "" {
					h["Content-Type"] = "application/json"
					want = "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date"
				}
				r := newClientRequest(t, reqSpec{c.method, c.target, h, c.body})
				goSign(t, r, c.body, cred, "chime", "us-east-1", testNow)
				if got := signedHeadersOf(r); got != want {
					t.Fatalf("Go signer signed %q, want %q", got, want)
				}
				sr, body := overWire(t, r)
				got, err := v.Verify(sr, body)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.AccessKeyID != cred.AccessKeyID || got.PrincipalARN != "arn:aws:iam::"+cred.AwsAccountID+":root" {
					t.Fatalf("Verify returned %+v", got)
				}
			})
		}
	}
}

// TestJSSDKSignatures builds the JS v3 SDK's header set with the Go signer: it
// signs x-amz-content-sha256 and x-amz-user-agent but not content-length.
func TestJSSDKSignatures(t *testing.T) {
	v := newTestVerifier()
	for _, c := range acceptCases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{
				"Amz-Sdk-Invocation-Id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
				"Amz-Sdk-Request":       "attempt=1; max=3",
				"X-Amz-User-Agent":      "aws-sdk-js/3.600.0",
				"X-Amz-Content-Sha256":  sha256Hex([]byte(c.body)),
			}
			want := "amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent"
			if c.body != "" {
				h["Content-Type"] = "application/json"
				want = "amz-sdk-invocation-id;amz-sdk-request;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent"
			}
			r := newClientRequest(t, reqSpec{c.method, c.target, h, c.body})
			// The Go signer signs content-length whenever it is known; JS does not.
			n := r.ContentLength
			r.ContentLength = 0
			goSign(t, r, c.body, testCred, "chime", "us-west-2", testNow)
			r.ContentLength = n
			if got := signedHeadersOf(r); got != want {
				t.Fatalf("signed %q, want %q", got, want)
			}
			sr, body := overWire(t, r)
			if _, err := v.Verify(sr, body); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// TestBotocoreSignatures verifies requests signed by botocore's SigV4Auth and
// SigV4QueryAuth, run in Python.
func TestBotocoreSignatures(t *testing.T) {
	type botoCase struct {
		name    string
		method  string
		target  string
		body    string
		headers map[string]string
		cred    Credential
		presign bool
		want    string // expected SignedHeaders
	}
	var cases []botoCase
	for _, c := range acceptCases {
		h := map[string]string{"Content-Type": "application/x-amz-json-1.1"}
		cases = append(cases,
			botoCase{"header/" + c.name, c.method, c.target, c.body, h, testCred, false, "content-type;host;x-amz-date"},
			botoCase{"header-slash-key/" + c.name, c.method, c.target, c.body, h, slashCred, false, "content-type;host;x-amz-date"},
			botoCase{"presign/" + c.name, c.method, c.target, "", nil, testCred, true, "host"},
		)
	}
	cases = append(cases,
		// botocore signs Date instead of X-Amz-Date when the request has one.
		botoCase{"date header", "GET", "/accounts", "", map[string]string{"Date": "x"}, testCred, false, "date;host"},
		// Trimall: inner runs of spaces collapse, ends are trimmed.
		botoCase{"spaces in header value", "POST", "/accounts?operation=create", `{}`,
			map[string]string{"Content-Type": "application/json", "X-Custom": "  a   b    c "}, testCred, false, "content-type;host;x-amz-date;x-custom"},
		// botocore collapses "//" before signing; the path is still sent as is.
		botoCase{"double slash", "GET", "/accounts//users", "", nil, testCred, false, "host;x-amz-date"},
	)

	reqs := make([]botoReq, len(cases))
	for i, c := range cases {
		reqs[i] = botoReq{
			Method: c.method, URL: testEndpoint + c.target, Headers: c.headers, Body: c.body,
			Timestamp: formatAmzDate(testNow), Key: c.cred.AccessKeyID, Secret: c.cred.SecretAccessKey,
			Service: "chime", Region: "us-east-1", Presign: c.presign, Expires: 300,
		}
	}
	outs := botoSign(t, reqs)
	v := newTestVerifier()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := fromBoto(t, c.method, outs[i], c.body)
			if got := signedHeadersOf(r); got != c.want {
				t.Fatalf("botocore signed %q, want %q (headers %v, url %s)", got, c.want, outs[i].Headers, outs[i].URL)
			}
			sr, body := overWire(t, r)
			if _, err := v.Verify(sr, body); err != nil {
				t.Fatalf("Verify: %v\nURL %s\nheaders %v", err, outs[i].URL, outs[i].Headers)
			}
		})
	}
}

// TestGoPresign verifies URLs made by the Go signer's PresignHTTP, with and
// without a session token (which is signed as an ordinary parameter).
func TestGoPresign(t *testing.T) {
	v := newTestVerifier()
	for _, c := range acceptCases {
		for _, token := range []string{"", "FwoGZXIvYXdzEBYaDH/token+with=chars"} {
			t.Run(c.name+"/token="+token, func(t *testing.T) {
				r := newClientRequest(t, reqSpec{c.method, c.target, nil, ""})
				p := goPresign(t, r, testCred, token, 900, testNow.Add(-10*time.Minute))
				if got := signedHeadersOf(p); got != "host" {
					t.Fatalf("signed %q", got)
				}
				sr, body := overWire(t, p)
				if _, err := v.Verify(sr, body); err != nil {
					t.Fatalf("Verify %s: %v", p.URL, err)
				}
			})
		}
	}
}

// TestAcceptVariants covers accepted requests that are not plain SDK output.
func TestAcceptVariants(t *testing.T) {
	v := newTestVerifier()
	base := reqSpec{"POST", "/accounts/acc/users?operation=create", map[string]string{"Content-Type": "application/json"}, `{"a":1}`}

	t.Run("clock skew within 15 minutes", func(t *testing.T) {
		for _, d := range []time.Duration{-14 * time.Minute, 14 * time.Minute, -15 * time.Minute, 15 * time.Minute} {
			r := newClientRequest(t, base)
			goSign(t, r, base.body, testCred, "chime", "us-east-1", testNow.Add(d))
			sr, body := overWire(t, r)
			if _, err := v.Verify(sr, body); err != nil {
				t.Fatalf("skew %v: %v", d, err)
			}
		}
	})
	t.Run("any region", func(t *testing.T) {
		r := newClientRequest(t, base)
		goSign(t, r, base.body, testCred, "chime", "ap-southeast-7", testNow)
		sr, body := overWire(t, r)
		if _, err := v.Verify(sr, body); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unsigned header changed", func(t *testing.T) {
		r := newClientRequest(t, base)
		goSign(t, r, base.body, testCred, "chime", "us-east-1", testNow)
		r.Header.Set("User-Agent", "something else")
		r.Header.Set("X-Amzn-Trace-Id", "Root=1-abc")
		sr, body := overWire(t, r)
		if _, err := v.Verify(sr, body); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UNSIGNED-PAYLOAD header", func(t *testing.T) {
		r := newClientRequest(t, reqSpec{"POST", base.target, map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, base.body})
		goSignHash(t, r, "UNSIGNED-PAYLOAD", testCred, "chime", "us-east-1", testNow)
		sr, body := overWire(t, r)
		if _, err := v.Verify(sr, body); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("dev credential", func(t *testing.T) {
		r := newClientRequest(t, base)
		goSign(t, r, base.body, DevCredential(), "chime", "us-east-1", testNow)
		sr, body := overWire(t, r)
		c, err := v.Verify(sr, body)
		if err != nil || c.AwsAccountID != "000000000000" {
			t.Fatalf("%+v %v", c, err)
		}
	})
	t.Run("real HTTP server", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, err := v.Verify(r, body); err != nil {
				http.Error(w, err.Error(), StatusCode)
			}
		}))
		defer srv.Close()
		r, err := http.NewRequest("POST", srv.URL+"/phone-numbers/%2B12065550100?operation=update", strings.NewReader(`{"ProductType":"VoiceConnector"}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		goSign(t, r, `{"ProductType":"VoiceConnector"}`, testCred, "chime", "us-east-1", testNow)
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, msg)
		}
	})
}

// TestRefusals checks that each way of getting a request wrong is refused with
// the AWS error type the SDKs expect.
func TestRefusals(t *testing.T) {
	v := newTestVerifier()
	base := reqSpec{
		method:  "POST",
		target:  "/phone-numbers/%2B12065550100?operation=create&x=a%20b",
		headers: map[string]string{"Content-Type": "application/json", "Amz-Sdk-Invocation-Id": "id-1", "Amz-Sdk-Request": "attempt=1; max=3"},
		body:    `{"E164PhoneNumbers":["+12065550100"]}`,
	}
	// signed returns the base request signed at "at" with cred and service,
	// after mutate has changed the spec.
	signed := func(t *testing.T, cred Credential, service string, at time.Time) *http.Request {
		r := newClientRequest(t, base)
		goSign(t, r, base.body, cred, service, "us-east-1", at)
		return r
	}
	wrongSecret := testCred
	wrongSecret.SecretAccessKey = "not-the-secret"
	unknown := Credential{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: "x"}

	cases := []struct {
		name string
		req  func(t *testing.T) *http.Request
		body func(b []byte) []byte // tampers with the body the server received
		want string
	}{
		{"missing authentication", func(t *testing.T) *http.Request {
			return newClientRequest(t, base)
		}, nil, TypeMissingAuthenticationToken},
		{"blank Authorization header", func(t *testing.T) *http.Request {
			r := newClientRequest(t, base)
			r.Header.Set("Authorization", "   ")
			return r
		}, nil, TypeMissingAuthenticationToken},
		{"unknown access key", func(t *testing.T) *http.Request {
			return signed(t, unknown, "chime", testNow)
		}, nil, TypeUnrecognizedClient},
		{"wrong secret", func(t *testing.T) *http.Request {
			return signed(t, wrongSecret, "chime", testNow)
		}, nil, TypeInvalidSignature},
		{"tampered body", func(t *testing.T) *http.Request {
			return signed(t, testCred, "chime", testNow)
		}, func(b []byte) []byte { return []byte(strings.Replace(string(b), "+1206", "+1207", 1)) }, TypeInvalidSignature},
		{"tampered path", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.URL.RawPath = "/phone-numbers/%2B12065550101"
			r.URL.Path = "/phone-numbers/+12065550101"
			return r
		}, nil, TypeInvalidSignature},
		{"path decoded by a proxy", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.URL.RawPath = ""
			r.URL.Path = "/phone-numbers/+12065550100"
			return r
		}, nil, TypeInvalidSignature},
		{"tampered query", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "operation=create", "operation=delete", 1)
			return r
		}, nil, TypeInvalidSignature},
		{"added query parameter", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.URL.RawQuery += "&force=true"
			return r
		}, nil, TypeInvalidSignature},
		{"tampered signed header", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.Header.Set("Amz-Sdk-Invocation-Id", "id-2")
			return r
		}, nil, TypeInvalidSignature},
		{"tampered host", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.Host = "evil.example"
			return r
		}, nil, TypeInvalidSignature},
		{"date 16 minutes old", func(t *testing.T) *http.Request {
			return signed(t, testCred, "chime", testNow.Add(-16*time.Minute))
		}, nil, TypeInvalidSignature},
		{"date 16 minutes ahead", func(t *testing.T) *http.Request {
			return signed(t, testCred, "chime", testNow.Add(16*time.Minute))
		}, nil, TypeInvalidSignature},
		{"wrong service in scope", func(t *testing.T) *http.Request {
			return signed(t, testCred, "s3", testNow)
		}, nil, TypeInvalidSignature},
		{"scope date differs from X-Amz-Date", func(t *testing.T) *http.Request {
			// Signed just before midnight, date header moved past it: both
			// within the skew, but the scope names the previous day.
			r := newClientRequest(t, base)
			midnight := time.Date(2019, 9, 19, 0, 0, 0, 0, time.UTC)
			goSign(t, r, base.body, testCred, "chime", "us-east-1", midnight.Add(-time.Minute))
			r.Header.Set("X-Amz-Date", formatAmzDate(midnight.Add(time.Minute)))
			return r
		}, nil, TypeInvalidSignature},
		{"missing date", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.Header.Del("X-Amz-Date")
			return r
		}, nil, TypeIncompleteSignature},
		{"malformed X-Amz-Date", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.Header.Set("X-Amz-Date", "2019-09-18T17:24:39Z")
			return r
		}, nil, TypeIncompleteSignature},
		{"content sha256 header mismatch", func(t *testing.T) *http.Request {
			r := newClientRequest(t, base)
			r.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte("other")))
			goSign(t, r, "other", testCred, "chime", "us-east-1", testNow)
			return r
		}, nil, TypeInvalidSignature},
		{"host not signed", func(t *testing.T) *http.Request {
			r := signed(t, testCred, "chime", testNow)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
			return r
		}, nil, TypeIncompleteSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.req(t)
			sr, body := overWire(t, r)
			if c.body != nil {
				body = c.body(body)
			}
			_, err := v.Verify(sr, body)
			if got := errType(t, err); got != c.want {
				t.Fatalf("got %q (%v), want %s", got, err, c.want)
			}
		})
	}
}

func TestExpiredMessages(t *testing.T) {
	v := newTestVerifier()
	for _, d := range []time.Duration{-16 * time.Minute, 16 * time.Minute} {
		r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
		goSign(t, r, "", testCred, "chime", "us-east-1", testNow.Add(d))
		sr, body := overWire(t, r)
		_, err := v.Verify(sr, body)
		if err == nil || !strings.HasPrefix(err.(*Error).Message, "Signature expired: ") {
			t.Fatalf("skew %v: %v", d, err)
		}
	}
	r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
	goSign(t, r, "", testCred, "chime", "us-east-1", testNow.Add(-20*time.Minute))
	sr, body := overWire(t, r)
	_, err := v.Verify(sr, body)
	const want = "Signature expired: 20190918T170439Z is now earlier than 20190918T170939Z (20190918T172439Z - 15 min.)"
	if err == nil || err.(*Error).Message != want {
		t.Fatalf("got %v, want message %q", err, want)
	}
}

func TestPresignRefusals(t *testing.T) {
	v := newTestVerifier()
	presigned := func(t *testing.T, expires int, at time.Time) *http.Request {
		r := newClientRequest(t, reqSpec{"GET", "/accounts/acc/users?max-results=5", nil, ""})
		return goPresign(t, r, testCred, "", expires, at)
	}
	editQuery := func(r *http.Request, f func(q map[string][]string)) *http.Request {
		q := r.URL.Query()
		f(q)
		r.URL.RawQuery = url.Values(q).Encode()
		return r
	}
	cases := []struct {
		name string
		req  func(t *testing.T) *http.Request
		want string
	}{
		{"expired", func(t *testing.T) *http.Request { return presigned(t, 60, testNow.Add(-2*time.Minute)) }, TypeInvalidSignature},
		{"signed in the future", func(t *testing.T) *http.Request { return presigned(t, 3600, testNow.Add(20*time.Minute)) }, TypeInvalidSignature},
		{"X-Amz-Expires zero", func(t *testing.T) *http.Request { return presigned(t, 0, testNow) }, TypeIncompleteSignature},
		{"X-Amz-Expires over a week", func(t *testing.T) *http.Request { return presigned(t, 604801, testNow) }, TypeIncompleteSignature},
		{"missing X-Amz-SignedHeaders", func(t *testing.T) *http.Request {
			return editQuery(presigned(t, 60, testNow), func(q map[string][]string) { delete(q, "X-Amz-SignedHeaders") })
		}, TypeIncompleteSignature},
		{"missing X-Amz-Expires", func(t *testing.T) *http.Request {
			return editQuery(presigned(t, 60, testNow), func(q map[string][]string) { delete(q, "X-Amz-Expires") })
		}, TypeIncompleteSignature},
		{"only a signature", func(t *testing.T) *http.Request {
			r := newClientRequest(t, reqSpec{"GET", "/accounts?X-Amz-Signature=abc", nil, ""})
			return r
		}, TypeIncompleteSignature},
		{"longer expiry than signed", func(t *testing.T) *http.Request {
			return editQuery(presigned(t, 60, testNow.Add(-2*time.Minute)), func(q map[string][]string) { q["X-Amz-Expires"] = []string{"3600"} })
		}, TypeInvalidSignature},
		{"tampered query", func(t *testing.T) *http.Request {
			return editQuery(presigned(t, 60, testNow), func(q map[string][]string) { q["max-results"] = []string{"500"} })
		}, TypeInvalidSignature},
		{"unknown key", func(t *testing.T) *http.Request {
			r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
			return goPresign(t, r, Credential{AccessKeyID: "NOPE", SecretAccessKey: "x"}, "", 60, testNow)
		}, TypeUnrecognizedClient},
		{"wrong algorithm", func(t *testing.T) *http.Request {
			return editQuery(presigned(t, 60, testNow), func(q map[string][]string) { q["X-Amz-Algorithm"] = []string{"AWS4-HMAC-SHA1"} })
		}, TypeIncompleteSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sr, body := overWire(t, c.req(t))
			_, err := v.Verify(sr, body)
			if got := errType(t, err); got != c.want {
				t.Fatalf("got %q (%v), want %s", got, err, c.want)
			}
		})
	}
}

// TestMalformedAuthorization runs malformed headers through Verify on an
// otherwise well-formed request.
func TestMalformedAuthorization(t *testing.T) {
	v := newTestVerifier()
	const (
		cred = "Credential=AKIDEXAMPLE/20190918/us-east-1/chime/aws4_request"
		sh   = "SignedHeaders=host;x-amz-date"
		sig  = "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	)
	cases := []struct {
		header string
		want   string
	}{
		{"AWS4-HMAC-SHA256", TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", " + sh, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ", Extra=1", TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential = AKIDEXAMPLE/20190918/us-east-1/chime/aws4_request, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA512 " + cred + ", " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", TypeIncompleteSignature},
		{"Bearer abc.def.ghi", TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256" + cred + ", " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918/us-east-1/chime, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918/us-east-1/chime/aws5_request, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-09-18/us-east-1/chime/aws4_request, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=/20190918/us-east-1/chime/aws4_request, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918//chime/aws4_request, " + sh + ", " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=zz", TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918/us-east-1/iam/aws4_request, " + sh + ", " + sig, TypeInvalidSignature},
		// Well-formed, lenient separators: only the signature itself is wrong.
		{"AWS4-HMAC-SHA256 " + cred + "," + sh + "," + sig, TypeInvalidSignature},
		{"  AWS4-HMAC-SHA256   " + sig + " ,,  " + sh + "\t" + cred + "  ", TypeInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
			r.Header.Set("X-Amz-Date", formatAmzDate(testNow))
			r.Header.Set("Authorization", c.header)
			sr, body := overWire(t, r)
			_, err := v.Verify(sr, body)
			if got := errType(t, err); got != c.want {
				t.Fatalf("got %q (%v), want %s", got, err, c.want)
			}
		})
	}
}

// TestConcurrentVerify exercises the signing-key cache from many goroutines;
// run with -race.
func TestConcurrentVerify(t *testing.T) {
	v := newTestVerifier()
	regions := []string{"us-east-1", "eu-west-1", "ap-northeast-1"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				body := `{"n":1}`
				r := newClientRequest(t, reqSpec{"POST", "/accounts?operation=create", map[string]string{"Content-Type": "application/json"}, body})
				goSign(t, r, body, testCred, "chime", regions[(g+i)%len(regions)], testNow)
				sr, b := overWire(t, r)
				if _, err := v.Verify(sr, b); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	v.mu.RLock()
	n := len(v.keys)
	v.mu.RUnlock()
	if n != len(regions) {
		t.Fatalf("cache holds %d keys, want %d", n, len(regions))
	}
}

func TestKeyCacheBounded(t *testing.T) {
	v := newTestVerifier()
	var k [signatureBytes]byte
	for i := 0; i < 3*maxCachedKeys; i++ {
		v.storeKey("secret", &scope{date: "20190918", region: "r" + formatAmzDate(testNow.Add(time.Duration(i)*time.Second)), service: "chime"}, &k)
		if len(v.keys) > maxCachedKeys {
			t.Fatalf("cache grew to %d", len(v.keys))
		}
	}
}

// TestFailedSignatureNotCached makes sure only verified keys enter the cache.
func TestFailedSignatureNotCached(t *testing.T) {
	v := newTestVerifier()
	wrong := testCred
	wrong.SecretAccessKey = "nope"
	r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
	goSign(t, r, "", wrong, "chime", "us-east-1", testNow)
	sr, body := overWire(t, r)
	if _, err := v.Verify(sr, body); err == nil {
		t.Fatal("verified with a wrong secret")
	}
	if len(v.keys) != 0 {
		t.Fatalf("cache holds %d keys after a failed verification", len(v.keys))
	}
}
