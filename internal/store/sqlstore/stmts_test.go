package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// close waits for a statement being prepared in the background: until it
// is done, it holds a connection of the pool, which the caller is about to
// close, and with it the database's files.
func TestStmtCacheCloseWaitsForPreparations(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	// The pool's one connection is busy, so the preparation waits for it.
	busy, err := pool.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := newStmtCache(pool)
	if s := c.get(`SELECT 1`); s != nil {
		t.Fatal("a statement was ready before it was prepared")
	}
	closed := make(chan struct{})
	go func() {
		c.close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("close returned while a statement was being prepared")
	case <-time.After(200 * time.Millisecond):
	}
	busy.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return once the preparation could finish")
	}
	if n := pool.Stats().InUse; n != 0 {
		t.Fatalf("%d connections in use after close", n)
	}
}
