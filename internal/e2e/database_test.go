package e2e

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/chimed/chimed/internal/store/postgres/pgtest"
)

// testDatabase is where a test's server keeps its state: a fresh database on
// the PostgreSQL server named by CHIMED_TEST_POSTGRES when it is set, else a
// SQLite file in dir. scripts/test.sh runs the suite both ways.
func testDatabase(t *testing.T, dir string) string {
	t.Helper()
	if pgtest.Configured() {
		return pgtest.NewDatabase(t)
	}
	return filepath.Join(dir, "chimed.db")
}

// rawDatabase opens the test server's database directly, for checks below
// the API on either engine. It is closed when t ends.
func (e *env) rawDatabase(t *testing.T) *sql.DB {
	t.Helper()
	return e.openDatabase(t, "?mode=ro")
}

// writableDatabase opens e's database to change it behind the server's back
// (a SQLite file only while the server runs with --sqlite-shared).
func (e *env) writableDatabase(t *testing.T) *sql.DB {
	t.Helper()
	return e.openDatabase(t, "?_pragma=busy_timeout(5000)")
}

// openDatabase opens e's database; sqliteParams are the SQLite URI's.
func (e *env) openDatabase(t *testing.T, sqliteParams string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+e.db+sqliteParams
	if strings.HasPrefix(e.db, "postgres://") || strings.HasPrefix(e.db, "postgresql://") {
		driver, dsn = "pgx", e.db
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
