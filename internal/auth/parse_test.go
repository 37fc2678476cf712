package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	a, err := parseAuthorization("AWS4-HMAC-SHA256 Credential=AK/ID/20190918/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	if err != nil {
		t.Fatal(err)
	}
	want := authHeader{"AK/ID/20190918/us-east-1/chime/aws4_request", "host;x-amz-date", "abc"}
	if a != want {
		t.Fatalf("got %+v, want %+v", a, want)
	}
	s, err := parseScope(a.credential)
	if err != nil {
		t.Fatal(err)
	}
	if s != (scope{"AK/ID", "20190918", "us-east-1", "chime"}) {
		t.Fatalf("scope %+v", s)
	}
}

// FuzzParseAuthorization checks that no header makes the parser panic, and
// that what it accepts has the structure the verifier relies on.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190918/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/20190918/r/chime/aws4_request,SignedHeaders=host,Signature=00",
		"AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature==",
		"AWS4-HMAC-SHA256 Credential==,,,, SignedHeaders== Signature=\t",
		"AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
		"AWS4-HMAC-SHA256 Credential=x Credential=y",
		"\x00\xff AWS4-HMAC-SHA256 =",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err != nil {
			if err.Type != TypeIncompleteSignature || err.Message == "" {
				t.Fatalf("unexpected error %+v", err)
			}
			return
		}
		for _, v := range []string{a.credential, a.signedHeaders, a.signature} {
			if v == "" || strings.ContainsAny(v, " \t,") {
				t.Fatalf("accepted %q with field %q", h, v)
			}
		}
		if s, err := parseScope(a.credential); err == nil {
			if s.accessKey == "" || len(s.date) != 8 || s.region == "" || s.service == "" {
				t.Fatalf("scope %+v from %q", s, a.credential)
			}
			if got := s.accessKey + "/" + s.date + "/" + s.region + "/" + s.service + "/aws4_request"; got != a.credential {
				t.Fatalf("scope does not round-trip: %q vs %q", got, a.credential)
			}
		}
		// The rest of the header path must not panic either.
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/"}, Header: http.Header{
			"Authorization": {h}, "X-Amz-Date": {formatAmzDate(testNow)},
		}, Host: "h"}
		_, _ = newTestVerifier().Verify(r, nil)
	})
}

func TestParseAmzDate(t *testing.T) {
	if got, ok := parseAmzDate("20190918T172439Z"); !ok || !got.Equal(testNow) {
		t.Fatalf("got %v %v", got, ok)
	}
	for _, s := range []string{"", "20190918T172439", "20190918 172439Z", "2019091817:24:39Z", "20191318T172439Z",
		"20190931T000000Z", "20190918T246000Z", "2019-9-18T17243Z", "20190918T17243 Z", "+0190918T172439Z"} {
		if _, ok := parseAmzDate(s); ok {
			t.Errorf("accepted %q", s)
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	for _, s := range []string{"Wed, 18 Sep 2019 17:24:39 GMT", "Wed, 18 Sep 2019 17:24:39 -0000", "Wed, 18 Sep 2019 19:24:39 +0200"} {
		if got, ok := parseHTTPDate(s); !ok || !got.Equal(testNow) {
			t.Errorf("%q: got %v %v", s, got, ok)
		}
	}
	if _, ok := parseHTTPDate("2019-09-18T17:24:39Z"); ok {
		t.Error("accepted ISO 8601 as Date")
	}
}

func TestHMACMatchesStdlib(t *testing.T) {
	var key [signatureBytes]byte
	for i := range key {
		key[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, 63, 64, 65, 200, 256, 257, 1000} {
		msg := []byte(strings.Repeat("x", n))
		m := hmac.New(sha256.New, key[:])
		m.Write(msg)
		want := m.Sum(nil)
		if got := hmacSHA256(&key, msg); !hmac.Equal(got[:], want) {
			t.Fatalf("len %d: hmac differs", n)
		}
	}
}

func TestCanonicalURI(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/phone-numbers/%2B12065550100", "/phone-numbers/%252B12065550100"},
		{"/accounts/a b/~x_y.z-", "/accounts/a%20b/~x_y.z-"},
		{"/rooms/r%2F1", "/rooms/r%252F1"},
		{"/a+b/c=d", "/a%2Bb/c%3Dd"},
	} {
		if got := string(appendCanonicalURI(nil, c.in)); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNormalizedPath compares with botocore.utils.remove_dot_segments.
func TestNormalizedPath(t *testing.T) {
	for _, c := range []struct {
		in, want string
		changed  bool
	}{
		{"/accounts/users", "", false},
		{"/accounts//users", "/accounts/users", true},
		{"/a/./b/../c/", "/a/c/", true},
		{"//", "/", true},
		{"/a/..", "/", true},
		{"/a/.hidden", "/a/.hidden", false},
	} {
		got, changed := normalizedPath(c.in)
		if changed != c.changed || changed && got != c.want {
			t.Errorf("%q: got %q %v, want %q %v", c.in, got, changed, c.want, c.changed)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"", ""},
		{"operation=create", "operation=create"},
		{"b=2&a=1", "a=1&b=2"},
		{"k=b&k=a&k=", "k=&k=a&k=b"},
		{"flag", "flag="},
		{"a=x+y", "a=x%20y"},
		{"a=x%2by%2B", "a=x%2By%2B"},
		{"a=%7e%7E~", "a=~~~"},
		{"a=%e2%9c%93", "a=%E2%9C%93"},
		{"a=b=c", "a=b%3Dc"},
		{"&&a=1&", "a=1"},
		{"a=*'()!", "a=%2A%27%28%29%21"},
		// Sorted on the encoded form: '%' (0x25) sorts before '-' (0x2D).
		{"a-b=1&a%20b=2", "a%20b=2&a-b=1"},
	} {
		q, ok := parseQuery(nil, c.raw)
		if !ok {
			t.Fatalf("%q: refused", c.raw)
		}
		if got := string(q.appendTo(nil, "")); got != c.want {
			t.Errorf("%q: got %q, want %q", c.raw, got, c.want)
		}
	}
	if _, ok := parseQuery(nil, "a=%zz"); ok {
		t.Error("accepted invalid percent-encoding")
	}
	q, _ := parseQuery(nil, "X-Amz-Signature=abc&b=1")
	if got := string(q.appendTo(nil, "X-Amz-Signature")); got != "b=1" {
		t.Errorf("skip: got %q", got)
	}
	if v, n := q.get("X-Amz-Signature"); v != "abc" || n != 1 {
		t.Errorf("get: %q %d", v, n)
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{
		URL:              &url.URL{Host: "url-host"},
		Host:             "example.com:8080",
		ContentLength:    12,
		TransferEncoding: []string{"chunked"},
		Header: http.Header{
			"X-Amz-Date":  {"20190918T172439Z"},
			"X-Multi":     {"  a   b ", "c"},
			"x-odd_name!": {"raw"}, // a name net/http would leave uncanonicalised
		},
	}
	got, err := appendCanonicalHeaders(nil, r, "content-length;Host;transfer-encoding;x-amz-date;x-missing;x-multi;x-odd_name!", false)
	if err != nil {
		t.Fatal(err)
	}
	want := "content-length:12\nhost:example.com:8080\ntransfer-encoding:chunked\nx-amz-date:20190918T172439Z\n" +
		"x-missing:\nx-multi:a b,c\nx-odd_name!:raw\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	r.Host = ""
	got, _ = appendCanonicalHeaders(nil, r, "host", false)
	if string(got) != "host:url-host\n" {
		t.Fatalf("fallback host: %q", got)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Type: TypeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	if e.Error() != "UnrecognizedClientException: The security token included in the request is invalid." {
		t.Fatal(e.Error())
	}
	var _ error = e
	if StatusCode != 403 {
		t.Fatal(StatusCode)
	}
}
