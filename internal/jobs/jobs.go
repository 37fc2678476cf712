// Package jobs runs the server's background lifecycles (purging deleted
// accounts, and later order fulfilment, deletion queues, retention) on a
// fixed interval. Each task finds its due work in the database, so pending
// work survives a restart.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Task is one kind of background work. Run does whatever is due now.
type Task struct {
	Name string
	Run  func(ctx context.Context) error
}

// Run runs every task once per interval until ctx is done. A failing task is
// logged and tried again on the next tick; it does not stop the others.
//
// The first run waits one interval too, so that a long interval means no
// background work at all: tests that move a fake clock and run the jobs
// themselves rely on that, since a run racing theirs would take their work.
func Run(ctx context.Context, interval time.Duration, log *slog.Logger, tasks ...Task) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			RunOnce(ctx, log, tasks...)
		}
	}
}

// RunOnce runs every task once.
func RunOnce(ctx context.Context, log *slog.Logger, tasks ...Task) {
	for _, t := range tasks {
		if ctx.Err() != nil {
			return
		}
		if err := t.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("background job failed", "job", t.Name, "err", err)
		}
	}
}
