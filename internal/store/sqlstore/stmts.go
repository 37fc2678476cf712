package sqlstore

import (
	"database/sql"
	"sync"
)

// stmtCache keeps the statements a pool has prepared, by their text, so
// that an engine which would otherwise parse and plan every statement on
// every call (SQLite) does it once per connection: a transaction runs a
// cached *sql.Stmt through Tx.StmtContext, which prepares it on the
// transaction's connection the first time and keeps it there.
//
// A statement is first prepared in the background, on the pool: preparing
// it on the pool inside a transaction would wait for a free connection,
// and the write pool's only connection is the transaction's. Until it is
// ready, the statement runs unprepared. The statements are the store's own
// fixed set of queries, so the cache does not grow without bound.
type stmtCache struct {
	pool   *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt // nil value: being prepared
	closed bool
	// preparing counts the background preparations, which close waits
	// for: one may be opening a connection, and with it the database's
	// files, after the store has said it is closed.
	preparing sync.WaitGroup
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: make(map[string]*sql.Stmt)}
}

// get returns the prepared statement of query, or nil when it is not ready.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[query]
	if !ok && !c.closed {
		c.m[query] = nil
		c.preparing.Go(func() { c.prepare(query) })
	}
	return s
}

func (c *stmtCache) prepare(query string) {
	s, err := c.pool.Prepare(query)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		if err == nil {
			s.Close()
		}
	case err != nil:
		// Run unprepared; the next call tries again.
		delete(c.m, query)
	default:
		c.m[query] = s
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		if s != nil {
			s.Close()
		}
	}
}
