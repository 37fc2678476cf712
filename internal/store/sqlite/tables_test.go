package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
)

// migratedSchema opens a database that chimed has migrated, through a
// connection of the test's own.
func migratedSchema(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chimed.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// Every table of the migrated schema must be known to the test API's reset
// (tenant state) or be one of the server's own tables, or a reset would leave
// tenant state behind.
func TestEveryTableIsClassified(t *testing.T) {
	raw := migratedSchema(t)
	rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	known := sqlstore.ClassifiedTables()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !slices.Contains(known, name) {
			t.Errorf("table %s is neither tenant state nor a server table in sqlstore/tenant.go", name)
		}
	}
	if n < 10 {
		t.Fatalf("found only %d tables: the schema was not migrated", n)
	}
}

// An audit listing of one operation reads that operation's events in order
// from an index, rather than walking the AWS account's whole trail (the
// statement is the one ListAuditEvents builds for an operation filter).
func TestAuditListingByOperationUsesAnIndex(t *testing.T) {
	raw := migratedSchema(t)
	rows, err := raw.Query(`EXPLAIN QUERY PLAN SELECT seq, doc FROM audit_events WHERE aws_account_id = $1 AND event_time >= $2 AND operation = $3
		AND (event_time > $4 OR (event_time = $5 AND seq > $6)) ORDER BY event_time, seq LIMIT 20`, "111122223333", 0, "CreateUser", 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX audit_events_by_operation") {
		t.Fatalf("plan %q, want one search of audit_events_by_operation (no sort)", plan)
	}
}
