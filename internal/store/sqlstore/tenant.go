package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// tenantTable is a table that holds AWS accounts' state, with the condition
// selecting one AWS account's rows ($1 is the AwsAccountId).
type tenantTable struct {
	name  string
	where string
}

// tenantTables is every table of tenant state, parents before children. The
// test API's reset, snapshot and restore go through it; a table missing here
// would survive a reset (the sqlite package's TestEveryTableIsClassified
// catches that).
var tenantTables = []tenantTable{
	{"accounts", "aws_account_id = $1"},
	{"users", "aws_account_id = $1"},
	{"invites", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"claimed_domains", "aws_account_id = $1"},
	{"rooms", "aws_account_id = $1"},
	{"room_memberships", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"bots", "aws_account_id = $1"},
	{"retention_settings", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"webhooks", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"conversations", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"messages", "account_id IN (SELECT account_id FROM accounts WHERE aws_account_id = $1)"},
	{"phone_numbers", "aws_account_id = $1"},
	{"phone_number_orders", "aws_account_id = $1"},
	{"telephony_settings", "aws_account_id = $1"},
	{"dial_outs", "aws_account_id = $1"},
	{"bot_events", "aws_account_id = $1"},
	{"bot_reply_endpoints", "aws_account_id = $1"},
}

// serverTables hold the server's own records, not tenant state: a reset
// leaves them alone.
var serverTables = []string{"schema_migrations", "audit_events", "test_snapshots", "server_secrets"}

// ResetTenant deletes every record of one AWS account.
func (db *DB) ResetTenant(ctx context.Context, awsAccountID string) error {
	return db.rawUpdate(ctx, func(tx *sql.Tx) error { return deleteTenant(ctx, tx, awsAccountID) })
}

func deleteTenant(ctx context.Context, tx *sql.Tx, awsAccountID string) error {
	for i := len(tenantTables) - 1; i >= 0; i-- {
		t := tenantTables[i]
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.name+` WHERE `+t.where, awsAccountID); err != nil {
			return fmt.Errorf("reset %s: %w", t.name, err)
		}
	}
	return nil
}

// snapshot is the saved rows of one AWS account, table by table.
type snapshot map[string][]map[string]any

// SaveSnapshot copies every record of one AWS account into a snapshot the
// server keeps under id.
func (db *DB) SaveSnapshot(ctx context.Context, awsAccountID, id string, now time.Time) error {
	return db.rawUpdate(ctx, func(tx *sql.Tx) error {
		snap := snapshot{}
		for _, t := range tenantTables {
			rows, err := selectRows(ctx, tx, `SELECT * FROM `+t.name+` WHERE `+t.where, awsAccountID)
			if err != nil {
				return fmt.Errorf("snapshot %s: %w", t.name, err)
			}
			snap[t.name] = rows
		}
		doc, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO test_snapshots (snapshot_id, aws_account_id, created_at, doc) VALUES ($1, $2, $3, $4)`,
			id, awsAccountID, now.UnixMilli(), string(doc))
		return err
	})
}

// RestoreSnapshot replaces one AWS account's records with those of its
// snapshot id; chime.ErrNoRows when it has no such snapshot.
func (db *DB) RestoreSnapshot(ctx context.Context, awsAccountID, id string) error {
	return db.rawUpdate(ctx, func(tx *sql.Tx) error {
		var doc string
		err := tx.QueryRowContext(ctx, `SELECT doc FROM test_snapshots WHERE snapshot_id = $1 AND aws_account_id = $2`, id, awsAccountID).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return chime.ErrNoRows
		}
		if err != nil {
			return err
		}
		var snap snapshot
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&snap); err != nil {
			return fmt.Errorf("snapshot %s: %w", id, err)
		}
		if err := deleteTenant(ctx, tx, awsAccountID); err != nil {
			return err
		}
		for _, t := range tenantTables {
			for _, row := range snap[t.name] {
				err := insertRow(ctx, tx, t.name, row)
				if db.dialect.IsUniqueViolation(err) {
					// Another AWS account has bought the number since
					// the snapshot.
					return fmt.Errorf("restore %s: %w", t.name, chime.ErrNotUnique)
				}
				if err != nil {
					return fmt.Errorf("restore %s: %w", t.name, err)
				}
			}
		}
		return nil
	})
}

// rawUpdate runs fn in a write transaction on the underlying database, with
// Update's isolation and retries (SERIALIZABLE on PostgreSQL): a reset or a
// snapshot must not interleave with the tenant's own writes, which on
// PostgreSQL's default READ COMMITTED could leave an orphaned row or
// snapshot a membership without its room.
func (db *DB) rawUpdate(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := db.check(); err != nil {
		return err
	}
	return db.within(ctx, func(ctx context.Context) error {
		return db.run(ctx, db.write, db.dialect.UpdateOptions, func(t chime.Tx) error { return fn(t.(*tx).tx) })
	})
}

func selectRows(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]map[string]any, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b) // the schema has TEXT and BIGINT columns only
			}
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// derivedColumn is a column computed from another of its row by a SQL
// function.
type derivedColumn struct{ name, function, from string }

// derivedColumns are computed again when a row is restored, not copied: a
// snapshot taken before they existed lacks them.
var derivedColumns = map[string]derivedColumn{
	"users": {name: "user_key", function: "chimed_user_key", from: "user_id"},
}

// insertRow writes back a row saved by selectRows. The snapshot was written
// by this server, and column names are still checked to be plain identifiers
// before they go into SQL.
func insertRow(ctx context.Context, tx *sql.Tx, table string, row map[string]any) error {
	var cols, marks bytes.Buffer
	args := make([]any, 0, len(row))
	derived, hasDerived := derivedColumns[table]
	derivedFrom := ""
	for col, v := range row {
		if hasDerived && col == derived.name {
			continue
		}
		if !isIdentifier(col) {
			return fmt.Errorf("column %q is not an identifier", col)
		}
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return fmt.Errorf("column %s: %w", col, err)
			}
			v = i
		}
		if len(args) > 0 {
			cols.WriteString(", ")
			marks.WriteString(", ")
		}
		args = append(args, v)
		cols.WriteString(col)
		fmt.Fprintf(&marks, "$%d", len(args))
		if hasDerived && col == derived.from {
			derivedFrom = fmt.Sprintf("$%d", len(args))
		}
	}
	if derivedFrom != "" {
		fmt.Fprintf(&cols, ", %s", derived.name)
		fmt.Fprintf(&marks, ", %s(%s)", derived.function, derivedFrom)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+cols.String()+`) VALUES (`+marks.String()+`)`, args...)
	return err
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ClassifiedTables lists every table the store knows how to treat in a reset:
// tenant state and server records. A migration that adds a table must add it
// to one of the two lists.
func ClassifiedTables() []string {
	names := append([]string{}, serverTables...)
	for _, t := range tenantTables {
		names = append(names, t.name)
	}
	return names
}
