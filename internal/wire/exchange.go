package wire

import (
	"context"
	"net/http"

	"github.com/chimed/chimed/internal/chime"
)

// Exchange is what the wire layer learned about one API call: which
// operation, who called, the bound input and how it ended. The server's
// observers (request log, metrics, audit trail) read it after the call.
type Exchange struct {
	Operation string
	Caller    chime.Caller
	// Input is the operation's bound input structure (nil when the request
	// never got that far).
	Input any
	// Labels are the decoded path labels as name, value pairs: the IDs of the
	// resources the call is about.
	Labels []string
	// ErrorType and ErrorCode are set when the call was refused: the
	// x-amzn-ErrorType and the body's Code.
	ErrorType string
	ErrorCode string
	// AuthFailed is set when the request was refused by authentication.
	AuthFailed bool
}

type exchangeKey struct{}

// WithExchange returns a context carrying a fresh Exchange for the wire
// layer to fill in.
func WithExchange(ctx context.Context) (context.Context, *Exchange) {
	x := &Exchange{}
	return context.WithValue(ctx, exchangeKey{}, x), x
}

// exchangeOf returns the request's Exchange, or a throwaway one when no
// observer asked for it.
func exchangeOf(r *http.Request) *Exchange {
	if x, ok := r.Context().Value(exchangeKey{}).(*Exchange); ok {
		return x
	}
	return &Exchange{}
}

// Interceptor runs after a request is authenticated and routed, before the
// operation: a non-nil error answers the request instead (throttling, fault
// injection).
type Interceptor func(r *http.Request, operation string, caller chime.Caller) error

// SetCaller records who made a call that a secret in its URL authenticated
// instead of a signature (an incoming webhook, a bot's reply, an invitation
// link): such a call is then logged, counted and audited under that caller,
// as a signed one is. A zero caller (the secret did not match) records none.
func SetCaller(r *http.Request, c chime.Caller) {
	exchangeOf(r).Caller = c
}
