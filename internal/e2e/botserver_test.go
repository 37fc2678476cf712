package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/server"
)

// testBot is a chat bot's HTTPS endpoint: it answers challenges, records
// every event with its headers, and can be told to fail the next requests.
type testBot struct {
	srv *httptest.Server
	mu  sync.Mutex
	// received holds the events (not the challenges), in arrival order.
	received []botRequest
	// challenges holds the challenges answered.
	challenges []botRequest
	// script is how the next events are answered: a status code answers
	// it (a 3xx redirects to the events URL; "429/300" adds Retry-After:
	// 300), "slow" answers after the 2 s deadline, "late" within it,
	// "echo" a 500 quoting the event's message, as a bot's error page
	// quotes its input; an empty script answers 200.
	script []string
}

// botRequest is one request the bot received.
type botRequest struct {
	timestamp, signature string
	body                 []byte
	event                botEvent
}

// botEvent is an event's payload as CHIME-FACTS lists it.
type botEvent struct {
	Sender struct {
		SenderId, SenderIdType string
	}
	Discussion struct {
		DiscussionId, DiscussionType string
	}
	EventType            string
	InboundHttpsEndpoint *struct{ EndpointType, Url string }
	EventTimestamp       string
	Message              string
	EventId              string
}

// startTestBot runs a bot endpoint over HTTPS with a self-signed
// certificate (tls) or over plain HTTP.
func startTestBot(t *testing.T, tls bool) *testBot {
	t.Helper()
	b := &testBot{}
	b.srv = httptest.NewUnstartedServer(http.HandlerFunc(b.serve))
	// Quiet: the tests make handshakes fail on purpose.
	b.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		b.srv.StartTLS()
	} else {
		b.srv.Start()
	}
	t.Cleanup(b.srv.Close)
	return b
}

// url is the bot's events endpoint.
func (b *testBot) url() string { return b.srv.URL + "/events" }

// trusted lets chimed reach the bot: private addresses (it listens on
// loopback) and, for HTTPS, its certificate.
func (b *testBot) trusted(c *server.Config) {
	c.AllowPrivateEndpoints = true
	if cert := b.srv.Certificate(); cert != nil {
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		c.OutboundRootCAs = pool
	}
}

func (b *testBot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := botRequest{timestamp: r.Header.Get("Chime-Request-Timestamp"), signature: r.Header.Get("Chime-Signature"), body: body}
	var challenge struct{ Challenge string }
	if json.Unmarshal(body, &challenge) == nil && challenge.Challenge != "" {
		b.mu.Lock()
		b.challenges = append(b.challenges, req)
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
		return
	}
	json.Unmarshal(body, &req.event)
	b.mu.Lock()
	b.received = append(b.received, req)
	next := ""
	if len(b.script) > 0 {
		next, b.script = b.script[0], b.script[1:]
	}
	b.mu.Unlock()
	if code, wait, ok := strings.Cut(next, "/"); ok { // e.g. 429/300: a 429 asking for 300 s
		w.Header().Set("Retry-After", wait)
		next = code
	}
	switch code, _ := strconv.Atoi(next); {
	case next == "slow": // past chimed's 2 s
		time.Sleep(2500 * time.Millisecond)
	case next == "late": // within them
		time.Sleep(time.Second)
	case next == "echo":
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "unknown command: "+req.event.Message)
	case code >= 300 && code <= 399:
		http.Redirect(w, r, "/events", code)
	case code != 0:
		w.WriteHeader(code)
	}
}

// answerNext scripts how the next events are answered.
func (b *testBot) answerNext(script ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.script = append(b.script, script...)
}

// events returns the events received so far.
func (b *testBot) events() []botRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]botRequest(nil), b.received...)
}

// waitEvents waits up to 10 s for n events, and returns those received.
func (b *testBot) waitEvents(t *testing.T, n int) []botRequest {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(b.events()) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return b.events()
}

// challenged returns the challenges answered so far.
func (b *testBot) challenged() []botRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]botRequest(nil), b.challenges...)
}

// signedWith says whether the request carries the signature CHIME-FACTS
// defines for token: base64(HMAC-SHA256(token, timestamp + "|" + body)).
func (r botRequest) signedWith(token string) bool {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte(r.timestamp + "|"))
	mac.Write(r.body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return r.timestamp != "" && hmac.Equal([]byte(want), []byte(r.signature))
}
