package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/server"
	"github.com/chimed/chimed/internal/store/sqlite"
)

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.999, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3), 0.5, 2 * time.Millisecond},
		{"median of even is the lower", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p99.9 of 100 is the largest", ms(hundred...), 0.999, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := quantile(tc.sorted, tc.q); got != tc.want {
				t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func TestParseScale(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  int    // 0: refused
		scale string // Scale(want), when not in
	}{
		{"1000", 1000, "1k"}, {"1k", 1000, ""}, {"1K", 1000, "1k"}, {"100k", 100_000, ""}, {"1M", 1_000_000, ""}, {"250", 250, ""},
		{"1500k", 1_500_000, ""}, {"2500000", 2_500_000, "2500k"}, {"100M", 100_000_000, ""},
		{"", 0, ""}, {"0", 0, ""}, {"-5", 0, ""}, {"k", 0, ""}, {"1m", 0, ""}, {"2G", 0, ""}, {"101M", 0, ""}, {"100001k", 0, ""},
	} {
		got, err := ParseScale(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseScale(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseScale(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		want := tc.in
		if tc.scale != "" {
			want = tc.scale
		}
		if back := Scale(got); back != want {
			t.Errorf("Scale(%d) = %q, want %q", got, back, want)
		}
	}
}

func TestFixtureIDs(t *testing.T) {
	f := NewFixture(1000)
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{f.AccountID: true}
	var ids, emails []string
	for i := range f.Scale {
		id := f.UserID(i)
		if !v4.MatchString(id) {
			t.Fatalf("UserID(%d) = %q, not a version 4 UUID", i, id)
		}
		if seen[id] {
			t.Fatalf("UserID(%d) = %q is used twice", i, id)
		}
		seen[id] = true
		ids, emails = append(ids, id), append(emails, f.Email(i))
	}
	// In index order, the seeder appends to both indexes.
	if !slices.IsSorted(ids) || !slices.IsSorted(emails) {
		t.Error("user IDs and emails are not in index order")
	}
	if NewFixture(5).UserID(3) != f.UserID(3) {
		t.Error("a user's ID depends on the scale: cached seeds would not match")
	}
}

func TestPagerFollowsNextToken(t *testing.T) {
	f := NewFixture(10)
	first := "/accounts/" + f.AccountID + "/users?max-results=100"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"next page", `{"Users":[{"DisplayName":"a \"NextToken\":\"x\""}],"NextToken":"djEAdXNlcnM-_"}`, first + "&next-token=djEAdXNlcnM-_"},
		{"last page", `{"Users":[{"DisplayName":"a \"NextToken\":\"x\""}]}`, first},
		{"empty", `{}`, first},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pager{f: f, token: "previous"}
			p.observe([]byte(tc.body))
			if got := p.next().target; got != tc.want {
				t.Errorf("next target = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMixDrawsByWeight(t *testing.T) {
	f := NewFixture(100)
	g := newGens(mix, f, 1)[0]
	mux := baselineRoutes()
	counts := map[string]int{}
	const n = 20_000
	for range n {
		r := g.next()
		counts[operationOf(t, mux, r)]++
		g.observe([]byte(`{}`))
	}
	for _, p := range mixParts {
		share := float64(counts[p.w.Name]) / n * 100
		if share < float64(p.weight)-2 || share > float64(p.weight)+2 {
			t.Errorf("%s: %.1f%% of requests, want %d%%", p.w.Name, share, p.weight)
		}
	}
}

// baselineRoutes is a mux with the baseline's routes.
func baselineRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, w := range Workloads() {
		if w.route != "" {
			mux.Handle(w.route, http.NotFoundHandler())
		}
	}
	return mux
}

// operationOf names the operation of a request by the baseline's routes.
func operationOf(t *testing.T, mux *http.ServeMux, r request) string {
	t.Helper()
	req, err := http.NewRequest(r.method, "http://bench"+r.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, pattern := mux.Handler(req)
	for _, w := range Workloads() {
		if w.route != "" && w.route == pattern {
			return w.Name
		}
	}
	t.Fatalf("%s %s matches no workload's route", r.method, r.target)
	return ""
}

func TestSeedBuildsUsersAsCreateUser(t *testing.T) {
	ctx := context.Background()
	f := NewFixture(seedBatch + 5) // two transactions
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "seed.db"), sqlite.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Seed(ctx, db, f, 2); err != nil {
		t.Fatal(err)
	}
	if err := checkFixture(ctx, db, f); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx chime.Tx) error {
		for _, i := range []int{0, seedBatch, f.Scale - 1} {
			u, err := tx.GetUser(f.AccountID, f.UserID(i))
			if err != nil {
				return err
			}
			if u.Email != f.Email(i) || u.LicenseType != model.LicensePro || u.RegistrationStatus != model.RegistrationStatusRegistered ||
				len(u.PersonalPIN) != 10 || u.RegisteredOn == nil || !u.InboundCalling {
				t.Errorf("user %d = %+v, not a user as CreateUser makes them", i, u)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPrepareSQLiteReusesTheSeed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.db")
	f := NewFixture(50)
	first, err := PrepareSQLite(ctx, seed, filepath.Join(dir, "run1.db"), f)
	if err != nil {
		t.Fatal(err)
	}
	if first.SeedTime == 0 {
		t.Error("the first run did not seed")
	}
	second, err := PrepareSQLite(ctx, seed, filepath.Join(dir, "run2.db"), f)
	if err != nil {
		t.Fatal(err)
	}
	if second.SeedTime != 0 {
		t.Error("the second run seeded again instead of reusing the seed")
	}
	// A seed of another scale under the same name is refused, not used.
	for _, scale := range []int{60, 40} {
		if _, err := PrepareSQLite(ctx, seed, filepath.Join(dir, "run3.db"), NewFixture(scale)); err == nil {
			t.Errorf("a seed of 50 users was used for %d", scale)
		}
	}
	for _, d := range []*Database{first, second} {
		if err := d.Drop(); err != nil {
			t.Error(err)
		}
	}
}

// TestRunAgainstServer drives every workload briefly against an in-process
// chimed on a seeded database: every request the workloads make must
// succeed, and the report must carry numbers for each.
func TestRunAgainstServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := NewFixture(300)
	db, err := PrepareSQLite(ctx, filepath.Join(dir, "seed.db"), filepath.Join(dir, "run.db"), f)
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "credentials.json")
	if err := WriteCredentials(creds, f); err != nil {
		t.Fatal(err)
	}
	srv, err := server.Start(ctx, server.Config{Addr: "127.0.0.1:0", DB: db.DSN, Credentials: creds, JobInterval: time.Hour, LogOutput: io.Discard}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	rep, err := Run(ctx, Config{Scale: f.Scale, Clients: 2, Duration: 400 * time.Millisecond, Rounds: 2, Workloads: Workloads(), Target: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Store != "target" || rep.Scale != f.Scale || rep.Clients != 2 || rep.Seconds != 0.4 || rep.Rounds != 2 {
		t.Errorf("report of the run: %+v", rep)
	}
	if len(rep.Results) != len(Workloads()) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(Workloads()))
	}
	for _, res := range rep.Results {
		if res.Skipped != "" {
			t.Logf("%s skipped: %s", res.Workload, res.Skipped)
			continue
		}
		if res.Chimed.Errors+res.Baseline.Errors > 0 {
			t.Errorf("%s: errors: %s %s", res.Workload, res.Chimed.FirstError, res.Baseline.FirstError)
		}
		if res.Chimed.Requests == 0 || res.Baseline.Requests == 0 || res.Ratio <= 0 || res.Chimed.P50ms <= 0 {
			t.Errorf("%s: no measurements: %+v", res.Workload, res)
		}
	}
}

func TestWriteComparisonNormalisesByBaseline(t *testing.T) {
	run := func(store string, scale int, perSec, ratio float64) *Report {
		return &Report{Store: store, Scale: scale, Results: []Result{
			{Workload: "GetUser", Chimed: Stats{PerSec: perSec, P99ms: 4}, Ratio: ratio},
			{Workload: "SearchAvailablePhoneNumbers", Skipped: "not implemented"},
		}}
	}
	// A third run skipped GetUser, which the first did not.
	skipped := run("postgres", 100_000, 0, 0)
	skipped.Results[0].Skipped = "not implemented"
	// The first run's baseline answered nothing to ListUsers: no ratio.
	reports := []*Report{run("sqlite", 1000, 5000, 0.5), run("postgres", 1_000_000, 2000, 0.4), skipped}
	for i, r := range reports {
		r.Results = append(r.Results, Result{Workload: "ListUsers", Chimed: Stats{PerSec: 100, P99ms: 20}, Ratio: float64(i) / 10})
	}
	var out strings.Builder
	// The second run is slower, but so was its baseline: relative to the
	// first it stands at 0.40/0.50.
	if err := WriteComparison(&out, reports); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	var getUser, search, listUsers string
	for _, l := range lines {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "GetUser":
			getUser = strings.Join(f, " ")
		case len(f) > 0 && f[0] == "SearchAvailablePhoneNumbers":
			search = strings.Join(f, " ")
		case len(f) > 0 && f[0] == "ListUsers":
			listUsers = strings.Join(f, " ")
		}
	}
	if want := "GetUser 5000 4.00 0.50 1.00 2000 4.00 0.40 0.80 - - - -"; getUser != want {
		t.Errorf("GetUser row %q, want %q\n%s", getUser, want, out.String())
	}
	if want := "SearchAvailablePhoneNumbers - - - - - - - - - - - -"; search != want {
		t.Errorf("skipped row %q, want %q", search, want)
	}
	if want := "ListUsers - - - - - - - - - - - -"; listUsers != want {
		t.Errorf("row without a first ratio %q, want %q", listUsers, want)
	}
}

// fixedGen asks for the same path again and again.
type fixedGen struct{}

func (fixedGen) next() request {
	return request{method: http.MethodGet, target: "/x", want: http.StatusOK}
}
func (fixedGen) observe([]byte) {}

// TestMeasureAlternatesAndCountsWarmupErrors checks that odd rounds start
// with the baseline, that a request failing during the warm-up counts
// as an error of the run, that the warm-up's requests are not measured, and
// that the rounds share the duration.
func TestMeasureAlternatesAndCountsWarmupErrors(t *testing.T) {
	var mu sync.Mutex
	var turns []string // which server answered, one entry per change
	var answered []int // requests answered 200 in each turn
	var chimedCalls int
	serve := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if len(turns) == 0 || turns[len(turns)-1] != name {
				turns = append(turns, name)
				answered = append(answered, 0)
			}
			if name == "chimed" {
				chimedCalls++
				if chimedCalls == 1 {
					http.Error(w, "not warm yet", http.StatusInternalServerError)
					return
				}
			}
			answered[len(answered)-1]++
			io.WriteString(w, "{}")
		}))
	}
	chimedSrv, baseSrv := serve("chimed"), serve("baseline")
	defer chimedSrv.Close()
	defer baseSrv.Close()

	c := newClient(NewFixture(10), 1)
	chimedT := &target{base: chimedSrv.URL, gens: []generator{fixedGen{}}}
	baseT := &target{base: baseSrv.URL, gens: []generator{fixedGen{}}}
	cfg := Config{Duration: 200 * time.Millisecond, Rounds: 2, Warmup: 50 * time.Millisecond}
	var res Result
	if err := measure(context.Background(), cfg, c, Workload{Name: "test"}, chimedT, baseT, nil, &res); err != nil {
		t.Fatal(err)
	}
	want := []string{"chimed", "baseline", "chimed", "baseline", "chimed"} // warm-up, round 0, round 1
	if !slices.Equal(turns, want) {
		t.Errorf("servers ran in the order %v, want %v", turns, want)
	}
	if res.Chimed.Errors != 1 || !strings.Contains(res.Chimed.FirstError, "status 500") {
		t.Errorf("chimed errors %d (%q), want the warm-up's one failure", res.Chimed.Errors, res.Chimed.FirstError)
	}
	if res.Baseline.Errors != 0 || res.Chimed.Requests == 0 || res.Baseline.Requests == 0 {
		t.Errorf("measurements: %+v", res)
	}
	if len(answered) == len(want) {
		// The turns after the warm-up's two: chimed's rounds are the third
		// and fifth, the baseline's both in the fourth.
		if got, want := res.Chimed.Requests, answered[2]+answered[4]; got != want {
			t.Errorf("chimed: %d requests measured, want the %d of its rounds (the warm-up's %d are not)", got, want, answered[0])
		}
		if got, want := res.Baseline.Requests, answered[3]; got != want {
			t.Errorf("baseline: %d requests measured, want the %d of its rounds (the warm-up's %d are not)", got, want, answered[1])
		}
	}
	// The rounds share the duration; each may overrun its slice by its last
	// request only.
	for _, s := range []Stats{res.Chimed, res.Baseline} {
		if s.Seconds < cfg.Duration.Seconds() || s.Seconds > 1.5*cfg.Duration.Seconds() {
			t.Errorf("%v s measured, want the %v of the duration", s.Seconds, cfg.Duration)
		}
	}
	if want := res.Chimed.PerSec / res.Baseline.PerSec; res.Ratio != want {
		t.Errorf("ratio %v, want chimed's req/s over the baseline's, %v", res.Ratio, want)
	}
}

// TestSampleStats pins the figures of a report row: requests and req/s
// count the answered requests only, over the elapsed time; the percentiles
// are nearest-rank over the sorted latencies, in ms to the µs; the CPU
// figures are µs per answered request.
func TestSampleStats(t *testing.T) {
	var lat []time.Duration
	for i := 1000; i >= 1; i-- { // not sorted: stats must sort them
		lat = append(lat, time.Duration(i)*100*time.Microsecond)
	}
	for _, tc := range []struct {
		name string
		s    sample
		want Stats
	}{
		{"none", sample{}, Stats{}},
		{"a thousand, five failed", sample{
			latencies: lat, errors: 5, firstErr: errors.New("status 503"), elapsed: 4 * time.Second,
			clientCPU: 30 * time.Millisecond, serverCPU: 50 * time.Millisecond,
		}, Stats{
			Requests: 1000, Errors: 5, Seconds: 4, PerSec: 250, P50ms: 50, P99ms: 99, P999ms: 99.9,
			ClientCPUus: 30, ServerCPUus: 50, FirstError: "status 503",
		}},
		{"sub-millisecond", sample{latencies: []time.Duration{1500 * time.Microsecond}, elapsed: 500 * time.Millisecond},
			Stats{Requests: 1, Seconds: 0.5, PerSec: 2, P50ms: 1.5, P99ms: 1.5, P999ms: 1.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.stats(); got != tc.want {
				t.Errorf("stats() =\n%+v, want\n%+v", got, tc.want)
			}
		})
	}
}

// TestSampleAddSumsRounds checks that a workload's rounds add up: every
// latency, the errors, the times, and the first error of all.
func TestSampleAddSumsRounds(t *testing.T) {
	first, second := errors.New("first"), errors.New("second")
	rounds := []sample{
		{latencies: []time.Duration{3 * time.Millisecond}, errors: 1, firstErr: first, elapsed: time.Second, clientCPU: time.Millisecond, serverCPU: 2 * time.Millisecond},
		{},
		{latencies: []time.Duration{1 * time.Millisecond, 2 * time.Millisecond}, errors: 2, firstErr: second, elapsed: 2 * time.Second, clientCPU: 2 * time.Millisecond, serverCPU: 4 * time.Millisecond},
	}
	var s sample
	for _, r := range rounds {
		s.add(r)
	}
	want := Stats{Requests: 3, Errors: 3, Seconds: 3, PerSec: 1, P50ms: 2, P99ms: 3, P999ms: 3, ClientCPUus: 1000, ServerCPUus: 2000, FirstError: "first"}
	if got := s.stats(); got != want {
		t.Errorf("three rounds: stats() =\n%+v, want\n%+v", got, want)
	}
}

// TestDriveTimesAndCounts checks one worker's sample: a request still
// running at the deadline is waited for and counted in the elapsed time
// (req/s divides by that, not by the configured duration); an answer of
// another status than a success's is an error, not a latency; and with no
// server process (pid 0) all the CPU is the client's.
func TestDriveTimesAndCounts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		status       int
		delay, d     time.Duration
		wantRequests bool
	}{
		{"slow answer past the deadline", http.StatusOK, 150 * time.Millisecond, 10 * time.Millisecond, true},
		{"non-2xx answers", http.StatusServiceUnavailable, 0, 50 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(tc.delay)
				w.WriteHeader(tc.status)
				io.WriteString(w, "{}")
			}))
			defer srv.Close()
			c := newClient(NewFixture(10), 1)
			defer c.close()
			s, err := drive(context.Background(), c, &target{base: srv.URL, gens: []generator{fixedGen{}}}, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantRequests {
				if len(s.latencies) != 1 || s.errors != 0 {
					t.Fatalf("%d requests, %d errors; want 1 and 0", len(s.latencies), s.errors)
				}
				if s.elapsed < tc.delay {
					t.Errorf("elapsed %v, want at least the answer's %v", s.elapsed, tc.delay)
				}
			} else if len(s.latencies) != 0 || s.errors == 0 || !strings.Contains(s.firstErr.Error(), "status 503") {
				t.Errorf("%d requests, %d errors (first %v); want none and some for the 503s", len(s.latencies), s.errors, s.firstErr)
			}
			if s.clientCPU <= 0 || s.serverCPU != 0 {
				t.Errorf("client CPU %v, server CPU %v; want some and none (no server process)", s.clientCPU, s.serverCPU)
			}
		})
	}
}

// TestListStartsSpreadsWorkers walks a listing of ten pages: each worker
// starts at its own page, spread evenly over it.
func TestListStartsSpreadsWorkers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 0
		if tok := r.URL.Query().Get("next-token"); tok != "" {
			page, _ = strconv.Atoi(strings.TrimPrefix(tok, "p"))
		}
		if page < 9 {
			fmt.Fprintf(w, `{"Users":[],"NextToken":"p%d"}`, page+1)
			return
		}
		io.WriteString(w, `{"Users":[]}`)
	}))
	defer srv.Close()
	c := newClient(NewFixture(10), 1)
	defer c.close()
	starts, err := listStarts(context.Background(), c, srv.URL, NewFixture(1000), 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "p2", "p5", "p7"}; !slices.Equal(starts, want) {
		t.Errorf("starts %q, want %q", starts, want)
	}
}

// TestWriteTable checks the table's columns, its summary lines, and what it
// leaves out when driving a target (chimed's CPU and memory are unknown).
func TestWriteTable(t *testing.T) {
	report := func(store string, seedSeconds float64, baselineProcess bool) *Report {
		return &Report{Store: store, Scale: 1_000_000, Clients: 16, Seconds: 6, Rounds: 3, GOMAXPROCS: 2, BaselineProcess: baselineProcess,
			SeedSeconds: seedSeconds, StartupMs: 25.4, MemoryReady: Memory{RSSMB: 29.04, PeakMB: 30.1}, MemoryEnd: Memory{RSSMB: 137.06, PeakMB: 144.07},
			Results: []Result{
				{Workload: "GetUser",
					Chimed:   Stats{PerSec: 21342.4, P50ms: 1.234, P99ms: 3.6, P999ms: 9.87, Errors: 2, ServerCPUus: 51.4, ClientCPUus: 60.2, FirstError: "status 500"},
					Baseline: Stats{PerSec: 40000, P50ms: 0.5, P99ms: 2.5, P999ms: 3, Errors: 1, ServerCPUus: 7, ClientCPUus: 40, FirstError: "status 503"},
					Ratio:    0.5336, Memory: Memory{RSSMB: 55.2, PeakMB: 60}},
				{Workload: "SearchAvailablePhoneNumbers", Skipped: "not implemented"},
			}}
	}
	for _, tc := range []struct {
		name   string
		r      *Report
		want   []string // lines, with their runs of spaces as one
		absent string
	}{
		{"seeded", report("sqlite", 12.34, false), []string{
			"sqlite, 1M users, 16 clients, 6s per workload and server in 3 rounds, GOMAXPROCS 2, baseline in chimebench's process",
			"seeded in 12.3s; chimed ready 25 ms after start; RSS 29.0 MB when ready, 137.1 MB at the end (peak 144.1 MB)",
			"workload req/s p50 ms p99 ms p99.9 ms errors baseline req/s baseline p99 ms ratio chimed CPU µs/req client CPU µs/req RSS MB",
			"GetUser 21342 1.23 3.60 9.87 3 40000 2.50 0.53 51 60 55",
			"SearchAvailablePhoneNumbers: skipped: not implemented",
			"GetUser: chimed's first error: status 500",
			"GetUser: baseline's first error: status 503",
		}, ""},
		{"cached seed", report("postgres", 0, true), []string{
			"postgres, 1M users, 16 clients, 6s per workload and server in 3 rounds, GOMAXPROCS 2, baseline in a process of its own",
			"cached seed; chimed ready 25 ms after start; RSS 29.0 MB when ready, 137.1 MB at the end (peak 144.1 MB)",
		}, "seeded"},
		{"target", report("target", 0, false), []string{
			"GetUser 21342 1.23 3.60 9.87 3 40000 2.50 0.53 - 60 -",
		}, "chimed ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			if err := WriteTable(&out, tc.r); err != nil {
				t.Fatal(err)
			}
			var lines []string
			for l := range strings.Lines(out.String()) {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			for _, w := range tc.want {
				if !slices.Contains(lines, w) {
					t.Errorf("no line %q in\n%s", w, out.String())
				}
			}
			if tc.absent != "" && strings.Contains(out.String(), tc.absent) {
				t.Errorf("%q in\n%s", tc.absent, out.String())
			}
		})
	}
}

// TestReportJSON pins the names of the --json report's fields, which
// scripts read.
func TestReportJSON(t *testing.T) {
	stats := Stats{Requests: 1, Errors: 2, Seconds: 3, PerSec: 4, P50ms: 5, P99ms: 6, P999ms: 7, ClientCPUus: 8, ServerCPUus: 9, FirstError: "e"}
	r := Report{Store: "sqlite", Scale: 1000, Clients: 16, Seconds: 6, Rounds: 3, GOMAXPROCS: 2, BaselineProcess: true, SeedSeconds: 1.5,
		StartupMs: 20, MemoryReady: Memory{RSSMB: 29, PeakMB: 30}, MemoryEnd: Memory{RSSMB: 137, PeakMB: 144},
		Results: []Result{
			{Workload: "GetUser", Note: "n", Chimed: stats, Baseline: Stats{}, Ratio: 0.5, Memory: Memory{RSSMB: 50, PeakMB: 60}},
			{Workload: "mix", Skipped: "why"},
		}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"store":"sqlite","scale":1000,"clients":16,"seconds_per_workload_and_server":6,"rounds":3,"gomaxprocs":2,` +
		`"baseline_process":true,"seed_seconds":1.5,"startup_ms":20,"memory_ready":{"rss_mb":29,"peak_rss_mb":30},` +
		`"memory_end":{"rss_mb":137,"peak_rss_mb":144},"results":[` +
		`{"workload":"GetUser","note":"n","chimed":{"requests":1,"errors":2,"seconds":3,"requests_per_second":4,` +
		`"p50_ms":5,"p99_ms":6,"p999_ms":7,"client_cpu_us_per_request":8,"server_cpu_us_per_request":9,"first_error":"e"},` +
		`"baseline":{"requests":0,"errors":0,"seconds":0,"requests_per_second":0,"p50_ms":0,"p99_ms":0,"p999_ms":0,"client_cpu_us_per_request":0},` +
		`"ratio":0.5,"memory":{"rss_mb":50,"peak_rss_mb":60}},` +
		`{"workload":"mix","note":"","skipped":"why","chimed":{"requests":0,"errors":0,"seconds":0,"requests_per_second":0,` +
		`"p50_ms":0,"p99_ms":0,"p999_ms":0,"client_cpu_us_per_request":0},"baseline":{"requests":0,"errors":0,"seconds":0,` +
		`"requests_per_second":0,"p50_ms":0,"p99_ms":0,"p999_ms":0,"client_cpu_us_per_request":0},"ratio":0,"memory":{"rss_mb":0,"peak_rss_mb":0}}]}`
	if string(b) != want {
		t.Errorf("JSON report\n%s\nwant\n%s", b, want)
	}
}
