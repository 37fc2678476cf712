package outbound

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func TestForbiddenAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr      string
		forbidden bool
	}{
		{"127.0.0.1", true},
		{"127.9.9.9", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"fe80::1", true},
		{"fc00::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"100.64.0.1", true},
		{"224.0.0.1", true},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"2606:4700::1111", false},
		{"100.128.0.1", false},
		{"198.18.0.1", true},
		{"255.255.255.255", true},
		{"64:ff9b::7f00:1", true},   // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"::ffff:0:7f00:1", true},   // SIIT-translated 127.0.0.1
		{"::ffff:0:a00:1", true},    // SIIT-translated 10.0.0.1
		{"::ffff:0:808:808", false}, // SIIT-translated 8.8.8.8
		{"64:ff9b:1::a00:1", true},  // local-use NAT64
		{"2002:7f00:1::", true},     // 6to4 of 127.0.0.1
		{"2002:a9fe:a9fe::1", true}, // 6to4 of 169.254.169.254
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"fec0::1", true},           // site-local
		{"::127.0.0.1", true},       // IPv4-compatible
		{"192.0.0.8", true},         // IETF protocol assignments
		{"203.0.113.7", true},       // documentation
		{"2001:db8::1", true},       // documentation
	} {
		if got := forbidden(netip.MustParseAddr(tc.addr)); got != tc.forbidden {
			t.Errorf("forbidden(%s) = %v, want %v", tc.addr, got, tc.forbidden)
		}
	}
}

// An IPv4 address written as IPv6 is judged as IPv4.
func TestMappedAddressIsUnmapped(t *testing.T) {
	c := New(Config{})
	err := c.control("tcp6", "[::ffff:127.0.0.1]:443", nil)
	if !errors.Is(err, chime.ErrTargetRefused) {
		t.Fatalf("::ffff:127.0.0.1 got %v, want a refusal", err)
	}
}

// tlsServer runs an HTTPS server on addr (127.0.0.1:0 when "") and returns
// it with a client that trusts it.
func tlsServer(t *testing.T, addr string, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func trusting(srv *httptest.Server, cfg Config) *Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	cfg.RootCAs = pool
	return New(cfg)
}

// A redirect is followed only to an address the policy allows: the check is
// made on each connection, so the forbidden target is never connected to.
func TestRedirectToForbiddenAddressRefused(t *testing.T) {
	var reached atomic.Int32
	inside := tlsServer(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) { reached.Add(1) })
	outside := tlsServer(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/admin", http.StatusTemporaryRedirect)
	})
	c := trusting(outside, Config{})
	// Here 127.0.0.1 stands for a public address and 127.0.0.2 for an
	// internal one.
	c.forbidden = func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.2") }

	_, err := c.Post(context.Background(), outside.URL+"/events", nil, []byte(`{}`))
	if !errors.Is(err, chime.ErrTargetRefused) || strings.Contains(err.Error(), "127.0.0.2") {
		t.Fatalf("redirect to a forbidden address: got %v, want a refusal that does not tell the address", err)
	}
	if reached.Load() != 0 {
		t.Fatal("the forbidden server was reached")
	}
}

func TestRedirectToPlainHTTPRefused(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	secure := tlsServer(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL, http.StatusTemporaryRedirect)
	})
	c := trusting(secure, Config{})
	c.forbidden = func(netip.Addr) bool { return false }
	_, err := c.Post(context.Background(), secure.URL, nil, nil)
	if !errors.Is(err, chime.ErrTargetRefused) || !strings.Contains(err.Error(), "not https") {
		t.Fatalf("redirect to http: got %v, want a refusal", err)
	}
}

// target is a call to a bot's target of one kind, answered by a handler.
type target struct {
	name string
	call func() (*chime.TargetAnswer, error)
}

// targets are an HTTPS endpoint and a Lambda function (through the Lambda
// API) that both answer with h.
func targets(t *testing.T, h http.HandlerFunc) []target {
	srv := tlsServer(t, "", h)
	lambdaAPI := httptest.NewServer(h)
	t.Cleanup(lambdaAPI.Close)
	return []target{
		{"HTTPS endpoint", func() (*chime.TargetAnswer, error) {
			return trusting(srv, Config{AllowPrivate: true}).Post(context.Background(), srv.URL, nil, nil)
		}},
		{"Lambda function", func() (*chime.TargetAnswer, error) {
			c := New(Config{Lambda: LambdaConfig{Endpoint: lambdaAPI.URL, AccessKeyID: "k", SecretAccessKey: "s"}})
			return c.Invoke(context.Background(), "arn:aws:lambda:us-east-1:111122223333:function:f", []byte(`{}`), false)
		}},
	}
}

// An HTTPS endpoint's answer and a Lambda function's are read up to
// MaxAnswerBytes, whatever their size.
func TestAnswerIsSizeLimited(t *testing.T) {
	huge := []byte(strings.Repeat("x", 4*MaxAnswerBytes))
	for _, tt := range targets(t, func(w http.ResponseWriter, r *http.Request) { w.Write(huge) }) {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if answer.Status != 200 || len(answer.Body) != MaxAnswerBytes {
				t.Fatalf("answer %d with %d bytes, want 200 with %d", answer.Status, len(answer.Body), MaxAnswerBytes)
			}
		})
	}
}

// A host that does not resolve is reported by its name alone: not with the
// resolver's address, which is this server's business.
func TestUnresolvableHostNamesOnlyTheHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := New(Config{}).Post(ctx, "https://no-such-host.invalid/events", nil, []byte(`{}`))
	if err == nil || err.Error() != "cannot resolve no-such-host.invalid" {
		t.Fatalf("got %v, want the host named alone", err)
	}
}

// A network failure is reported without the addresses of the connection:
// chimed's own (a pod's, say) is its operator's business, and the target's
// is what its host resolved to.
func TestNetworkFailureNamesNoAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = New(Config{AllowPrivate: true}).Post(ctx, "http://localhost:"+strings.Split(addr, ":")[1]+"/events", nil, []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "[::1]") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v, want connection refused without an address", err)
	}
}

// A target that is throttling says how long to leave it alone: an HTTPS
// endpoint with Retry-After on its 429 or 503, the Lambda API with
// Retry-After on its TooManyRequestsException.
func TestRetryAfterIsRead(t *testing.T) {
	throttling := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"Reason":"CallerRateLimitExceeded","Type":"User","message":"Rate Exceeded."}`))
	}
	for _, tt := range targets(t, throttling) {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if answer.Status != http.StatusTooManyRequests || answer.RetryAfter != 30*time.Second {
				t.Fatalf("answer %d asking for %s, want 429 asking for 30s", answer.Status, answer.RetryAfter)
			}
		})
	}
}

// An event follows up to 3 redirects that keep the POST; a fourth is
// refused.
func TestRedirectsAreBounded(t *testing.T) {
	for _, tt := range []struct {
		redirects int
		ok        bool
	}{{3, true}, {4, false}} {
		var srv *httptest.Server
		srv = tlsServer(t, "", func(w http.ResponseWriter, r *http.Request) {
			hop, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
			if hop < tt.redirects {
				http.Redirect(w, r, srv.URL+"/hop/"+strconv.Itoa(hop+1), http.StatusTemporaryRedirect)
			}
		})
		c := trusting(srv, Config{AllowPrivate: true})
		answer, err := c.Post(context.Background(), srv.URL+"/hop/0", nil, []byte(`{}`))
		if tt.ok && (err != nil || answer.Status != http.StatusOK) {
			t.Errorf("%d redirects: got %+v, %v; want the answer", tt.redirects, answer, err)
		}
		if !tt.ok && !errors.Is(err, chime.ErrTargetRefused) {
			t.Errorf("%d redirects: got %+v, %v; want a refusal", tt.redirects, answer, err)
		}
	}
}

// An event carries the headers it is given, and says it is from chimed.
func TestPostSendsItsHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := tlsServer(t, "", func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() })
	c := trusting(srv, Config{AllowPrivate: true})
	if _, err := c.Post(context.Background(), srv.URL, map[string]string{"Authorization": "sig"}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("User-Agent") != "chimed" || h.Get("Authorization") != "sig" {
		t.Fatalf("headers %v, want User-Agent chimed and the Authorization given", h)
	}
}

// Retry-After counts for a 429 or a 503 only, in seconds or as a date; a
// negative, past or unreadable one asks for no wait.
func TestRetryAfterValues(t *testing.T) {
	for _, tt := range []struct {
		status int
		value  string
		want   time.Duration
	}{
		{http.StatusTooManyRequests, "7", 7 * time.Second},
		{http.StatusServiceUnavailable, "0", 0},
		{http.StatusServiceUnavailable, "-5", 0},
		{http.StatusTooManyRequests, "soon", 0},
		{http.StatusInternalServerError, "7", 0},
		{http.StatusServiceUnavailable, time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		// A date is the whole seconds until it, rounded up: an attempt
		// records seconds, and must not come back before the date. A date
		// drops the fraction: 20 s from now less a fraction is 20 s.
		{http.StatusServiceUnavailable, time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat), 20 * time.Second},
	} {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.value}}}
		if got := retryAfter(resp); got != tt.want {
			t.Errorf("%d with Retry-After %q: got %v, want %v", tt.status, tt.value, got, tt.want)
		}
	}
}

// A function that failed (X-Amz-Function-Error) is reported so, though the
// Lambda API answers 200.
func TestLambdaFunctionErrorIsReported(t *testing.T) {
	lambdaAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Write([]byte(`{"errorMessage":"boom"}`))
	}))
	t.Cleanup(lambdaAPI.Close)
	c := New(Config{Lambda: LambdaConfig{Endpoint: lambdaAPI.URL, AccessKeyID: "k", SecretAccessKey: "s"}})
	answer, err := c.Invoke(context.Background(), "arn:aws:lambda:us-east-1:111122223333:function:f", []byte(`{}`), false)
	if err != nil {
		t.Fatal(err)
	}
	if answer.Status != http.StatusOK || answer.FunctionError != "Unhandled" {
		t.Fatalf("answer %d with function error %q, want 200 with Unhandled", answer.Status, answer.FunctionError)
	}
}
