package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// A LookupConn is one connection of an engine whose reads never wait
// (SQLite in WAL mode), on which Lookups run outside database/sql: a
// Lookup reads one row by its key, and around it database/sql's pool
// hand-off, argument conversion, Rows and Scan cost as much again as the
// statement. A LookupConn is used by one Lookup at a time.
type LookupConn interface {
	// QueryRow runs query, whose parameters are $1, $2, ... for args, and
	// returns its first row's values; sql.ErrNoRows when it has none.
	QueryRow(query string, args []any) ([]driver.Value, error)
	Close() error
}

// LocalLookups opens the connections Lookups run on, for an engine whose
// reads never wait: a Lookup need not be cancellable once it has one.
type LocalLookups struct {
	// Open opens one connection.
	Open func() (LookupConn, error)
	// Conns is how many connections Lookups share.
	Conns int
}

// rawLookups runs Lookups on LocalLookups' connections.
type rawLookups struct {
	open func() (LookupConn, error)
	// free holds each connection while no Lookup uses it: nil where one is
	// yet to be opened, or was dropped after an error. It is closed by
	// close.
	free   chan LookupConn
	closed sync.Once
}

var errStoreClosed = errors.New("sqlstore: the store is closed")

func newRawLookups(l *LocalLookups) *rawLookups {
	n := max(1, l.Conns)
	r := &rawLookups{open: l.Open, free: make(chan LookupConn, n)}
	for range n {
		r.free <- nil
	}
	return r
}

// take waits for a free connection, opening it if need be.
func (l *rawLookups) take(ctx context.Context) (LookupConn, error) {
	var c LookupConn
	select {
	case got, ok := <-l.free:
		if !ok {
			return nil, errStoreClosed
		}
		c = got
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if c != nil {
		return c, nil
	}
	c, err := l.open()
	if err != nil {
		l.free <- nil
		return nil, err
	}
	return c, nil
}

// put gives c back; broken, it is closed and its place left for a new one.
func (l *rawLookups) put(c LookupConn, broken bool) {
	if broken {
		c.Close()
		c = nil
	}
	l.free <- c
}

// close waits for the Lookups under way and closes every connection; the
// Lookups that come after fail.
func (l *rawLookups) close() {
	l.closed.Do(func() {
		for range cap(l.free) {
			if c := <-l.free; c != nil {
				c.Close()
			}
		}
		close(l.free)
	})
}

// rawRow is a Lookup's row, scanned as a *sql.Row is into the types the
// store's lookups read.
type rawRow struct {
	vals []driver.Value
	err  error
}

func (r *rawRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if len(dest) != len(r.vals) {
		return fmt.Errorf("sqlstore: %d destinations for %d columns", len(dest), len(r.vals))
	}
	for i, d := range dest {
		if err := assign(d, r.vals[i]); err != nil {
			return fmt.Errorf("sqlstore: column %d: %w", i, err)
		}
	}
	return nil
}

// assign stores v in dest, for the destinations a Lookup's statements use.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case sql.Scanner:
		return d.Scan(v)
	case *string:
		if s, ok := v.(string); ok {
			*d = s
			return nil
		}
		if b, ok := v.([]byte); ok {
			*d = string(b)
			return nil
		}
	case *bool:
		switch b := v.(type) {
		case bool:
			*d = b
			return nil
		case int64:
			*d = b != 0
			return nil
		}
	default:
		return fmt.Errorf("a Lookup cannot scan into %T", dest)
	}
	return fmt.Errorf("cannot scan %T into %T", v, dest)
}
