package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/jobs"
	"github.com/chimed/chimed/internal/metrics"
)

// A handler that panics (a bug) is answered as an internal error with the
// request's ID, as any other, not with a dropped connection; one that had
// begun its answer has the connection dropped, so no truncated 200 passes.
func TestHandlerPanicIsAnInternalError(t *testing.T) {
	access, errs := &lockedBuffer{}, &lockedBuffer{}
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(errs, nil))) // as Run does: WriteError logs there
	s := &Server{log: slog.New(slog.NewTextHandler(access, nil)), metrics: metrics.New()}
	srv := httptest.NewServer(withRequestID(s.observed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/begun" {
			w.Write([]byte(`{"User":`))
		}
		panic("bad record")
	}))))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/fresh")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Code, Message string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 500 || resp.Header.Get("x-amzn-ErrorType") != "ServiceFailureException" || body.Code != "ServiceFailure" ||
		resp.Header.Get("x-amzn-RequestId") == "" || strings.Contains(body.Message, "bad record") {
		t.Fatalf("got %d %v %+v, want a ServiceFailureException with a request ID and no detail", resp.StatusCode, resp.Header, body)
	}

	resp, err = http.Get(srv.URL + "/begun")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("an answer cut short by a panic was read whole")
	}
	srv.Close() // waits for the handlers, and their log lines
	logged, _ := errs.read()
	if !strings.Contains(logged, "panic: bad record") || !strings.Contains(logged, "panic after the answer began: bad record") {
		t.Errorf("the panics' log:\n%s\nwant both, with their stacks", logged)
	}
	if lines, _ := access.read(); !regexp.MustCompile(`path=/begun .*status=500`).MatchString(lines) {
		t.Errorf("access log:\n%s\nwant the cut-short request as a 500", lines)
	}
}

// A background job that panics counts as a failed run.
func TestJobPanicCountsAsFailed(t *testing.T) {
	m := metrics.New()
	task := timedJobs(m, []jobs.Task{{Name: "bad", Run: func(context.Context) (int, error) { panic("bad record") }}})[0]
	func() {
		defer func() { recover() }() // as the job runner does
		task.Run(context.Background())
	}()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := `chimed_job_runs_total{job="bad",outcome="failed"} 1`; !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("metrics lack %s:\n%s", want, rec.Body.String())
	}
}

// Timing a job leaves it as it was otherwise: a job that runs once a minute
// on the ticker (retention) must not be run every second once timed.
func TestTimedJobsKeepMinInterval(t *testing.T) {
	in := jobs.Task{Name: "enforce-retention", Run: func(context.Context) (int, error) { return 0, nil }, MinInterval: time.Minute}
	if got := timedJobs(metrics.New(), []jobs.Task{in})[0]; got.Name != in.Name || got.MinInterval != in.MinInterval {
		t.Fatalf("timed task %q runs at least every %v, want %q every %v", got.Name, got.MinInterval, in.Name, in.MinInterval)
	}
}

// accessLogOf serves one GET of path by h, observed as the server's routes
// are, and returns the JSON access log it wrote.
func accessLogOf(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	access := &lockedBuffer{}
	s := &Server{log: slog.New(slog.NewJSONHandler(access, nil)), metrics: metrics.New()}
	srv := httptest.NewServer(withRequestID(s.observed(h)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Close() // waits for the handler, and its log line
	lines, _ := access.read()
	return lines
}

// The access log shows the path as the client sent it: decoded, an escaped
// slash would read as a segment boundary that the router never saw.
func TestAccessLogPathAsSent(t *testing.T) {
	if lines := accessLogOf(t, http.NotFoundHandler(), "/accounts/a%2Fb/users"); !strings.Contains(lines, `"path":"/accounts/a%2Fb/users"`) {
		t.Fatalf("access log:\n%s\nwant the path as sent", lines)
	}
}

// The access log's line of an answer is at ERROR for a 5xx, else at INFO,
// so that alerts on the log's errors see the server's failures only.
func TestAccessLogLevelByStatus(t *testing.T) {
	for _, tt := range []struct {
		status int
		level  string
	}{
		{200, "INFO"},
		{404, "INFO"},
		{499, "INFO"},
		{500, "ERROR"},
		{503, "ERROR"},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			lines := accessLogOf(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
			}), "/x")
			var line struct {
				Level  string `json:"level"`
				Status int    `json:"status"`
			}
			if err := json.Unmarshal([]byte(lines), &line); err != nil || line.Status != tt.status || line.Level != tt.level {
				t.Fatalf("access log %q, want status %d at %s", lines, tt.status, tt.level)
			}
		})
	}
}

// scrape returns the value of each series m exports, by its name and labels
// as the Prometheus text format writes them.
func scrape(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	series := map[string]float64{}
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(strings.TrimSpace(line[i+1:]), 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series
}

// A request counts once, by its status class, with its time in seconds,
// and is in flight while it is served only.
func TestRequestMetrics(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: metrics.New()}
	entered, leave := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-leave
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(withRequestID(s.observed(mux)))
	defer srv.Close()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/slow")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-entered
	if got := scrape(t, s.metrics)["chimed_requests_in_flight"]; got != 1 {
		t.Errorf("in flight while served: %v, want 1", got)
	}
	close(leave)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	srv.Close() // waits for the handler, and its metrics

	got := scrape(t, s.metrics)
	for series, want := range map[string]float64{
		"chimed_requests_in_flight": 0,
		`chimed_requests_total{error_code="",operation="chimed:GET /slow",status_class="5xx"}`: 1,
		`chimed_request_duration_seconds_count{operation="chimed:GET /slow"}`:                  1,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (exported: %v), want %v", series, v, ok, want)
		}
	}
	// In seconds: the handler took 20 ms and more.
	if sum := got[`chimed_request_duration_seconds_sum{operation="chimed:GET /slow"}`]; sum < 0.02 || sum > 10 {
		t.Errorf("request duration sum %v s, want the handler's 0.02 s and more, in seconds", sum)
	}
}

// nopStore runs no transaction; timedStore times it all the same.
type nopStore struct{ chime.Store }

func (nopStore) Update(context.Context, func(chime.Tx) error) error { return nil }
func (nopStore) View(context.Context, func(chime.Tx) error) error   { return nil }
func (nopStore) Lookup(context.Context, func(chime.Tx) error) error { return nil }

// Each store transaction is timed under its own kind.
func TestStoreTransactionsByKind(t *testing.T) {
	m := metrics.New()
	s := timedStore{nopStore{}, m}
	ctx := context.Background()
	s.Update(ctx, nil)
	for range 2 {
		s.View(ctx, nil)
	}
	for range 3 {
		s.Lookup(ctx, nil)
	}
	got := scrape(t, m)
	for kind, want := range map[string]float64{"update": 1, "view": 2, "lookup": 3} {
		if n := got[`chimed_store_transaction_seconds_count{kind="`+kind+`"}`]; n != want {
			t.Errorf("%s transactions counted: %v, want %v", kind, n, want)
		}
	}
}

// Each job run counts under its outcome, and is timed.
func TestJobRunsByOutcome(t *testing.T) {
	m := metrics.New()
	tasks := timedJobs(m, []jobs.Task{
		{Name: "fine", Run: func(context.Context) (int, error) { return 1, nil }},
		{Name: "broken", Run: func(context.Context) (int, error) { return 0, errors.New("database gone") }},
	})
	for _, task := range tasks {
		task.Run(context.Background())
	}
	got := scrape(t, m)
	for series, want := range map[string]float64{
		`chimed_job_runs_total{job="fine",outcome="ok"}`:       1,
		`chimed_job_runs_total{job="broken",outcome="failed"}`: 1,
		`chimed_job_runs_total{job="fine",outcome="failed"}`:   0,
		`chimed_job_runs_total{job="broken",outcome="ok"}`:     0,
		`chimed_job_duration_seconds_count{job="fine"}`:        1,
		`chimed_job_duration_seconds_count{job="broken"}`:      1,
	} {
		if v := got[series]; v != want {
			t.Errorf("%s = %v, want %v", series, v, want)
		}
	}
}
