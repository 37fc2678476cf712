package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
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

// A task with a MinInterval longer than the ticker's runs that often on the
// ticker, while the others keep the ticker's pace; UntilIdle still runs it.
func TestMinIntervalSlowsATaskOnTheTicker(t *testing.T) {
	var fast, slow atomic.Int32
	r := NewRunner(quiet,
		Task{Name: "fast", Run: func(context.Context) (int, error) { fast.Add(1); return 0, nil }},
		Task{Name: "slow", Run: func(context.Context) (int, error) { slow.Add(1); return 0, nil }, MinInterval: time.Hour},
	)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r.Every(ctx, 10*time.Millisecond)
	if fast.Load() == 0 || slow.Load() != 0 {
		t.Fatalf("in 300ms at 10ms: fast ran %d times, slow (an hour) %d, want some and none", fast.Load(), slow.Load())
	}
	if err := r.UntilIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if slow.Load() != 1 {
		t.Fatalf("UntilIdle ran the slow task %d times, want once", slow.Load())
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
	if err := NewRunner(quiet, batch).UntilIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if backlog != 0 {
		t.Fatalf("%d records left", backlog)
	}
}

// UntilIdle says which tasks failed in its last run, so that a caller does
// not take their work for done; a task that failed once and then worked is
// no failure.
func TestUntilIdleNamesTheTasksThatFailed(t *testing.T) {
	flaky := 1
	r := NewRunner(quiet,
		Task{Name: "panics", Run: func(context.Context) (int, error) { panic("bad record") }},
		Task{Name: "flaky", Run: func(context.Context) (int, error) {
			if flaky > 0 {
				flaky--
				return 0, errors.New("busy")
			}
			return 0, nil
		}},
		Task{Name: "busy", Run: func() func(context.Context) (int, error) {
			left := 3
			return func(context.Context) (int, error) { left--; return max(left, 0), nil }
		}()},
	)
	err := r.UntilIdle(context.Background())
	if err == nil || !strings.Contains(err.Error(), "panics") || strings.Contains(err.Error(), "flaky") {
		t.Fatalf("UntilIdle = %v, want the panicking task named and not the one that recovered", err)
	}
}

// A task that always reports work ends UntilIdle with an error after
// maxPasses runs instead of holding the caller for ever.
func TestUntilIdleGivesUp(t *testing.T) {
	runs := 0
	r := NewRunner(quiet, Task{Name: "endless", Run: func(context.Context) (int, error) { runs++; return 1, nil }})
	if err := r.UntilIdle(context.Background()); err == nil || runs != maxPasses {
		t.Fatalf("UntilIdle = %v after %d runs, want an error after %d", err, runs, maxPasses)
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
	for range 2 {
		if err := r.UntilIdle(context.Background()); err == nil || !strings.Contains(err.Error(), "panics, fails") {
			t.Fatalf("UntilIdle = %v, want the two failing tasks named", err)
		}
	}
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
		if err := r.UntilIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
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
