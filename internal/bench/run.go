package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"runtime"
	"time"
)

// Config is one benchmark run: one scale on one store.
type Config struct {
	Scale   int
	Clients int
	// Duration is how long each workload drives each server, split into
	// Rounds that alternate between chimed and the baseline, so that a
	// change in the machine's load (other processes) falls on both.
	Duration time.Duration
	Rounds   int
	// BaselineProcess runs the baseline in a process of its own
	// (StartBaselineProcess) instead of in this one.
	BaselineProcess bool
	// Warmup drives each server before the measured rounds.
	Warmup    time.Duration
	Workloads []Workload
	// DB is the SQLite seed file ("" = DefaultSeedPath) or a PostgreSQL
	// server's URL whose role may create databases.
	DB string
	// Target is the URL of a running chimed to drive instead of starting
	// one; it must serve a database seeded for the same scale (see
	// cmd/chimebench -seed-only).
	Target string
	// Chimed is the chimed binary to run (BuildChimed makes one); unused
	// with a Target.
	Chimed string
	// ProfileDir, when set, receives chimed's CPU profile of each workload
	// and its allocation profiles before and after it.
	ProfileDir string
	// Progress receives a line per step.
	Progress io.Writer
}

// Report is what a run measured.
type Report struct {
	Store      string  `json:"store"`
	Scale      int     `json:"scale"`
	Clients    int     `json:"clients"`
	Seconds    float64 `json:"seconds_per_workload_and_server"`
	Rounds     int     `json:"rounds"`
	GOMAXPROCS int     `json:"gomaxprocs"`
	// BaselineProcess says the baseline ran in a process of its own.
	BaselineProcess bool `json:"baseline_process"`
	// SeedSeconds is how long seeding took (0: a cached seed was used).
	SeedSeconds float64 `json:"seed_seconds"`
	// StartupMs is the time from starting chimed to its first 200 from
	// /readyz; MemoryReady and MemoryEnd its memory then and after the
	// last workload. All zero when driving a Target.
	StartupMs   float64  `json:"startup_ms"`
	MemoryReady Memory   `json:"memory_ready"`
	MemoryEnd   Memory   `json:"memory_end"`
	Results     []Result `json:"results"`
}

// Result is one workload's measurements.
type Result struct {
	Workload string `json:"workload"`
	Note     string `json:"note"`
	// Skipped says why the workload was not run.
	Skipped  string `json:"skipped,omitempty"`
	Chimed   Stats  `json:"chimed"`
	Baseline Stats  `json:"baseline"`
	// Ratio is chimed's requests per second over the baseline's.
	Ratio float64 `json:"ratio"`
	// Memory is chimed's after the workload (zero when driving a Target).
	Memory Memory `json:"memory"`
}

// Errors is how many requests failed in the whole report.
func (r *Report) Errors() int {
	n := 0
	for _, res := range r.Results {
		n += res.Chimed.Errors + res.Baseline.Errors
	}
	return n
}

// Run seeds (or reuses a seed), starts chimed and the baseline, and drives
// every workload.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	f := NewFixture(cfg.Scale)
	rep := &Report{Store: "target", Scale: cfg.Scale, Clients: cfg.Clients, Seconds: cfg.Duration.Seconds(), Rounds: cfg.Rounds, GOMAXPROCS: runtime.GOMAXPROCS(0), BaselineProcess: cfg.BaselineProcess}
	chimedURL, pid := cfg.Target, 0
	var srv *Chimed
	if cfg.Target == "" {
		dir, remove, err := TempDir("chimebench-run-")
		if err != nil {
			return nil, err
		}
		defer remove()
		db, err := prepare(ctx, cfg, f, dir, rep)
		if err != nil {
			return nil, err
		}
		defer db.Drop()
		if srv, err = start(ctx, cfg, f, dir, db); err != nil {
			return nil, err
		}
		defer srv.Stop()
		chimedURL, pid = srv.URL, srv.Pid()
		rep.StartupMs = float64(srv.Ready.Microseconds()) / 1000
		if rep.MemoryReady, err = memoryOf(pid); err != nil {
			return nil, err
		}
		progress(cfg, "chimed ready %.0f ms after start, RSS %.1f MB", rep.StartupMs, rep.MemoryReady.RSSMB)
	}
	c := newClient(f, cfg.Clients)
	defer c.close()
	answers, skipped, err := probe(ctx, c, chimedURL, f, cfg.Workloads)
	if err != nil {
		return nil, err
	}
	startBaseline := StartBaseline
	if cfg.BaselineProcess {
		startBaseline = StartBaselineProcess
	}
	baseline, err := startBaseline(answers)
	if err != nil {
		return nil, err
	}
	defer baseline.Close()
	if _, served := answers[listUsers.Name]; served {
		walked := time.Now()
		if f.ListStarts, err = listStarts(ctx, c, chimedURL, f, cfg.Clients); err != nil {
			return nil, err
		}
		progress(cfg, "walked the user listing in %.1f s to spread the ListUsers workers over it", time.Since(walked).Seconds())
	}
	for _, w := range cfg.Workloads {
		res := Result{Workload: w.Name, Note: w.Note}
		for _, op := range w.operations() {
			if why, ok := skipped[op.Name]; ok {
				res.Skipped = why
			}
		}
		if res.Skipped == "" {
			chimedT := &target{base: chimedURL, pid: pid, gens: newGens(w, f, cfg.Clients)}
			baseT := &target{base: baseline.URL, pid: baseline.Pid, gens: newGens(w, f, cfg.Clients)}
			if err := measure(ctx, cfg, c, w, chimedT, baseT, srv, &res); err != nil {
				return nil, err
			}
			if srv != nil {
				if res.Memory, err = memoryOf(pid); err != nil {
					return nil, err
				}
			}
		}
		progress(cfg, "%s", summary(res))
		rep.Results = append(rep.Results, res)
	}
	if srv != nil {
		if rep.MemoryEnd, err = memoryOf(pid); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// prepare makes the run's database, seeding it when no seed is cached.
func prepare(ctx context.Context, cfg Config, f Fixture, dir string, rep *Report) (*Database, error) {
	var db *Database
	var err error
	if IsPostgres(cfg.DB) {
		rep.Store = "postgres"
		progress(cfg, "preparing a PostgreSQL database of %d users", f.Scale)
		db, err = PreparePostgres(ctx, cfg.DB, f)
	} else {
		rep.Store = "sqlite"
		seed := cfg.DB
		if seed == "" {
			seed = DefaultSeedPath(f.Scale)
		}
		progress(cfg, "preparing a SQLite database of %d users (seed %s)", f.Scale, seed)
		db, err = PrepareSQLite(ctx, seed, filepath.Join(dir, "chimed.db"), f)
	}
	if err != nil {
		return nil, fmt.Errorf("prepare database: %w", err)
	}
	rep.SeedSeconds = db.SeedTime.Seconds()
	if db.SeedTime > 0 {
		progress(cfg, "seeded %d users in %.1fs", f.Scale, rep.SeedSeconds)
	}
	return db, nil
}

// start starts chimed on db, accepting the fixture's key.
func start(ctx context.Context, cfg Config, f Fixture, dir string, db *Database) (*Chimed, error) {
	creds := filepath.Join(dir, "credentials.json")
	if err := WriteCredentials(creds, f); err != nil {
		return nil, err
	}
	return StartChimed(ctx, ChimedOptions{Binary: cfg.Chimed, DB: db.DSN, Credentials: creds, Pprof: cfg.ProfileDir != ""})
}

// probe sends each operation the workloads use once to chimed: its answer
// is what the baseline will give, and an operation chimed does not
// implement yet (501) is skipped. Any other failure stops the run: the
// numbers of a misconfigured run would mean nothing.
func probe(ctx context.Context, c *client, base string, f Fixture, workloads []Workload) (map[string]canned, map[string]string, error) {
	answers, skipped := map[string]canned{}, map[string]string{}
	for _, w := range workloads {
		for _, op := range w.operations() {
			if _, done := answers[op.Name]; done || skipped[op.Name] != "" {
				continue
			}
			r := op.newGen(f, 0, rand.New(rand.NewPCG(1, 1))).next()
			var buf bytes.Buffer
			a, err := c.do(ctx, base, r, &buf)
			switch {
			case err != nil:
				return nil, nil, fmt.Errorf("%s: %w", op.Name, err)
			case a.status == http.StatusNotImplemented:
				skipped[op.Name] = op.Name + " answers 501 NotImplemented (not implemented yet)"
			case a.status != r.want:
				return nil, nil, fmt.Errorf("%s %s %s: status %d, want %d: %.300s", op.Name, r.method, r.target, a.status, r.want, a.body)
			default:
				answers[op.Name] = canned{Status: a.status, Body: append([]byte(nil), a.body...)}
			}
		}
	}
	return answers, skipped, nil
}

// listStarts walks the user listing once and returns, for each of n
// workers, the NextToken of a page spread evenly over it. Workers that all
// started at the first page would read each page at nearly the same time,
// all but the first from SQLite's cache: at 1M users the listing would
// seem as fast as at 1k.
func listStarts(ctx context.Context, c *client, base string, f Fixture, n int) ([]string, error) {
	tokens := []string{""} // the first page's
	p := &pager{f: f}
	var buf bytes.Buffer
	for {
		a, err := c.expect(ctx, base, p.next(), &buf)
		if err != nil {
			return nil, fmt.Errorf("walking the user listing: %w", err)
		}
		p.observe(a.body)
		if p.token == "" {
			break
		}
		tokens = append(tokens, p.token)
	}
	starts := make([]string, n)
	for i := range starts {
		starts[i] = tokens[i*len(tokens)/n]
	}
	return starts, nil
}

// measure drives chimed and the baseline in alternating rounds. Odd rounds
// start with the baseline, so that neither server always runs first (right
// after the warm-up, or while the machine is busier with the other's
// leftovers).
func measure(ctx context.Context, cfg Config, c *client, w Workload, chimedT, baseT *target, srv *Chimed, res *Result) error {
	var chimedS, baseS sample
	type side struct {
		t *target
		s *sample
	}
	sides := [2]side{{chimedT, &chimedS}, {baseT, &baseS}}
	for _, ts := range sides {
		warm, err := drive(ctx, c, ts.t, cfg.Warmup)
		if err != nil {
			return err
		}
		// Warm-up requests are not timed, but one that fails is a failure
		// of the run all the same.
		ts.s.addErrors(warm)
	}
	var prof *profiler
	var cpu <-chan error
	if cfg.ProfileDir != "" && srv != nil {
		prof = &profiler{dir: cfg.ProfileDir, base: srv.PprofURL, workload: w.Name}
		if err := prof.allocs(ctx, "before"); err != nil {
			return err
		}
		// One profile over every round: chimed is idle, so not sampled,
		// while the baseline runs.
		cpu = prof.cpu(ctx, 2*cfg.Duration+time.Second)
	}
	slice := cfg.Duration / time.Duration(cfg.Rounds)
	for round := range cfg.Rounds {
		order := sides
		if round%2 == 1 {
			order = [2]side{sides[1], sides[0]}
		}
		for _, ts := range order {
			s, err := drive(ctx, c, ts.t, slice)
			if err != nil {
				return err
			}
			ts.s.add(s)
		}
	}
	if prof != nil {
		if err := <-cpu; err != nil {
			return err
		}
		if err := prof.allocs(ctx, "after"); err != nil {
			return err
		}
	}
	res.Chimed, res.Baseline = chimedS.stats(), baseS.stats()
	if res.Baseline.PerSec > 0 {
		res.Ratio = res.Chimed.PerSec / res.Baseline.PerSec
	}
	return nil
}

func summary(r Result) string {
	if r.Skipped != "" {
		return r.Workload + ": skipped: " + r.Skipped
	}
	s := fmt.Sprintf("%s: chimed %.0f req/s (p99 %.2f ms), baseline %.0f req/s, ratio %.2f",
		r.Workload, r.Chimed.PerSec, r.Chimed.P99ms, r.Baseline.PerSec, r.Ratio)
	if n := r.Chimed.Errors + r.Baseline.Errors; n > 0 {
		s += fmt.Sprintf("; %d errors, first: %s", n, errors.Join(errorOf(r.Chimed.FirstError), errorOf(r.Baseline.FirstError)))
	}
	return s
}

func errorOf(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

func progress(cfg Config, format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "chimebench: "+format+"\n", args...)
	}
}
