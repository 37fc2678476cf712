// Package pgtest gives a test a database of its own on the PostgreSQL server
// named by CHIMED_TEST_POSTGRES, so the store and end-to-end tests can run on
// PostgreSQL as well as on SQLite.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvVar holds the DSN of a PostgreSQL server and role that may create
// databases, e.g. postgres://postgres@127.0.0.1:15432/postgres?sslmode=disable
// (scripts/ci/postgres.sh starts such a server).
const EnvVar = "CHIMED_TEST_POSTGRES"

// Configured reports whether the tests have a PostgreSQL server.
func Configured() bool { return os.Getenv(EnvVar) != "" }

// Server returns the DSN of the configured server, and skips t when there
// is none.
func Server(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvVar)
	if admin == "" {
		t.Skipf("PostgreSQL test: set %s to the URL of a server where the role may create databases (scripts/ci/postgres.sh starts one)", EnvVar)
	}
	return admin
}

// NewDatabase creates an empty database for t, drops it when t ends, and
// returns its DSN. It skips t when no server is configured, and fails t when
// the configured server cannot make one. options are CREATE DATABASE's
// (such as a collation).
func NewDatabase(t testing.TB, options ...string) string {
	t.Helper()
	admin := Server(t)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	name := "chimed_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name+" "+strings.Join(options, " ")); err != nil {
		db.Close()
		t.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends the sessions a failed test may have left open.
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
