// Package sqlite opens chimed's embedded store: a SQLite database file in WAL
// mode, through the pure-Go modernc.org/sqlite driver (no cgo).
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/chimed/chimed/internal/store/sqlstore"
)

// Access says whether other processes may open the database file while
// chimed has it open.
type Access int

const (
	// Exclusive keeps every other process out, through SQLite's unix-excl
	// VFS: chimed takes one lock on the file for as long as it has it open,
	// and keeps the write-ahead log's index in its own memory, so a read
	// takes no file lock: at 1k users GetAccount and GetUser took 6-20%
	// less CPU than with Shared.
	Exclusive Access = iota
	// Shared lets other processes (the sqlite3 shell, a backup or
	// replication tool, another chimed) open the file beside chimed, at the
	// cost of file locks on every transaction.
	Shared
)

// vfsOf is the SQLite VFS that gives access; "" for the default.
func vfsOf(access Access) string {
	if access == Exclusive {
		return "unix-excl"
	}
	return ""
}

// Open opens (creating if needed) the database at path and migrates it.
//
// A commit is acknowledged only after the WAL is synced to disk
// (synchronous=FULL), so an acknowledged write survives a crash of the
// process or of the machine. SQLite has one writer at a time, so writes use a
// one-connection pool (queued in Go, never failing with SQLITE_BUSY) and
// reads a pool of their own that WAL lets run beside the writer.
func Open(ctx context.Context, path string, access Access) (*sqlstore.DB, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	opened, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(ON)")
	// Deleted and overwritten content is zeroed in the pages, not left in
	// free space: a redacted message must not be readable from the file.
	params.Add("_pragma", "secure_delete(ON)")
	params.Set("_txlock", "immediate")
	vfs := vfsOf(access)
	if vfs != "" {
		params.Set("vfs", vfs)
	}
	probe, err := claim(ctx, path, access)
	if err != nil {
		return nil, err
	}
	defer probe.Close()
	// The writer keeps SQLite's default cache, 2 MB.
	write, err := openPool(path, params, 1, 2000)
	if err != nil {
		return nil, err
	}
	// The driver builds SQLite with SQLITE_ENABLE_MEMORY_MANAGEMENT: all of
	// a process's connections share one page cache, as large as the sum of
	// their cache_size, and a connection can take the others' pages. With
	// four readers of 4 MB, some kept almost nothing, not even a B-tree's
	// root page, and at 1M users a GetUser read 7.7 pages from the file
	// (one connection alone reads 3.2). Lookups by key (GetUser,
	// GetAccount: most of the traffic) have connections of their own, with
	// most of the cache, one per two cores (measured with one); read
	// transactions (listings, mostly) a pool with little. A GetUser then
	// read 2.3 pages; since the users table is keyed by the ID (migration
	// 0010), its B-tree's inner pages stay cached and it reads the leaf.
	read, err := openPool(path, params, 2*runtime.GOMAXPROCS(0), 1000)
	if err != nil {
		write.Close()
		return nil, err
	}
	lookups := &sqlstore.LocalLookups{
		Open:  func() (sqlstore.LookupConn, error) { return openLookupConn(path, vfs, 12000) },
		Conns: max(1, runtime.GOMAXPROCS(0)/2),
	}
	db := sqlstore.New(sqlstore.Pools{Write: write, Read: read, LocalLookups: lookups}, sqlstore.Dialect{
		Name:              "sqlite",
		IsUniqueViolation: isUniqueViolation,
		IsDiskFull:        isDiskFull,
		// The one-connection writer pool and BEGIN IMMEDIATE already make
		// every read-write transaction run alone.
		ViewOptions:       &sql.TxOptions{ReadOnly: true},
		Scrub:             scrubWaiting(scrubWait(access)),
		Check:             stillAt(path, opened),
		PrepareStatements: true,
		GroupCommit:       true,
	})
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return db, nil
}

// stillAt returns a check that the file at path is still the one opened. A
// database file deleted or replaced under a running chimed (rm, or a file
// moved into its place) would go on taking writes through the handles
// SQLite holds, all of them lost at the next start. A file copied over it
// in place keeps its identity: no check of chimed's can tell it from its
// own writes.
func stillAt(path string, opened os.FileInfo) func() error {
	return func() error {
		if now, err := os.Stat(path); err == nil && os.SameFile(opened, now) {
			return nil
		}
		return fmt.Errorf("the database file %s was deleted or replaced while chimed ran: writes are refused; restart chimed", path)
	}
}

// openPool opens a pool of up to conns connections, each caching up to
// cacheKiB of the database's pages.
func openPool(path string, params url.Values, conns, cacheKiB int) (*sql.DB, error) {
	p := maps.Clone(params)
	p["_pragma"] = append(slices.Clip(p["_pragma"]), fmt.Sprintf("cache_size(-%d)", cacheKiB))
	db, err := sql.Open("sqlite", fileURI(path)+"?"+p.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// fileURI is path as a SQLite URI filename, to which the driver's
// parameters are added. In a path pasted as it is, a '?' or '#' would end
// it and a '%' escape a character: chimed would open another file than
// the one it created and checks, and without its parameters. An absolute
// path gets an empty authority, so that "//" cannot be read as one.
func fileURI(path string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if filepath.IsAbs(path) {
		return "file://" + escaped
	}
	return "file:" + escaped
}

// createPrivate creates a new database file readable by its owner only:
// it holds tokens, keys and message text, and SQLite would create it (and
// its -wal and -shm files, which take its mode) readable by all. An
// existing file keeps the mode its owner gave it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

// claim takes the file for this process (Exclusive), or checks that no
// process keeps it to itself (Shared), and fails within a second if one
// does: waiting busy_timeout on each of migrate's attempts would keep a
// second chimed hanging for minutes before it said why. The second lets
// another store of this process, which shares the lock, finish a write it
// has started. The returned connection holds an exclusive lock until one of
// the store's own is open; those keep it until the store is closed.
func claim(ctx context.Context, path string, access Access) (*sql.DB, error) {
	params := "_pragma=busy_timeout(1000)"
	if vfs := vfsOf(access); vfs != "" {
		params += "&vfs=" + vfs
	}
	probe, err := sql.Open("sqlite", fileURI(path)+"?"+params)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var version int
	err = probe.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version)
	switch {
	case isBusy(err) && access == Exclusive:
		err = errors.New("another process has the database open; chimed keeps its SQLite file to itself unless started with --sqlite-shared")
	case isBusy(err):
		err = errors.New("another process keeps the database to itself: a chimed started without --sqlite-shared")
	}
	if err != nil {
		probe.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return probe, nil
}

// migrate migrates db. Processes opening a new file at the same moment race
// to switch it to WAL, and SQLite tells the losers SQLITE_BUSY at once,
// without waiting busy_timeout: they try again once the file is switched.
func migrate(ctx context.Context, db *sqlstore.DB) error {
	const attempts = 20
	for attempt := 1; ; attempt++ {
		err := db.Migrate(ctx)
		if !isBusy(err) || attempt == attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool { return primaryCode(err) == sqlite3.SQLITE_BUSY }

func isDiskFull(err error) bool { return primaryCode(err) == sqlite3.SQLITE_FULL }

// primaryCode is the result code of err, if SQLite's, without the
// extended code's detail (SQLITE_BUSY for SQLITE_BUSY_SNAPSHOT); else 0.
func primaryCode(err error) int {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return 0
	}
	return e.Code() & 0xff
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// busyTimeout is how long a statement waits for a lock another connection
// holds.
const busyTimeout = 10 * time.Second

// scrubWait is how long a scrub waits for readers to leave the write-ahead
// log, while every write waits for the scrub. chimed's own readers leave
// within milliseconds; another process's (Shared: a backup, the sqlite3
// shell) may stay for minutes, and its snapshot shows it the old content
// whatever the scrub does. The scrub is then left for the finish-scrub job.
func scrubWait(access Access) time.Duration {
	if access == Shared {
		return 250 * time.Millisecond
	}
	return busyTimeout
}

// scrubWaiting returns the dialect's Scrub: it copies the write-ahead log
// into the database file and truncates the log to nothing. With
// secure_delete, the pages written carry no trace of what was deleted, and
// the old page images the log still held are gone. It says false when
// readers were still in the log after wait.
func scrubWaiting(wait time.Duration) func(context.Context, *sql.DB) (bool, error) {
	return func(ctx context.Context, write *sql.DB) (bool, error) {
		conn, err := write.Conn(ctx)
		if err != nil {
			return false, fmt.Errorf("scrub: %w", err)
		}
		defer conn.Close()
		if wait != busyTimeout {
			if err := setBusyTimeout(ctx, conn, wait); err != nil {
				return false, err
			}
			defer setBusyTimeout(context.WithoutCancel(ctx), conn, busyTimeout)
		}
		var busy, logFrames, checkpointed int
		err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return false, fmt.Errorf("scrub: %w", err)
		}
		return busy == 0, nil
	}
}

func setBusyTimeout(ctx context.Context, conn *sql.Conn, d time.Duration) error {
	_, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", d.Milliseconds()))
	if err != nil {
		// The connection must not go back to the pool with another wait.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		return fmt.Errorf("scrub: busy_timeout: %w", err)
	}
	return nil
}
