package main

import (
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
