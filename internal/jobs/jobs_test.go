package jobs

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// The end-to-end tests start servers with an hour's interval and run the
// jobs themselves: a run of Run's own at start would race theirs.
func TestRunWaitsAnIntervalBeforeTheFirstRun(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		wantRuns bool
	}{
		{name: "an hour: nothing runs in 200ms", interval: time.Hour, wantRuns: false},
		{name: "10ms: runs within 200ms", interval: 10 * time.Millisecond, wantRuns: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs atomic.Int32
			task := Task{Name: "count", Run: func(context.Context) error { runs.Add(1); return nil }}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			Run(ctx, tt.interval, slog.New(slog.NewTextHandler(io.Discard, nil)), task)
			if got := runs.Load() > 0; got != tt.wantRuns {
				t.Fatalf("ran %d times, want runs: %v", runs.Load(), tt.wantRuns)
			}
		})
	}
}
