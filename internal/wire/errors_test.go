package wire

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
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
