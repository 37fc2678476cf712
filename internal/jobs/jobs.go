// Package jobs runs the server's background lifecycles (purging deleted
// accounts, order fulfilment, deletion queues, retention, bot deliveries) on
// a fixed interval. Each task finds its due work in the database, so pending
// work survives a restart.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Task is one kind of background work. Run does whatever is due now, in
// batches of a bounded size, and says how many records it handled.
type Task struct {
	Name string
	Run  func(ctx context.Context) (int, error)
}

// maxPasses bounds UntilIdle: a task that always reports work must not hold
// the caller for ever.
const maxPasses = 1000

// Runner runs a set of tasks, one run of the set at a time: the ticker's
// and a test's (the test API moving the clock) never interleave, so a test
// that runs the jobs finds its due work done, not leased by a run under way.
type Runner struct {
	mu    sync.Mutex
	log   *slog.Logger
	tasks []Task
}

// NewRunner returns a Runner of tasks that logs their failures to log.
func NewRunner(log *slog.Logger, tasks ...Task) *Runner {
	return &Runner{log: log, tasks: tasks}
}

// Every runs the tasks once per interval until ctx is done. A failing task
// is logged and tried again on the next tick; it does not stop the others.
//
// The first run waits one interval too, so that a long interval means no
// background work at all: tests that move a fake clock and run the jobs
// themselves rely on that.
func (r *Runner) Every(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			r.Once(ctx)
		}
	}
}

// Once runs every task once.
func (r *Runner) Once(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.once(ctx)
}

// UntilIdle runs every task again and again until a run handles nothing:
// everything due is done when it returns, however many batches it took.
func (r *Runner) UntilIdle(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range maxPasses {
		if r.once(ctx) == 0 || ctx.Err() != nil {
			return
		}
	}
	r.log.Warn("background jobs still had due work after many runs", "runs", maxPasses)
}

// once runs every task once and says how many records they handled.
func (r *Runner) once(ctx context.Context) int {
	handled := 0
	for _, t := range r.tasks {
		if ctx.Err() != nil {
			break
		}
		n, err := r.run(ctx, t)
		if err != nil && ctx.Err() == nil {
			r.log.Error("background job failed", "job", t.Name, "err", err)
		}
		handled += n
	}
	return handled
}

// run runs one task, turning a panic into its error: one bad record must not
// take the server down, again after every restart.
func (r *Runner) run(ctx context.Context, t Task) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return t.Run(ctx)
}
