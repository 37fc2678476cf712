package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/bench"
)

func TestVerdict(t *testing.T) {
	report := func(res bench.Result) []*bench.Report {
		return []*bench.Report{{Store: "sqlite", Scale: 1000, Results: []bench.Result{res}}}
	}
	tests := []struct {
		name     string
		res      bench.Result
		minRatio float64
		wantFail bool
	}{
		{"above the floor", bench.Result{Workload: "GetUser", Ratio: 0.5}, 0.35, false},
		{"below the floor", bench.Result{Workload: "GetUser", Ratio: 0.3}, 0.35, true},
		{"at the floor", bench.Result{Workload: "GetUser", Ratio: 0.35}, 0.35, false},
		// Numbers with failed requests in them cannot be trusted, floor or not.
		{"chimed's requests failed", bench.Result{Workload: "GetUser", Ratio: 0.5, Chimed: bench.Stats{Errors: 1}}, 0, true},
		{"the baseline's requests failed", bench.Result{Workload: "GetUser", Ratio: 0.5, Baseline: bench.Stats{Errors: 1}}, 0, true},
		{"skipped, no floor", bench.Result{Workload: "GetUser", Skipped: "not implemented"}, 0, false},
		// A guard must not pass because the operation it guards is gone.
		{"skipped under a floor", bench.Result{Workload: "GetUser", Skipped: "not implemented"}, 0.35, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := verdict(report(tt.res), tt.minRatio); (err != nil) != tt.wantFail {
				t.Fatalf("verdict: %v, want failure %v", err, tt.wantFail)
			}
		})
	}
}

// TestParse checks the command line's validation: a run that would measure
// nothing meaningful, or a --min-ratio no ratio can be compared with, is
// refused before anything starts.
func TestParse(t *testing.T) {
	const target = "--target=http://127.0.0.1:8080"
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string // what the error is about; "" for none
		scales  []int
	}{
		{"defaults", nil, "", []int{1000}},
		{"scales", []string{"--scale", "1k,100k,1M"}, "", []int{1000, 100_000, 1_000_000}},
		{"scales with spaces", []string{"--scale", "1k, 1M"}, "", []int{1000, 1_000_000}},
		{"bad scale", []string{"--scale", "1k,2G"}, "scale", nil},
		{"no clients", []string{"--clients", "0"}, "-clients", nil},
		{"no rounds", []string{"--rounds", "0"}, "-rounds", nil},
		{"100ms a round", []string{"--duration", "300ms", "--rounds", "3"}, "", []int{1000}},
		{"less than 100ms a round", []string{"--duration", "299ms", "--rounds", "3"}, "-duration", nil},
		{"negative warm-up", []string{"--warmup", "-1ns"}, "-warmup", nil},
		{"no warm-up", []string{"--warmup", "0s"}, "", []int{1000}},
		{"min-ratio 1", []string{"--min-ratio", "1"}, "", []int{1000}},
		{"min-ratio above 1", []string{"--min-ratio", "1.01"}, "-min-ratio", nil},
		{"negative min-ratio", []string{"--min-ratio", "-0.1"}, "-min-ratio", nil},
		{"NaN min-ratio", []string{"--min-ratio", "NaN"}, "-min-ratio", nil},
		{"target", []string{target}, "", []int{1000}},
		{"target at two scales", []string{target, "--scale", "1k,1M"}, "-target", nil},
		{"target with a db", []string{target, "--db", "seed.db"}, "-target", nil},
		{"target with two dbs", []string{target, "--db", "", "--db", ""}, "-target", nil},
		{"unknown workload", []string{"--workloads", "GetUser,nope"}, "unknown workload", nil},
		{"argument", []string{"extra"}, "unexpected argument", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parse: %v, want an error about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !slices.Equal(o.scales, tt.scales) {
				t.Errorf("scales %v, want %v", o.scales, tt.scales)
			}
		})
	}
}
