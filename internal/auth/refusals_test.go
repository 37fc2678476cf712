package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

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
	withToken := func(c Credential, token string) Credential {
		c.SessionToken = token
		return c
	}

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
		{"session token with a long-term key", func(t *testing.T) *http.Request {
			return signed(t, withToken(testCred, "FwoGZXIvYXdzEBYaDH/made-up"), "chime", testNow)
		}, nil, TypeUnrecognizedClient},
		{"temporary key without its session token", func(t *testing.T) *http.Request {
			return signed(t, withToken(tempCred, ""), "chime", testNow)
		}, nil, TypeUnrecognizedClient},
		{"temporary key with another session token", func(t *testing.T) *http.Request {
			return signed(t, withToken(tempCred, "FwoGZXIvYXdzEBYaDH/another"), "chime", testNow)
		}, nil, TypeUnrecognizedClient},
		{"temporary key past its expiration", func(t *testing.T) *http.Request {
			return signed(t, expiredCred, "chime", testNow)
		}, nil, TypeExpiredToken},
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
			return scopeOfTheDayBefore(t, base)
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
		{"UNSIGNED-PAYLOAD outside a presigned URL", func(t *testing.T) *http.Request {
			// The signature holds, but it leaves the body out.
			r := newClientRequest(t, base)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			goSignHash(t, r, "UNSIGNED-PAYLOAD", testCred, "chime", "us-east-1", testNow)
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

// scopeOfTheDayBefore signs spec just before midnight and moves its
// X-Amz-Date just past it: both within the allowed skew, but the credential
// scope names the previous day.
func scopeOfTheDayBefore(t *testing.T, spec reqSpec) *http.Request {
	t.Helper()
	r := newClientRequest(t, spec)
	midnight := time.Date(2019, 9, 19, 0, 0, 0, 0, time.UTC)
	goSign(t, r, spec.body, testCred, "chime", "us-east-1", midnight.Add(-time.Minute))
	r.Header.Set("X-Amz-Date", formatAmzDate(midnight.Add(time.Minute)))
	return r
}

// A scope naming another day than X-Amz-Date is refused for that, before
// the signature is compared: a key derived for one day signs on no other.
func TestScopeDateMessage(t *testing.T) {
	v := newTestVerifier()
	sr, body := overWire(t, scopeOfTheDayBefore(t, reqSpec{"GET", "/accounts", nil, ""}))
	_, err := v.Verify(sr, body)
	if err == nil || !strings.HasPrefix(err.(*Error).Message, "Date in Credential scope does not match") {
		t.Fatalf("got %v, want the scope date refused", err)
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
		return goPresign(t, r, testCred, expires, at)
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
			return goPresign(t, r, Credential{AccessKeyID: "NOPE", SecretAccessKey: "x"}, 60, testNow)
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
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date;x-amz-date, " + sig, TypeIncompleteSignature},
		{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host;host;x-amz-date, " + sig, TypeIncompleteSignature},
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

// TestManySignedHeadersAreCheap checks that a request signing thousands of
// names it does not send, beside thousands of headers it does, is refused
// quickly: looking each name up by scanning every header took seconds of CPU
// per request, before the signature was even compared.
func TestManySignedHeadersAreCheap(t *testing.T) {
	v := newTestVerifier()
	const n = 20000
	r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
	r.Header.Set("X-Amz-Date", formatAmzDate(testNow))
	names := []string{"host", "x-amz-date"}
	for i := range n {
		r.Header.Set(fmt.Sprintf("X-Sent-%05d", i), "v")
		names = append(names, fmt.Sprintf("y-unsent-%05d", i))
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918/us-east-1/chime/aws4_request, SignedHeaders="+
		strings.Join(names, ";")+", Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	sr, body := overWire(t, r)
	start := time.Now()
	_, err := v.Verify(sr, body)
	if got := errType(t, err); got != TypeInvalidSignature {
		t.Fatalf("got %q (%v), want %s", got, err, TypeInvalidSignature)
	}
	// Linear work takes milliseconds (tens under -race); the scan took
	// seconds.
	if took := time.Since(start); took > time.Second {
		t.Fatalf("refusing took %v", took)
	}
}

func TestClaimedAccessKey(t *testing.T) {
	v := newTestVerifier()
	scope := "/20190918/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=00"
	cases := []struct {
		name   string
		header string
		query  string
		want   string
	}{
		{"configured key", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" + scope, "", "AKIDEXAMPLE"},
		{"configured key with a slash", "AWS4-HMAC-SHA256 Credential=AKID/with/slash" + scope, "", "AKID/with/slash"},
		{"unknown key", "AWS4-HMAC-SHA256 Credential=AKIDSTALE" + scope, "", "AKID…(9 bytes, not a configured key)"},
		// A client that swapped its key ID and secret: the secret must not
		// reach the log.
		{"secret in place of the key", "AWS4-HMAC-SHA256 Credential=" + testCred.SecretAccessKey + scope, "", "wJal…(40 bytes, not a configured key)"},
		{"bad scope date", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-09-18/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=00", "", "AKIDEXAMPLE"},
		{"no scope", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host, Signature=00", "", ""},
		{"no signature", "", "", ""},
		{"presigned", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20190918%2Fus-east-1%2Fchime%2Faws4_request" +
			"&X-Amz-Date=20190918T172439Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "AKIDEXAMPLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", testEndpoint+"/accounts?"+c.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
				r.Header.Set("X-Amz-Date", "20190918T172439Z")
			}
			if got := v.ClaimedAccessKey(r); got != c.want {
				t.Errorf("ClaimedAccessKey = %q, want %q", got, c.want)
			}
		})
	}
}
