package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
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
		// botocore's Trimall collapses tabs too; the Go SDK's does not.
		botoCase{"tabs in header value", "GET", "/accounts", "", map[string]string{"X-Custom": "a\tb \t c"}, testCred, false, "host;x-amz-date;x-custom"},
		botoCase{"tabs in header value, double slash", "GET", "/accounts//users", "", map[string]string{"X-Custom": "a\t\tb"}, testCred, false, "host;x-amz-date;x-custom"},
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

// TestGoPresign verifies URLs made by the Go signer's PresignHTTP, with a
// long-term key and with a temporary one, whose session token is signed as
// an ordinary parameter.
func TestGoPresign(t *testing.T) {
	v := newTestVerifier()
	for _, c := range acceptCases {
		for _, cred := range []Credential{testCred, tempCred} {
			t.Run(c.name+"/"+cred.AccessKeyID, func(t *testing.T) {
				r := newClientRequest(t, reqSpec{c.method, c.target, nil, ""})
				p := goPresign(t, r, cred, 900, testNow.Add(-10*time.Minute))
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
	t.Run("tabs in header value, signed as sent", func(t *testing.T) {
		r := newClientRequest(t, base)
		r.Header.Set("X-Custom", "a\tb \t c")
		goSign(t, r, base.body, testCred, "chime", "us-east-1", testNow)
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

// TestReplace checks that a new set of keys applies to the next request:
// a removed key is unknown, a rotated key takes only its new secret, and
// a new key is accepted.
func TestReplace(t *testing.T) {
	v := newTestVerifier()
	rotated := testCred
	rotated.SecretAccessKey = "rotated-secret"
	added := Credential{AccessKeyID: "AKIDADDED", SecretAccessKey: "added-secret", AwsAccountID: "444455556666"}
	verify := func(c Credential) string {
		r := newClientRequest(t, reqSpec{"GET", "/accounts", nil, ""})
		goSign(t, r, "", c, "chime", "us-east-1", testNow)
		sr, body := overWire(t, r)
		got, err := v.Verify(sr, body)
		if err != nil {
			return errType(t, err)
		}
		return got.AwsAccountID
	}
	if got := verify(testCred); got != testCred.AwsAccountID { // and caches its signing key
		t.Fatalf("before Replace: %s", got)
	}
	v.Replace([]Credential{rotated, added})
	for _, tc := range []struct {
		name string
		cred Credential
		want string
	}{
		{"old secret of a rotated key", testCred, "InvalidSignatureException"},
		{"new secret of a rotated key", rotated, testCred.AwsAccountID},
		{"removed key", slashCred, "UnrecognizedClientException"},
		{"added key", added, added.AwsAccountID},
	} {
		if got := verify(tc.cred); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
