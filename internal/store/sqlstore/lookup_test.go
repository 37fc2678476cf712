package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"
)

// fakeLookupConn answers every query with err, and counts its closing.
type fakeLookupConn struct {
	id     int
	err    error
	closed int
}

func (c *fakeLookupConn) QueryRow(string, []any) ([]driver.Value, error) {
	if c.err != nil {
		return nil, c.err
	}
	return []driver.Value{int64(c.id)}, nil
}

func (c *fakeLookupConn) Close() error { c.closed++; return nil }

// A Lookup's connection is reused after a row or no row, and replaced after
// any other error: it may be what failed.
func TestRawLookupsReplaceAFailedConnection(t *testing.T) {
	var opened []*fakeLookupConn
	l := newRawLookups(&LocalLookups{Conns: 1, Open: func() (LookupConn, error) {
		c := &fakeLookupConn{id: len(opened) + 1}
		opened = append(opened, c)
		return c, nil
	}})
	ctx := context.Background()
	lookup := func(err error) int {
		c, takeErr := l.take(ctx)
		if takeErr != nil {
			t.Fatal(takeErr)
		}
		c.(*fakeLookupConn).err = err
		tx := &tx{lookup: c}
		var id int64
		tx.queryRow("", nil).Scan(&id)
		c.(*fakeLookupConn).err = nil
		l.put(c, tx.lookupFailed)
		return c.(*fakeLookupConn).id
	}
	steps := []struct {
		err    error
		wantOn int
	}{
		{nil, 1},
		{sql.ErrNoRows, 1},
		{nil, 1},
		{errors.New("disk I/O error"), 1},
		{nil, 2},
	}
	for i, s := range steps {
		if got := lookup(s.err); got != s.wantOn {
			t.Fatalf("step %d (%v): ran on connection %d, want %d", i, s.err, got, s.wantOn)
		}
	}
	if opened[0].closed != 1 {
		t.Errorf("the failed connection was closed %d times, want 1", opened[0].closed)
	}
	l.close()
	if opened[1].closed != 1 {
		t.Errorf("close closed the open connection %d times, want 1", opened[1].closed)
	}
	if _, err := l.take(ctx); !errors.Is(err, errStoreClosed) {
		t.Errorf("take after close: %v, want errStoreClosed", err)
	}
}
