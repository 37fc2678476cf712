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
	"strings"
	"sync"
	"time"
)

// Task is one kind of background work. Run does whatever is due now, in
// batches of a bounded size, and says how many records it handled.
type Task struct {
	Name string
	Run  func(ctx context.Context) (int, error)
	// MinInterval, if longer than the Runner's interval, is how often the
	// ticker runs the task instead: for work whose cost grows with the data
	// even when nothing is due, and whose lateness by that much no one can
	// tell. UntilIdle runs it whenever it is called.
	MinInterval time.Duration
}

// maxPasses bounds UntilIdle: a task that always reports work must not hold
// the caller for ever.
const maxPasses = 1000

// Runner runs a set of tasks. On the ticker each task runs on its own, so
// that a slow one (bot deliveries waiting on their targets, 2 s each) holds
// back neither order fulfilment nor the renewal of dial-out leases. A task's
// runs never overlap. A run of the whole set (UntilIdle: a test, or the test
// API moving the clock) waits for the runs under way and holds the ticker's
// back until it is done, so it finds due work done, not leased by a run that
// has not finished. Tasks already run side by side on several instances,
// each claiming its work in a transaction, so they may here too.
type Runner struct {
	log   *slog.Logger
	tasks []Task
	// locks has a mutex per task, held by each run of it; a run of the
	// set holds them all, taken in order.
	locks []sync.Mutex
}

// NewRunner returns a Runner of tasks that logs their failures to log.
func NewRunner(log *slog.Logger, tasks ...Task) *Runner {
	return &Runner{log: log, tasks: tasks, locks: make([]sync.Mutex, len(tasks))}
}

// Every runs each task once per interval until ctx is done. A failing task
// is logged and tried again on the next tick; it does not stop the others.
//
// The first run waits one interval too, so that a long interval means no
// background work at all: tests that move a fake clock and run the jobs
// themselves rely on that.
func (r *Runner) Every(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	for i := range r.tasks {
		wg.Go(func() {
			ticker := time.NewTicker(max(interval, r.tasks[i].MinInterval))
			defer ticker.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-ticker.C:
					r.locks[i].Lock()
					r.runLogged(ctx, r.tasks[i]) // a failure is tried again on the next tick
					r.locks[i].Unlock()
				}
			}
		})
	}
	wg.Wait()
}

// UntilIdle runs every task again and again until a run handles nothing:
// everything due is done when it returns nil, however many batches it took.
// Otherwise its error names the tasks that failed in that last run (their
// work is still due; why is logged), says that work was still due after
// maxPasses runs, or is ctx's.
func (r *Runner) UntilIdle(ctx context.Context) error {
	for i := range r.locks {
		r.locks[i].Lock()
		defer r.locks[i].Unlock()
	}
	for range maxPasses {
		handled, failed := r.once(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case handled == 0 && len(failed) > 0:
			return fmt.Errorf("background jobs failed: %s (the log says why)", strings.Join(failed, ", "))
		case handled == 0:
			return nil
		}
	}
	r.log.Warn("background jobs still had due work after many runs", "runs", maxPasses)
	return fmt.Errorf("background jobs still had due work after %d runs", maxPasses)
}

// once runs every task once and says how many records they handled, and
// which tasks failed.
func (r *Runner) once(ctx context.Context) (handled int, failed []string) {
	for _, t := range r.tasks {
		if ctx.Err() != nil {
			break
		}
		n, ok := r.runLogged(ctx, t)
		handled += n
		if !ok {
			failed = append(failed, t.Name)
		}
	}
	return handled, failed
}

// runLogged runs t and logs its failure; it says how many records t
// handled, and whether it ran without failing.
func (r *Runner) runLogged(ctx context.Context, t Task) (int, bool) {
	n, err := r.run(ctx, t)
	if err != nil && ctx.Err() == nil {
		r.log.Error("background job failed", "job", t.Name, "err", err)
	}
	return n, err == nil
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
