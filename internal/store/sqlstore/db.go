// Package sqlstore implements chime.Store in portable SQL over database/sql.
// The sqlite and postgres packages open a database with their driver and
// hand it here with a Dialect: what differs between the engines is said
// there, once.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	Name string
	// IsUniqueViolation reports whether err is the engine's unique or
	// primary-key constraint failure.
	IsUniqueViolation func(error) bool
	// IsRetryable reports whether err means the transaction lost a race with
	// another one (a serialization failure, a deadlock) and succeeds if run
	// again from the start. Nil when the engine never reports such a thing
	// (SQLite, whose writers are queued one at a time).
	IsRetryable func(error) bool
	// IsTimeout reports whether err means a statement ran past the
	// engine's time limit (PostgreSQL's statement_timeout): the database is
	// too busy for now, a 503 the SDKs retry, not an internal error. Nil
	// when the engine has no such limit.
	IsTimeout func(error) bool
	// IsConnectionLost reports whether err means the connection the
	// statement ran on is gone (the server ended the session, the network
	// broke). A transaction that failed so before its commit did nothing,
	// and runs again on another connection. Nil for engines without a
	// network (SQLite).
	IsConnectionLost func(error) bool
	// IsDiskFull reports whether err means the disk that holds the
	// database is full. The statement or commit that met it wrote nothing:
	// the request is a 503 until the operator frees space, not an internal
	// error, and not a commit of unknown outcome.
	IsDiskFull func(error) bool
	// UpdateOptions and ViewOptions begin read-write and read-only
	// transactions. A read-write transaction must see the database as if it
	// were alone, so that a rule checked on a read still holds at commit,
	// even against another chimed process on the same database.
	UpdateOptions, ViewOptions *sql.TxOptions
	// StatementSavepoints wraps each write in a savepoint, for engines
	// (PostgreSQL) where a failed statement aborts its whole transaction:
	// the service may go on after a refused write (a duplicate key, say), as
	// it can on SQLite.
	StatementSavepoints bool
	// MigrationLock, when set, is run first in each migration transaction
	// and takes a lock, held across processes until that transaction ends,
	// so that instances starting together migrate one after the other. The
	// migration transactions read what was committed before each statement
	// (the engine's default isolation), so the later instances see the
	// migration recorded once they hold the lock.
	MigrationLock string
	// PrepareStatements keeps each statement prepared on each connection,
	// for engines whose driver does not (SQLite; pgx caches them itself).
	PrepareStatements bool
	// GroupCommit commits concurrent read-write transactions together,
	// for engines with one writer at a time (SQLite).
	GroupCommit bool
	// Deadline, when set, bounds each Update, View and Lookup, its retries
	// included, for engines across a network (PostgreSQL): a server that
	// stops answering without closing its connections (a frozen primary, a
	// network black-holed during a fail-over) would otherwise hold the
	// request for as long as that lasts. Past it the request is a 503 the
	// SDKs retry.
	Deadline time.Duration
	// Check, when set, says whether the database is still the one opened
	// (SQLite: the file at its path is the file open). When it is not,
	// Ping fails and writes are refused: they could not last.
	Check func() error
	// Scrub, when set, is DB.Scrub on this engine: it makes what committed
	// transactions deleted or overwrote unrecoverable from the database's
	// files, through the write pool. It says false, without an error, when
	// readers kept it from finishing.
	Scrub func(ctx context.Context, write *sql.DB) (bool, error)
}

// maxAttempts bounds how often a transaction that keeps losing races, or a
// transaction or lookup whose connection keeps failing, is tried; the
// backoff between tries grows from retryBackoff up to maxRetryBackoff,
// randomised so that the racers do not meet again.
const (
	maxAttempts     = 12
	retryBackoff    = 2 * time.Millisecond
	maxRetryBackoff = 200 * time.Millisecond
)

// DB is a chime.Store. Writes go through write; reads through read, which may
// be the same pool (PostgreSQL) or a separate pool of readers (SQLite, whose
// single writer is serialised by a one-connection pool); lookups of one
// record by its key through lookup, which may be read itself.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	lookup  *sql.DB
	dialect Dialect
	// stmts are each pool's prepared statements, when the dialect wants
	// them; nil otherwise.
	stmts map[*sql.DB]*stmtCache
	// group commits concurrent read-write transactions together, when the
	// dialect wants it; nil otherwise.
	group *groupCommit
	// raw holds the connections of Pools.LocalLookups; nil without.
	raw *rawLookups
	// migrated is the last migration Migrate applied or found applied.
	migrated string
	// scrubDue says a scrub is yet to be finished (see Scrub).
	scrubDue atomic.Bool
}

var _ chime.Store = (*DB)(nil)

// Pools are the connections a DB runs its statements on; any two pools
// may be the same.
type Pools struct {
	// Write runs read-write transactions.
	Write *sql.DB
	// Read runs read-only transactions.
	Read *sql.DB
	// Lookup runs a Lookup's statement, unless LocalLookups is set.
	Lookup *sql.DB
	// LocalLookups, when set, opens the connections Lookups run on
	// instead of Lookup.
	LocalLookups *LocalLookups
}

// New wraps opened pools. Call Migrate before use.
func New(p Pools, d Dialect) *DB {
	db := &DB{write: p.Write, read: p.Read, lookup: p.Lookup, dialect: d}
	if p.LocalLookups != nil {
		db.raw = newRawLookups(p.LocalLookups)
	}
	if d.PrepareStatements {
		db.stmts = map[*sql.DB]*stmtCache{}
		for _, pool := range db.pools() {
			db.stmts[pool] = newStmtCache(pool)
		}
	}
	if d.GroupCommit {
		db.group = newGroupCommit()
	}
	return db
}

func (db *DB) Update(ctx context.Context, fn func(chime.Tx) error) error {
	if db.group != nil {
		// A group commits outside run, which answers for the others.
		return db.unavailable(ctx, db.groupUpdate(ctx, fn))
	}
	return db.within(ctx, func(ctx context.Context) error { return db.run(ctx, db.write, db.dialect.UpdateOptions, fn) })
}

func (db *DB) View(ctx context.Context, fn func(chime.Tx) error) error {
	return db.within(ctx, func(ctx context.Context) error { return db.run(ctx, db.read, db.dialect.ViewOptions, fn) })
}

func (db *DB) Lookup(ctx context.Context, fn func(chime.Tx) error) error {
	if db.raw == nil {
		return db.within(ctx, func(ctx context.Context) error {
			wait := retryBackoff
			for attempt := 1; ; attempt++ {
				err := fn(&tx{pool: db.lookup, ctx: ctx, dialect: db.dialect, stmts: db.stmts[db.lookup]})
				switch {
				case ctx.Err() != nil || !db.connectionLost(err):
					return db.unavailable(ctx, err)
				case attempt == maxAttempts:
					return errors.Join(errUnreachable, err)
				}
				if err := pause(ctx, &wait, err); err != nil {
					return err
				}
			}
		})
	}
	c, err := db.raw.take(ctx)
	if err != nil {
		return err
	}
	t := &tx{lookup: c, ctx: ctx, dialect: db.dialect}
	defer func() { db.raw.put(c, t.lookupFailed) }()
	return fn(t)
}

// errUnreachable answers a request none of whose tries found a working
// connection to the database.
var errUnreachable = chime.Unavailable("the database could not be reached; try again")

// errDeadline is the cause of a context that ran past the dialect's
// Deadline.
var errDeadline = errors.New("the store's deadline passed")

// within runs call under the dialect's Deadline, and turns running past it
// (and not the caller giving up) into a 503.
func (db *DB) within(ctx context.Context, call func(context.Context) error) error {
	if db.dialect.Deadline == 0 {
		return call(ctx)
	}
	bounded, cancel := context.WithTimeoutCause(ctx, db.dialect.Deadline, errDeadline)
	defer cancel()
	err := call(bounded)
	var unknown *commitError
	if err != nil && ctx.Err() == nil && context.Cause(bounded) == errDeadline && !errors.As(err, &unknown) {
		return errors.Join(chime.Unavailable("the database did not answer within %s; try again", db.dialect.Deadline), err)
	}
	return err
}

// unavailable turns err, when the engine says it cannot do the work for
// now, into a 503 the SDKs retry rather than an internal error: a statement
// ran past the engine's time limit (and not the caller giving up), or the
// disk is full (nothing was written; writes work again once the operator
// frees space).
func (db *DB) unavailable(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() == nil && db.dialect.IsTimeout != nil && db.dialect.IsTimeout(err):
		return errors.Join(chime.Unavailable("the database did not finish the request in its time limit; try again"), err)
	case db.diskFull(err):
		return errors.Join(errDiskFull, err)
	}
	return err
}

// errDiskFull answers a write the database had no room for.
var errDiskFull = chime.Unavailable("the database's disk is full: nothing was written; try again once the operator frees space")

// run runs fn in a transaction, and again in a new one, up to maxAttempts in
// all, while the engine says the transaction lost a race. fn may therefore
// run more than once: it must touch nothing but the transaction and its own
// variables.
func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(chime.Tx) error) error {
	wait := retryBackoff
	for attempt := 1; ; attempt++ {
		retry, err := db.try(ctx, pool, opts, fn)
		if !retry {
			return db.unavailable(ctx, err)
		}
		if attempt == maxAttempts {
			// Not a failure of the request's own: a retryable 503 that
			// says so, rather than an internal error.
			if db.connectionLost(err) {
				return errors.Join(errUnreachable, err)
			}
			return errors.Join(chime.Unavailable("the request lost %d races with concurrent changes to the same records; try again", maxAttempts), err)
		}
		if err := pause(ctx, &wait, err); err != nil {
			return err
		}
	}
}

// pause waits before the next try, a random time between half and one and a
// half times *wait, and doubles *wait up to maxRetryBackoff: tries spread
// out, and over about a second in all, rather than hitting a database that
// is restarting or at its connection limit all at once. It returns failed
// joined with ctx's error if ctx ends first.
func pause(ctx context.Context, wait *time.Duration, failed error) error {
	select {
	case <-ctx.Done():
		return errors.Join(failed, ctx.Err())
	case <-time.After(rand.N(*wait) + *wait/2):
	}
	*wait = min(2**wait, maxRetryBackoff)
	return nil
}

// try runs fn in one transaction and says whether it is worth trying again.
func (db *DB) try(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(chime.Tx) error) (retry bool, err error) {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return db.retryable(err) || db.connectionLost(err), fmt.Errorf("begin: %w", err)
	}
	// Rolled back on every way out but a commit, a panic of fn's included:
	// a transaction left open would keep its connection (SQLite's writer
	// has only one).
	defer sqlTx.Rollback()
	t := &tx{tx: sqlTx, ctx: ctx, dialect: db.dialect, stmts: db.stmts[pool]}
	if err := fn(t); err != nil {
		// fn may have turned the failure into a refusal of its own, or
		// gone on past it; the transaction lost all the same.
		return t.lostRace || db.retryable(err) || errors.Is(err, chime.ErrRacedInsert) || db.connectionLost(err), err
	}
	if err := sqlTx.Commit(); err != nil {
		switch {
		case t.lostRace || db.retryable(err):
			return true, fmt.Errorf("commit: %w", err) // refused: nothing was written
		case opts != nil && opts.ReadOnly:
			// A read wrote nothing, whatever became of its commit: it can
			// run again on another connection.
			return db.connectionLost(err), fmt.Errorf("commit: %w", err)
		case db.diskFull(err):
			return false, fmt.Errorf("commit: %w", err) // nothing was written either
		}
		return false, &commitError{err}
	}
	return false, nil
}

// commitError is a commit that failed in a way that leaves its outcome
// unknown (the connection broke, the deadline passed): the transaction may
// have been written. It is neither run again nor answered as a 503, which
// the SDKs would retry, writing it twice.
type commitError struct{ err error }

func (e *commitError) Error() string { return "commit, with an unknown outcome: " + e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

func (db *DB) retryable(err error) bool {
	return db.dialect.IsRetryable != nil && db.dialect.IsRetryable(err)
}

func (db *DB) diskFull(err error) bool {
	return err != nil && db.dialect.IsDiskFull != nil && db.dialect.IsDiskFull(err)
}

func (db *DB) connectionLost(err error) bool {
	return err != nil && db.dialect.IsConnectionLost != nil && db.dialect.IsConnectionLost(err)
}

// pools are write, read and lookup, each once.
func (db *DB) pools() []*sql.DB {
	var pools []*sql.DB
	for _, pool := range []*sql.DB{db.write, db.read, db.lookup} {
		if pool != nil && !slices.Contains(pools, pool) {
			pools = append(pools, pool)
		}
	}
	return pools
}

func (db *DB) Close() error {
	if db.raw != nil {
		db.raw.close()
	}
	for _, c := range db.stmts {
		c.close()
	}
	var err error
	for _, pool := range db.pools() {
		err = errors.Join(err, pool.Close())
	}
	db.awaitConnections()
	return err
}

// closeWait bounds how long Close waits for connections still in use.
const closeWait = 5 * time.Second

// awaitConnections waits, up to closeWait, for the connections the closed
// pools still had in use to close. A transaction whose context was canceled
// (a migration stopped by SIGTERM) rolls back on a goroutine of
// database/sql's and gives its connection back after Close returned; the
// process would end first, and on SQLite the last connection's close,
// which checkpoints the WAL and removes the -wal file, would not happen.
func (db *DB) awaitConnections() {
	deadline := time.Now().Add(closeWait)
	for _, pool := range db.pools() {
		for pool.Stats().OpenConnections > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Ping checks that the database answers and still has the schema Migrate
// gave it: a PostgreSQL database dropped and created again answers, empty.
// A store that was never migrated is not ready either.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.check(); err != nil {
		return err
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, db.migrated).Scan(&n)
	if err == nil && n == 0 {
		err = fmt.Errorf("migration %s is not recorded: restart chimed to migrate the database", db.migrated)
	}
	return err
}

// OrdersTextByBytes says whether the database compares text as SQLite
// does, byte by byte: listings page in key order, so under a linguistic
// collation (a PostgreSQL database created with en_US, say) they list in
// another order than on SQLite, though each still lists every record once.
func (db *DB) OrdersTextByBytes(ctx context.Context) (bool, error) {
	var upperFirst, asciiFirst bool
	err := db.read.QueryRowContext(ctx, `SELECT 'B' < 'a', 'z' < 'é'`).Scan(&upperFirst, &asciiFirst)
	return upperFirst && asciiFirst, err
}

// check runs the dialect's Check, if it has one.
func (db *DB) check() error {
	if db.dialect.Check == nil {
		return nil
	}
	return db.dialect.Check()
}

// tx is one transaction; its methods, one file per kind of record, implement
// chime.Tx. For a Lookup it is no transaction but one statement on the pool.
type tx struct {
	// tx is nil for a Lookup.
	tx *sql.Tx
	// pool or lookup runs a Lookup's statement.
	pool   *sql.DB
	lookup LookupConn
	// lookupFailed is set when lookup's statement failed other than by
	// finding no row: the connection is then dropped, not reused.
	lookupFailed bool
	// ran counts a Lookup's statements.
	ran     int
	ctx     context.Context
	dialect Dialect
	// lostRace is set when a statement failed because of a concurrent
	// transaction: the whole transaction must be run again.
	lostRace bool
	// stmts, when not nil, prepares the statements run on tx.
	stmts *stmtCache
}

var _ chime.Tx = (*tx)(nil)

// row is a *sql.Row, or a rawRow.
type row interface {
	Scan(dest ...any) error
}

// queryRow, query and execStmt run a statement in the transaction,
// prepared once per connection when the dialect asks for it.
func (t *tx) queryRow(query string, args ...any) row {
	if t.lookup != nil {
		t.countLookup()
		vals, err := t.lookup.QueryRow(query, args)
		t.lookupFailed = err != nil && !errors.Is(err, sql.ErrNoRows)
		return &rawRow{vals: vals, err: err}
	}
	r := t.runner()
	if s := t.prepared(r, query); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return r.QueryRowContext(t.ctx, query, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	r := t.runner()
	if s := t.prepared(r, query); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return r.QueryContext(t.ctx, query, args...)
}

func (t *tx) execStmt(query string, args ...any) (sql.Result, error) {
	sqlTx := t.inTx()
	if s := t.prepared(sqlTx, query); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return sqlTx.ExecContext(t.ctx, query, args...)
}

// runner is what a read runs on: the transaction, or a Lookup's pool.
type runner interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner is called once per read; for a Lookup it counts them.
func (t *tx) runner() runner {
	if t.tx != nil {
		return t.tx
	}
	if t.lookup != nil {
		panic("sqlstore: a Lookup reads one row, with queryRow; use View")
	}
	t.countLookup()
	return t.pool
}

// countLookup allows a Lookup one statement: it is not a transaction, and
// a second statement could see a later state of the database.
func (t *tx) countLookup() {
	if t.ran++; t.ran > 1 {
		panic("sqlstore: a Lookup ran a second statement; use View")
	}
}

// inTx is the transaction, for statements that write: a Lookup cannot.
func (t *tx) inTx() *sql.Tx {
	if t.tx == nil {
		panic("sqlstore: a Lookup cannot write; use Update")
	}
	return t.tx
}

// prepared returns query's prepared statement for r (the transaction, or a
// Lookup's pool), or nil when it is to run unprepared.
func (t *tx) prepared(r runner, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	s := t.stmts.get(query)
	if s == nil {
		return nil
	}
	if sqlTx, ok := r.(*sql.Tx); ok {
		return sqlTx.StmtContext(t.ctx, s)
	}
	return s
}

// exec runs a write. A unique-constraint failure is chime.ErrNotUnique.
// On every engine a failed write leaves the transaction as it was before the
// write, so the service may go on (with a refusal of its own, say).
func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	if !t.dialect.StatementSavepoints {
		res, err := t.execStmt(query, args...)
		return res, t.check(err)
	}
	if _, err := t.inTx().ExecContext(t.ctx, `SAVEPOINT stmt`); err != nil {
		return nil, t.check(err)
	}
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err = t.check(err); err != nil {
		if !t.lostRace {
			// Undo the failed statement only, so the transaction goes on.
			// A lost race is left as it is: the whole transaction is
			// run again.
			if _, rbErr := t.tx.ExecContext(t.ctx, `ROLLBACK TO SAVEPOINT stmt`); rbErr != nil {
				return nil, errors.Join(err, t.check(rbErr))
			}
		}
		return nil, err
	}
	if _, err := t.tx.ExecContext(t.ctx, `RELEASE SAVEPOINT stmt`); err != nil {
		return nil, t.check(err)
	}
	return res, nil
}

// check translates a statement's error for the service and notes a lost race.
func (t *tx) check(err error) error {
	switch {
	case err == nil:
		return nil
	case t.dialect.IsUniqueViolation(err):
		return chime.ErrNotUnique
	case t.dialect.IsRetryable != nil && t.dialect.IsRetryable(err):
		t.lostRace = true
	}
	return err
}

// getDoc loads one record's JSON document into v; chime.ErrNoRows when none.
func (t *tx) getDoc(v any, query string, args ...any) error {
	var doc string
	err := t.queryRow(query, args...).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return chime.ErrNoRows
	}
	if err != nil {
		return t.check(err)
	}
	return decode(doc, v)
}

// count runs a SELECT COUNT(*) statement.
func (t *tx) count(query string, args ...any) (int, error) {
	var n int
	err := t.queryRow(query, args...).Scan(&n)
	return n, t.check(err)
}

// listDocs runs a query whose single column is a JSON document and decodes
// each row into a new T.
func listDocs[T any](t *tx, query string, args ...any) ([]*T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, t.check(err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc string // the driver's string as it is: decode copies it if it needs to
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := decode(doc, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, t.check(rows.Err())
}

// mustAffect turns an update that matched no row into chime.ErrNoRows.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return chime.ErrNoRows
	}
	return nil
}

// decode reads a record's document into v, a new record.
func decode(doc string, v any) error {
	switch v := v.(type) {
	case *chime.User:
		return decodeUser(doc, v)
	case *chime.Account:
		return decodeAccount(doc, v)
	}
	return json.Unmarshal([]byte(doc), v)
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // records are plain structs
	}
	return string(b)
}
