// Command chimebench measures chimed under SigV4-signed load against a bare
// net/http baseline in the same run. See the README's Performance section.
//
//	go run ./cmd/chimebench --scale 1k,1M --duration 10s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/chimed/chimed/internal/bench"
	"github.com/chimed/chimed/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The client and the baseline server share this process. At Go's
	// default GOGC the client's collections took a seventh of its CPU, on
	// the cores the servers need, and paused requests it was timing. With
	// chimed's own setting the baseline collects as rarely as chimed does.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(server.GCPercent)
	}
	if os.Getenv(bench.ServeBaselineEnv) != "" {
		// Started by --baseline-process: be the baseline and nothing else.
		if err := bench.ServeBaseline(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "chimebench baseline:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "chimebench:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	scales    []int
	dbs       []string
	workloads []bench.Workload
	asJSON    bool
	seedOnly  bool
	minRatio  float64
	cfg       bench.Config
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("chimebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: chimebench [flags]\n\nDrives chimed and a bare net/http baseline with the same SigV4-signed client loop and reports\nrequests/s, latency and the chimed/baseline ratio per workload.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	scales := fs.String("scale", "1k", "users in the benchmark account, comma-separated for several runs (1k, 100k, 1M)")
	fs.Func("db", "SQLite seed file (default: cached in $TMPDIR/chimebench), or postgres://... of a server whose role may create databases; repeat for side-by-side runs", func(s string) error {
		o.dbs = append(o.dbs, s)
		return nil
	})
	workloads := fs.String("workloads", "all", "comma-separated workloads: "+strings.Join(names(), ", ")+", or all")
	fs.IntVar(&o.cfg.Clients, "clients", 16, "concurrent keep-alive clients")
	fs.DurationVar(&o.cfg.Duration, "duration", 10*time.Second, "how long each workload drives each server")
	fs.IntVar(&o.cfg.Rounds, "rounds", 3, "rounds the duration is split into, alternating chimed and the baseline")
	fs.BoolVar(&o.cfg.BaselineProcess, "baseline-process", false, "run the baseline in a process of its own, as chimed runs, instead of in this one")
	fs.DurationVar(&o.cfg.Warmup, "warmup", time.Second, "unmeasured load on each server before each workload")
	fs.StringVar(&o.cfg.Target, "target", "", "URL of a running chimed to drive (no seeding, no start); it must serve a --seed-only database of the same --scale")
	fs.StringVar(&o.cfg.Chimed, "chimed", "", "chimed binary to run (default: go build ./cmd/chimed)")
	fs.StringVar(&o.cfg.ProfileDir, "profile", "", "directory to save chimed's CPU and allocation profiles of each workload in")
	fs.BoolVar(&o.asJSON, "json", false, "print the reports as JSON instead of tables")
	fs.BoolVar(&o.seedOnly, "seed-only", false, "only make (or check) the seed of each --scale and --db, and say how to serve it")
	fs.Float64Var(&o.minRatio, "min-ratio", 0, "fail when a workload's chimed/baseline ratio is below this")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for s := range strings.SplitSeq(*scales, ",") {
		n, err := bench.ParseScale(strings.TrimSpace(s))
		if err != nil {
			return o, err
		}
		o.scales = append(o.scales, n)
	}
	var err error
	if o.workloads, err = bench.WorkloadsNamed(*workloads); err != nil {
		return o, err
	}
	if len(o.dbs) == 0 {
		o.dbs = []string{""}
	}
	switch {
	case o.cfg.Clients < 1:
		return o, errors.New("-clients: must be at least 1")
	case o.cfg.Rounds < 1:
		return o, errors.New("-rounds: must be at least 1")
	case o.cfg.Duration < time.Duration(o.cfg.Rounds)*100*time.Millisecond:
		return o, errors.New("-duration: must give each round at least 100ms")
	case o.cfg.Warmup < 0:
		return o, errors.New("-warmup: must not be negative")
	case !(o.minRatio >= 0 && o.minRatio <= 1): // NaN too, which no ratio is below
		return o, errors.New("-min-ratio: must be between 0 and 1")
	case o.cfg.Target != "" && (len(o.dbs) > 1 || o.dbs[0] != "" || len(o.scales) > 1):
		return o, errors.New("-target: give one --scale and no --db (the target serves its own database)")
	}
	return o, nil
}

func names() []string {
	var out []string
	for _, w := range bench.Workloads() {
		out = append(out, w.Name)
	}
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.seedOnly {
		return seedOnly(ctx, o, stdout)
	}
	if o.cfg.Chimed == "" && o.cfg.Target == "" {
		// Build once for every run.
		dir, remove, err := bench.TempDir("chimebench-bin-")
		if err != nil {
			return err
		}
		defer remove()
		fmt.Fprintln(stderr, "chimebench: building chimed")
		if o.cfg.Chimed, err = bench.BuildChimed(ctx, dir); err != nil {
			return err
		}
	}
	var reports []*bench.Report
	for _, db := range o.dbs {
		for _, scale := range o.scales {
			cfg := o.cfg
			cfg.Scale, cfg.DB, cfg.Workloads, cfg.Progress = scale, db, o.workloads, stderr
			if cfg.ProfileDir != "" && (len(o.dbs) > 1 || len(o.scales) > 1) {
				cfg.ProfileDir = filepath.Join(cfg.ProfileDir, fmt.Sprintf("%s-%s", storeOf(db), bench.Scale(scale)))
			}
			rep, err := bench.Run(ctx, cfg)
			if err != nil {
				return err
			}
			reports = append(reports, rep)
			if !o.asJSON {
				if err := bench.WriteTable(stdout, rep); err != nil {
					return err
				}
			}
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else if err := bench.WriteComparison(stdout, reports); err != nil {
		return err
	}
	return verdict(reports, o.minRatio)
}

// verdict fails a run whose numbers cannot be trusted (failed requests) or
// that fell below --min-ratio.
func verdict(reports []*bench.Report, minRatio float64) error {
	var errs []error
	for _, rep := range reports {
		if n := rep.Errors(); n > 0 {
			errs = append(errs, fmt.Errorf("%s %s: %d requests failed", rep.Store, bench.Scale(rep.Scale), n))
		}
		for _, res := range rep.Results {
			if res.Skipped != "" && minRatio > 0 {
				// A guard must not pass because chimed stopped serving
				// the operation it guards.
				errs = append(errs, fmt.Errorf("%s %s %s: skipped (%s), so the floor %.2f was not checked", rep.Store, bench.Scale(rep.Scale), res.Workload, res.Skipped, minRatio))
				continue
			}
			if res.Skipped == "" && res.Ratio < minRatio {
				errs = append(errs, fmt.Errorf("%s %s %s: ratio %.2f is below the floor %.2f", rep.Store, bench.Scale(rep.Scale), res.Workload, res.Ratio, minRatio))
			}
		}
	}
	return errors.Join(errs...)
}

func storeOf(db string) string {
	if bench.IsPostgres(db) {
		return "postgres"
	}
	return "sqlite"
}

// seedOnly makes the seeds and says how to serve one for --target.
func seedOnly(ctx context.Context, o options, stdout io.Writer) error {
	for _, db := range o.dbs {
		for _, scale := range o.scales {
			f := bench.NewFixture(scale)
			if bench.IsPostgres(db) {
				seed, took, err := bench.EnsurePostgresSeed(ctx, db, f)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s users: PostgreSQL database %s (seeded in %.1fs); serve a copy: CREATE DATABASE run TEMPLATE %s\n",
					bench.Scale(scale), seed, took.Seconds(), seed)
				continue
			}
			path := db
			if path == "" {
				path = bench.DefaultSeedPath(scale)
			}
			took, err := bench.EnsureSQLiteSeed(ctx, path, f)
			if err != nil {
				return err
			}
			creds := path + ".credentials.json"
			if err := bench.WriteCredentials(creds, f); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s users: %s (seeded in %.1fs); serve a copy:\n  cp %s /tmp/chimebench.db && chimed --db /tmp/chimebench.db --credentials %s\n",
				bench.Scale(scale), path, took.Seconds(), path, creds)
		}
	}
	return nil
}
