package chime

import (
	"context"
	"time"
)

// Store keeps the server's state. Rules live in Service; a store only reads
// and writes records, inside transactions, so that a rule checked on a read is
// still true when the write commits.
type Store interface {
	// Update runs fn in a read-write transaction, committed when fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction over every kind of record.
type Tx interface {
	AccountTx
	UserTx
}

// Page asks for up to Limit records after the key After ("" = from the start),
// in key order.
type Page struct {
	After string
	Limit int
}

// Clock says what time it is. Tests and the emulator controls replace it.
type Clock func() time.Time
