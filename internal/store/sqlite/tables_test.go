package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
)

// Every table of the migrated schema must be known to the test API's reset
// (tenant state) or be one of the server's own tables, or a reset would leave
// tenant state behind.
func TestEveryTableIsClassified(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
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
