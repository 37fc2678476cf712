package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
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
		in   string
		want int // 0: refused
	}{
		{"1000", 1000}, {"1k", 1000}, {"100k", 100_000}, {"1M", 1_000_000}, {"250", 250},
		{"", 0}, {"0", 0}, {"-5", 0}, {"k", 0}, {"1m", 0}, {"2G", 0}, {"101M", 0},
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
		if back := Scale(got); back != tc.in && tc.in != "1000" {
			t.Errorf("Scale(%d) = %q, want %q", got, back, tc.in)
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
	if _, err := PrepareSQLite(ctx, seed, filepath.Join(dir, "run3.db"), NewFixture(60)); err == nil {
		t.Error("a seed of 50 users was used for 60")
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
	var out strings.Builder
	// The second run is slower, but so was its baseline: relative to the
	// first it stands at 0.40/0.50.
	if err := WriteComparison(&out, []*Report{run("sqlite", 1000, 5000, 0.5), run("postgres", 1_000_000, 2000, 0.4)}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	var getUser, search string
	for _, l := range lines {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "GetUser":
			getUser = strings.Join(f, " ")
		case len(f) > 0 && f[0] == "SearchAvailablePhoneNumbers":
			search = strings.Join(f, " ")
		}
	}
	if want := "GetUser 5000 4.00 0.50 1.00 2000 4.00 0.40 0.80"; getUser != want {
		t.Errorf("GetUser row %q, want %q\n%s", getUser, want, out.String())
	}
	if want := "SearchAvailablePhoneNumbers - - - - - - - -"; search != want {
		t.Errorf("skipped row %q, want %q", search, want)
	}
}

// fixedGen asks for the same path again and again.
type fixedGen struct{}

func (fixedGen) next() request {
	return request{method: http.MethodGet, target: "/x", want: http.StatusOK}
}
func (fixedGen) observe([]byte) {}

// TestMeasureAlternatesAndCountsWarmupErrors checks that odd rounds start
// with the baseline, and that a request failing during the warm-up counts
// as an error of the run.
func TestMeasureAlternatesAndCountsWarmupErrors(t *testing.T) {
	var mu sync.Mutex
	var turns []string // which server answered, one entry per change
	var chimedCalls int
	serve := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if len(turns) == 0 || turns[len(turns)-1] != name {
				turns = append(turns, name)
			}
			if name == "chimed" {
				chimedCalls++
				if chimedCalls == 1 {
					http.Error(w, "not warm yet", http.StatusInternalServerError)
					return
				}
			}
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
}
