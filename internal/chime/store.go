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
	// Lookup runs fn, which reads with exactly one statement, outside a
	// transaction: one statement reads one consistent state by itself, and
	// the BEGIN and COMMIT a View adds are a large share of a one-record
	// read's cost. A second statement in fn is a programming error (it
	// panics).
	Lookup(ctx context.Context, fn func(Tx) error) error
	// Scrub makes what committed transactions deleted or overwrote
	// unrecoverable from the store's files (a redacted message's text must
	// not survive in free pages or a write-ahead log). An engine that has no
	// such step does nothing. When readers that can still see the old
	// content keep it from finishing, it is left due, without an error.
	Scrub(ctx context.Context) error
	// FinishScrub runs a scrub left due and says how many it finished (0
	// or 1).
	FinishScrub(ctx context.Context) (int, error)
	Close() error
}

// Tx is one transaction over every kind of record.
type Tx interface {
	AccountTx
	UserTx
	RoomTx
	BotTx
	RetentionTx
	MessageTx
	PhoneNumberTx
	OrderTx
	SettingsTx
	DialOutTx
	BotEventTx
	InvitationTx
}

// Page asks for up to Limit records after the key After ("" = from the start),
// in key order.
type Page struct {
	After string
	Limit int
}

// Clock says what time it is. Tests and the emulator controls replace it.
type Clock func() time.Time
