package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/chimed/chimed/internal/chime"
)

// maxGroup bounds how many read-write transactions commit together.
const maxGroup = 64

// groupCommit runs the read-write transactions of an engine that has one
// writer at a time (SQLite) in groups: the transactions waiting for the
// writer when it comes free run one after the other in one database
// transaction, each inside a savepoint of its own, and the group commits
// once. The commit's sync to disk, most of a small write's cost, is paid
// once per group instead of once per transaction. Each caller returns only
// after the group's commit, so an acknowledged write is as durable as
// before; a transaction that fails is rolled back to its savepoint and
// leaves the others' writes in place. Running them one after the other
// keeps each transaction's view exactly what it would be alone, in that
// order.
type groupCommit struct {
	// leader, a channel of one, is held by the caller committing a group.
	leader chan struct{}
	mu     sync.Mutex
	queue  []*pendingUpdate
}

// pendingUpdate is a read-write transaction waiting for its group.
type pendingUpdate struct {
	ctx context.Context
	fn  func(chime.Tx) error
	err error
	// panicked is what fn panicked with; the caller panics again with it,
	// in its own goroutine.
	panicked any
	done     chan struct{}
}

func newGroupCommit() *groupCommit {
	return &groupCommit{leader: make(chan struct{}, 1)}
}

// groupUpdate queues fn and waits until a group ran it and committed. The
// caller that takes the leader's place commits the queued group itself.
func (db *DB) groupUpdate(ctx context.Context, fn func(chime.Tx) error) error {
	g := db.group
	p := &pendingUpdate{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	g.mu.Unlock()
	for {
		// A caller whose context ends keeps waiting: its transaction is
		// either skipped (the leader checks the context first) or already
		// running, and the caller must not report a failure for a write
		// that then commits.
		select {
		case <-p.done:
			if p.panicked != nil {
				panic(p.panicked)
			}
			return p.err
		case g.leader <- struct{}{}:
			db.commitGroup(g.take())
			<-g.leader
		}
	}
}

// take removes up to maxGroup transactions from the head of the queue.
func (g *groupCommit) take() []*pendingUpdate {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.queue), maxGroup)
	batch := make([]*pendingUpdate, n)
	copy(batch, g.queue)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	return batch
}

// commitGroup runs a group in one transaction and commits it.
func (db *DB) commitGroup(batch []*pendingUpdate) {
	defer func() {
		for _, p := range batch {
			close(p.done)
		}
	}()
	if len(batch) == 0 {
		return
	}
	if err := db.check(); err != nil {
		fail(batch, err)
		return
	}
	if len(batch) == 1 {
		// Alone, a transaction needs no savepoint.
		p := batch[0]
		if p.err = p.ctx.Err(); p.err == nil {
			p.err, p.panicked = db.tryAlone(p)
		}
		return
	}
	// The group's transaction outlives any one caller's context.
	sqlTx, err := db.write.BeginTx(context.Background(), db.dialect.UpdateOptions)
	if err != nil {
		fail(batch, fmt.Errorf("begin: %w", err))
		return
	}
	var ran []*pendingUpdate
	for _, p := range batch {
		if p.err = p.ctx.Err(); p.err != nil {
			continue
		}
		if err := db.runInSavepoint(sqlTx, p); err != nil {
			// The transaction is in no state to go on: nothing commits.
			sqlTx.Rollback()
			fail(batch, err)
			return
		}
		if p.err == nil && p.panicked == nil {
			ran = append(ran, p)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(ran, fmt.Errorf("commit: %w", err))
	}
}

// tryAlone runs one transaction as try does, catching a panic.
func (db *DB) tryAlone(p *pendingUpdate) (err error, panicked any) {
	defer func() { panicked = recover() }()
	_, err = db.try(p.ctx, db.write, db.dialect.UpdateOptions, p.fn)
	return err, nil
}

// runInSavepoint runs p's transaction inside a savepoint of the group's,
// setting p.err (and p.panicked); it returns an error only when the group's
// transaction cannot go on. Statements run without p's cancellation: SQLite
// answers an interrupted write by rolling back the whole transaction, the
// group's.
func (db *DB) runInSavepoint(sqlTx *sql.Tx, p *pendingUpdate) error {
	ctx := context.WithoutCancel(p.ctx)
	if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT grouped`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	t := &tx{tx: sqlTx, ctx: ctx, dialect: db.dialect, stmts: db.stmts[db.write]}
	p.err, p.panicked = call(p.fn, t)
	if p.err != nil || p.panicked != nil {
		if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT grouped`); err != nil {
			return fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, `RELEASE SAVEPOINT grouped`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func call(fn func(chime.Tx) error, t *tx) (err error, panicked any) {
	defer func() { panicked = recover() }()
	return fn(t), nil
}

// fail gives err to each transaction of the group that has no failure of
// its own.
func fail(batch []*pendingUpdate, err error) {
	for _, p := range batch {
		if p.err == nil && p.panicked == nil {
			p.err = err
		} else if p.err != nil && !errors.Is(p.err, err) {
			p.err = errors.Join(p.err, err)
		}
	}
}
