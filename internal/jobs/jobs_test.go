package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The end-to-end tests start servers with an hour's interval and run the
// jobs themselves: a run of Every's own at start would race theirs.
func TestEveryWaitsAnIntervalBeforeTheFirstRun(t *testing.T) {
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
			task := Task{Name: "count", Run: func(context.Context) (int, error) { runs.Add(1); return 0, nil }}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			NewRunner(quiet, task).Every(ctx, tt.interval)
			if got := runs.Load() > 0; got != tt.wantRuns {
				t.Fatalf("ran %d times, want runs: %v", runs.Load(), tt.wantRuns)
			}
		})
	}
}

// UntilIdle runs the tasks until a run handles nothing: a backlog larger
// than a task's batch is all done when it returns.
func TestUntilIdleDrainsEveryBatch(t *testing.T) {
	backlog := 250
	batch := Task{Name: "batch of 100", Run: func(context.Context) (int, error) {
		n := min(backlog, 100)
		backlog -= n
		return n, nil
	}}
	NewRunner(quiet, batch).UntilIdle(context.Background())
	if backlog != 0 {
		t.Fatalf("%d records left", backlog)
	}
}

// A panicking or failing task is logged; the others still run, and so does
// the next run.
func TestAPanickingTaskDoesNotStopTheOthers(t *testing.T) {
	var after atomic.Int32
	r := NewRunner(quiet,
		Task{Name: "panics", Run: func(context.Context) (int, error) { panic("bad record") }},
		Task{Name: "fails", Run: func(context.Context) (int, error) { return 0, errors.New("no database") }},
		Task{Name: "after", Run: func(context.Context) (int, error) { after.Add(1); return 0, nil }},
	)
	r.UntilIdle(context.Background())
	r.UntilIdle(context.Background())
	if after.Load() != 2 {
		t.Fatalf("the task after a panicking one ran %d times in 2 runs", after.Load())
	}
}

// A run asked for while the ticker's is under way waits for it, so it
// never finds due work leased by a run that has not finished; and the
// ticker's runs of one task never overlap.
func TestRunsDoNotInterleave(t *testing.T) {
	var inside, most atomic.Int32
	task := Task{Name: "slow", Run: func(context.Context) (int, error) {
		n := inside.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(5 * time.Millisecond)
		inside.Add(-1)
		return 0, nil
	}}
	r := NewRunner(quiet, task)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() { r.Every(ctx, time.Millisecond); close(done) }()
	for ctx.Err() == nil {
		r.UntilIdle(context.Background())
	}
	<-done
	if most.Load() != 1 {
		t.Fatalf("%d runs at once", most.Load())
	}
}

// On the ticker a slow task does not hold the others back: a bot delivery
// waiting on its targets must not delay an order's fulfilment.
func TestASlowTaskDoesNotHoldTheOthersBack(t *testing.T) {
	var quick atomic.Int32
	r := NewRunner(quiet,
		Task{Name: "slow", Run: func(context.Context) (int, error) { time.Sleep(time.Second); return 0, nil }},
		Task{Name: "quick", Run: func(context.Context) (int, error) { quick.Add(1); return 0, nil }},
	)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r.Every(ctx, 10*time.Millisecond)
	if quick.Load() < 5 {
		t.Fatalf("the quick task ran %d times in 300ms at a 10ms interval, beside a task taking 1s", quick.Load())
	}
}
