package wire

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// MaxBodyBytes bounds a request body. The largest valid Chime request (50
// membership items) is a few kilobytes.
const MaxBodyBytes = 1 << 20

// Authenticator says who sent a request. Screen refuses, before the body is
// read, a request that no body could make valid (no signature, an unknown
// key); Verify checks the signature over the body.
type Authenticator interface {
	Screen(r *http.Request) error
	Verify(r *http.Request, body []byte) (chime.Caller, error)
}

// Handler serves the Amazon Chime API: every operation of the model.
type Handler struct {
	api          chime.API
	authn        Authenticator
	router       *router
	interceptors []Interceptor
}

// NewHandler returns a Handler that authenticates requests with authn and
// serves them with api, after running the interceptors in order.
func NewHandler(api chime.API, authn Authenticator, interceptors ...Interceptor) *Handler {
	return &Handler{api: api, authn: authn, router: newRouter(operations), interceptors: interceptors}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A query string that is not percent-encoding is a malformed request,
	// whoever sent it, not a signature that failed.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		WriteError(w, r, chime.BadRequest("query string: %v", err))
		return
	}
	body, caller, err := h.authenticate(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	op, labels, ok := h.router.match(r.Method, r.URL.EscapedPath(), query)
	if !ok {
		WriteError(w, r, unknownOperation(r.Method, r.URL.EscapedPath()))
		return
	}
	x := exchangeOf(r)
	x.Operation, x.Labels = op.name, labels
	if err := h.intercept(r, op.name, caller); err != nil {
		WriteError(w, r, err)
		return
	}
	c := &call{ctx: r.Context(), caller: caller, w: w, op: op, body: body, labels: labels, params: query, exchange: x}
	if err := op.serve(h.api, c); err != nil {
		WriteError(w, r, err)
	}
}

// ReadBody reads a request's body of at most limit bytes. A body that does
// not arrive in full is a 400 that says so without the connection's
// addresses (the server's ReadTimeout ends a Content-Length that lies).
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	// No Chime operation takes a compressed body (the model has no
	// requestCompression): read as sent, one would be refused as not JSON.
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, chime.BadRequest("Content-Encoding %q: request bodies are read as sent; send the JSON uncompressed", ce)
	}
	if r.ContentLength > limit {
		// Refused now, not once the body has arrived (or the client has
		// kept the connection waiting for it for 30 s).
		return nil, chime.BadRequest("request body exceeds %d bytes (Content-Length %d)", limit, r.ContentLength)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, chime.BadRequest("request body exceeds %d bytes", limit)
	case err != nil:
		return nil, chime.BadRequest("request body: incomplete or malformed (it must arrive in full, as its Content-Length or chunks announce, within 30 s)")
	}
	return body, nil
}

// authenticate screens the caller, reads the body (bounded) and checks the
// signature over it.
func (h *Handler) authenticate(r *http.Request) ([]byte, chime.Caller, error) {
	var body []byte
	var err error
	// Most calls (GET, DELETE) have no body: no buffer to allocate, and no
	// need to screen the caller before reading it.
	if r.Body != http.NoBody {
		if err := h.authn.Screen(r); err != nil {
			exchangeOf(r).AuthFailed = true
			return nil, chime.Caller{}, err
		}
		if body, err = ReadBody(r, MaxBodyBytes); err != nil {
			return nil, chime.Caller{}, err
		}
	}
	caller, err := h.authn.Verify(r, body)
	x := exchangeOf(r)
	x.Caller, x.AuthFailed = caller, err != nil
	return body, caller, err
}

// SignedFunc is an extension endpoint: authenticated like the API, answering
// with a status and a JSON document, or an error.
type SignedFunc func(r *http.Request, caller chime.Caller, body []byte) (status int, out any, err error)

// intercept runs the interceptors on an authenticated call, and stops at the
// first that refuses it.
func (h *Handler) intercept(r *http.Request, operation string, caller chime.Caller) error {
	for _, intercept := range h.interceptors {
		if err := intercept(r, operation, caller); err != nil {
			return err
		}
	}
	return nil
}

// Signed serves an extension endpoint (under /_chimed/) with the API's
// authentication, interceptors (a rate limit counts these calls too) and
// error format. The interceptors see the operation "chimed:" + the route's
// pattern.
func (h *Handler) Signed(fn SignedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, caller, err := h.authenticate(r)
		if err == nil {
			err = h.intercept(r, "chimed:"+r.Pattern, caller)
		}
		if err == nil {
			err = checkPathValues(r)
		}
		if err == nil {
			var status int
			var out any
			if status, out, err = fn(r, caller, body); err == nil {
				WriteResult(w, status, out)
				return
			}
		}
		WriteError(w, r, err)
	})
}

// checkPathValues holds an extension's path IDs to the API's limit on IDs:
// a longer one names nothing, and its 404 would echo it back whole.
func checkPathValues(r *http.Request) error {
	for _, name := range PatternWildcards(r.Pattern) {
		if n := utf8.RuneCountInString(r.PathValue(name)); n > model.MaxUnboundedString {
			return chime.BadRequest("%s: length must be at most %d, got %d", name, model.MaxUnboundedString, n)
		}
	}
	return nil
}

// PatternWildcards are the names of a ServeMux pattern's wildcards
// ("roomId" in ".../rooms/{roomId}/webhooks"), in order.
func PatternWildcards(pattern string) []string {
	var names []string
	for _, seg := range strings.Split(pattern, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			names = append(names, strings.TrimSuffix(strings.TrimSuffix(name, "}"), "..."))
		}
	}
	return names
}

// WriteResult writes a success: a JSON document, or no body for 204.
func WriteResult(w http.ResponseWriter, status int, out any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}
