package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/jobs"
	"github.com/chimed/chimed/internal/metrics"
	"github.com/chimed/chimed/internal/wire"
)

// observed wraps the API: one log line and the request metrics per call. Only
// identifiers go into the log — never bodies, query strings (an incoming
// webhook's token travels there) or headers — so no secret can leak into it.
// Mutating calls also go to the audit trail.
func (s *Server) observed(next http.Handler) http.Handler {
	log, m := s.log, s.metrics
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		done := m.RequestStarted()
		defer done()
		ctx, x := wire.WithExchange(r.Context())
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		req := r.WithContext(ctx)
		aborted := serveRecovered(next, sw, req)
		took := time.Since(start)
		if x.Operation == "" && strings.Contains(req.Pattern, " ") {
			// An extension endpoint: its pattern ("GET /readyz") names it,
			// and its wildcards are the resources it acted on. The
			// catch-alls of unknown paths and methods name no method.
			x.Operation = "chimed:" + req.Pattern
			x.Labels = patternLabels(req)
		}
		requestID := w.Header().Get("x-amzn-RequestId")
		if isAudited(req, x) {
			s.audit.Record(auditEvent(req, x, sw.status, requestID, start))
		}
		if x.Operation == "" {
			// A path or method that names no operation: logged under the
			// name its metrics have.
			x.Operation = metrics.UnknownOperation
		}

		m.Request(x.Operation, sw.status, x.ErrorCode, took)
		if x.AuthFailed {
			m.AuthFailure(x.ErrorType)
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		// A refused signature has no AWS account to name: where it came
		// from, and the key it claims, tell someone guessing keys from a
		// broken client or a stale key.
		var source, key slog.Attr
		if x.AuthFailed {
			source = slog.String("source_ip", sourceIP(r))
			key = slog.String("access_key", s.verifier.ClaimedAccessKey(r))
		}
		logRequest(ctx, log.Handler(), level,
			slog.String("request_id", requestID),
			slog.String("operation", x.Operation),
			slog.String("method", r.Method),
			// As sent: decoded, a%2Fb would read as two segments.
			slog.String("path", r.URL.EscapedPath()),
			slog.String("aws_account", x.Caller.AwsAccountID),
			slog.String("principal", x.Caller.PrincipalARN),
			slog.Int("status", sw.status),
			slog.String("error_type", x.ErrorType),
			// An integer: slog's JSON handler writes a float through
			// json.Marshal, which costs as much as the other fields.
			slog.Int64("duration_us", took.Microseconds()),
			source, key, // empty, and left out, unless the signature was refused
		)
		if aborted {
			// The answer had begun: cut the connection, so that the
			// client sees no whole answer (net/http logs nothing more).
			panic(http.ErrAbortHandler)
		}
	})
}

// logRequest hands the access log's line to h. Logger.LogAttrs would also
// record the caller's program counter (runtime.Callers: a sixth of the
// line's cost) for a source that chimed's handlers never print. As with
// LogAttrs, a line the handler fails to write is dropped.
func logRequest(ctx context.Context, h slog.Handler, level slog.Level, attrs ...slog.Attr) {
	if !h.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	rec.AddAttrs(attrs...)
	_ = h.Handle(ctx, rec)
}

// serveRecovered runs next, and answers a handler's panic (a bug) as an
// internal error, logged with its stack under the request's ID, instead of
// the dropped connection net/http makes of it. Once the answer has begun it
// can only be cut short: the panic is logged and aborted says so, for the
// caller to drop the connection once the request is logged.
func serveRecovered(next http.Handler, sw *statusWriter, req *http.Request) (aborted bool) {
	defer func() {
		p := recover()
		switch {
		case p == nil:
		case p == http.ErrAbortHandler:
			aborted = true
		case sw.wrote:
			wire.LogInternalError(sw, req, fmt.Errorf("panic after the answer began: %v\n%s", p, debug.Stack()))
			sw.status, aborted = http.StatusInternalServerError, true
		default:
			wire.WriteError(sw, req, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
		}
	}()
	next.ServeHTTP(sw, req)
	return false
}

// patternLabels are the name, value pairs of the wildcards of the pattern
// that matched req ("{roomId}" in ".../rooms/{roomId}/webhooks").
func patternLabels(req *http.Request) []string {
	var labels []string
	for _, name := range wire.PatternWildcards(req.Pattern) {
		labels = append(labels, name, req.PathValue(name))
	}
	return labels
}

// statusWriter remembers the status written through it, and whether the
// answer has begun.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(status int) {
	w.status, w.wrote = status, true
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// timedStore measures every store transaction.
type timedStore struct {
	chime.Store
	m *metrics.Metrics
}

func (s timedStore) Update(ctx context.Context, fn func(chime.Tx) error) error {
	defer s.observe("update", time.Now())
	return s.Store.Update(ctx, fn)
}

func (s timedStore) View(ctx context.Context, fn func(chime.Tx) error) error {
	defer s.observe("view", time.Now())
	return s.Store.View(ctx, fn)
}

func (s timedStore) Lookup(ctx context.Context, fn func(chime.Tx) error) error {
	defer s.observe("lookup", time.Now())
	return s.Store.Lookup(ctx, fn)
}

func (s timedStore) observe(kind string, start time.Time) {
	s.m.StoreTransaction(kind, time.Since(start))
}

// errJobPanicked is the outcome recorded for a job run that panicked.
var errJobPanicked = errors.New("panicked")

// timedJobs records each background job run in the metrics. The tasks are
// otherwise as given (their MinInterval too).
func timedJobs(m *metrics.Metrics, tasks []jobs.Task) []jobs.Task {
	out := make([]jobs.Task, len(tasks))
	for i, t := range tasks {
		run := t.Run
		out[i] = t
		out[i].Run = func(ctx context.Context) (n int, err error) {
			start, panicked := time.Now(), true
			defer func() {
				// A panic goes on to the runner, which logs it; it is a
				// failed run all the same.
				if panicked {
					err = errJobPanicked
				}
				m.JobRun(t.Name, err, time.Since(start))
			}()
			n, err = run(ctx)
			panicked = false
			return n, err
		}
	}
	return out
}
