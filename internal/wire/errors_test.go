package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/chime"
)

// An error that only says the request's context was cancelled is a client
// that went away when the request's context is done, and a 500 otherwise.
func TestWriteErrorClientClosed(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		err       error
		status    int
		errorType string
	}{
		{"client gone", cancelled, fmt.Errorf("query: %w", context.Canceled), statusClientClosed, shapeClientClosed},
		{"cancelled elsewhere", context.Background(), fmt.Errorf("query: %w", context.Canceled), http.StatusInternalServerError, "ServiceFailureException"},
		{"client gone, other failure", cancelled, fmt.Errorf("disk full"), http.StatusInternalServerError, "ServiceFailureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/accounts", nil).WithContext(tc.ctx)
			w := httptest.NewRecorder()
			WriteError(w, r, tc.err)
			if w.Code != tc.status || w.Header().Get("x-amzn-ErrorType") != tc.errorType {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Header().Get("x-amzn-ErrorType"), tc.status, tc.errorType)
			}
		})
	}
}

// Only a failure of chimed's own is logged as an internal error; a 500 the
// service chose to answer (an injected fault) is not, so that an operator's
// alert on that line (and the client suites' check) sees only real ones.
func TestWriteErrorLogsOnlyInternalFailures(t *testing.T) {
	injected, _ := ErrorOfShape("ServiceFailureException", "fault injected by rule r1")
	unavailable, _ := ErrorOfShape("ServiceUnavailableException", "try again")
	for _, tc := range []struct {
		name   string
		err    error
		logged bool
	}{
		{"unclassified", errors.New("disk full"), true},
		{"injected ServiceFailure", injected, false},
		{"ServiceUnavailable", unavailable, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			defer slog.SetDefault(slog.Default())
			slog.SetDefault(slog.New(slog.NewTextHandler(&log, nil)))
			w := httptest.NewRecorder()
			WriteError(w, httptest.NewRequest("GET", "/accounts", nil), tc.err)
			if w.Code < 500 {
				t.Fatalf("status %d", w.Code)
			}
			if got := strings.Contains(log.String(), "internal error"); got != tc.logged {
				t.Fatalf("logged %v, want %v: %q", got, tc.logged, log.String())
			}
		})
	}
}

// A body cut short (a Content-Length that lies, ended by the server's read
// timeout) is a 400 that says what went wrong, without the connection's
// addresses that the read error holds.
func TestReadBodyIncomplete(t *testing.T) {
	cut := errors.New("read tcp 127.0.0.1:8080->127.0.0.1:51234: i/o timeout")
	r := httptest.NewRequest("POST", "/accounts", io.MultiReader(strings.NewReader(`{"Name":`), errReader{cut}))
	_, err := ReadBody(r, MaxBodyBytes)
	var e *chime.Error
	if !errors.As(err, &e) || e.Code != "BadRequest" || !strings.HasPrefix(e.Message, "request body: incomplete") || strings.Contains(e.Message, "127.0.0.1") {
		t.Fatalf("got %v", err)
	}
	r = httptest.NewRequest("POST", "/accounts", strings.NewReader(strings.Repeat("x", MaxBodyBytes+1)))
	r.ContentLength = -1 // chunked: the size shows as the body is read
	if _, err := ReadBody(r, MaxBodyBytes); err == nil || !strings.Contains(err.Error(), "request body exceeds 1048576 bytes") {
		t.Fatalf("too large: %v", err)
	}
}

// A Content-Length over the limit is refused before any of the body is
// read: a client that announces 2 MB and sends 4 bytes is not waited for.
func TestReadBodyRefusesAnAnnouncedLengthOverTheLimit(t *testing.T) {
	r := httptest.NewRequest("POST", "/accounts", errReader{errors.New("the body was read")})
	r.ContentLength = 2_000_000
	_, err := ReadBody(r, MaxBodyBytes)
	if err == nil || err.Error() != "BadRequest: request body exceeds 1048576 bytes (Content-Length 2000000)" {
		t.Fatalf("got %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
