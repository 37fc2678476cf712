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

	"github.com/chimed/chimed/internal/chime"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	Name string
	// IsUniqueViolation reports whether err is the engine's unique or
	// primary-key constraint failure.
	IsUniqueViolation func(error) bool
}

// DB is a chime.Store. Writes go through write; reads through read, which may
// be the same pool (PostgreSQL) or a separate pool of readers (SQLite, whose
// single writer is serialised by a one-connection pool).
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect Dialect
}

var _ chime.Store = (*DB)(nil)

// New wraps opened pools. Call Migrate before use.
func New(write, read *sql.DB, d Dialect) *DB {
	return &DB{write: write, read: read, dialect: d}
}

func (db *DB) Update(ctx context.Context, fn func(chime.Tx) error) error {
	return db.run(ctx, db.write, nil, fn)
}

func (db *DB) View(ctx context.Context, fn func(chime.Tx) error) error {
	return db.run(ctx, db.read, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(chime.Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&tx{tx: sqlTx, ctx: ctx, dialect: db.dialect}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// tx is one transaction; its methods, one file per kind of record, implement
// chime.Tx.
type tx struct {
	tx      *sql.Tx
	ctx     context.Context
	dialect Dialect
}

var _ chime.Tx = (*tx)(nil)

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil && t.dialect.IsUniqueViolation(err) {
		return nil, chime.ErrNotUnique
	}
	return res, err
}

// getDoc loads one record's JSON document into v; chime.ErrNoRows when none.
func (t *tx) getDoc(v any, query string, args ...any) error {
	var doc string
	err := t.tx.QueryRowContext(t.ctx, query, args...).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return chime.ErrNoRows
	}
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(doc), v)
}

// listDocs runs a query whose single column is a JSON document and decodes
// each row into a new T.
func listDocs[T any](t *tx, query string, args ...any) ([]*T, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // records are plain structs
	}
	return string(b)
}
