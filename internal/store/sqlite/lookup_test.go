package sqlite

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLookupConn checks lookupConn against what the driver would answer:
// arguments bound by their $N whatever the order they appear in, each
// column's type, no row, and a write refused.
func TestLookupConn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookup.db")
	setup, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	_, err = setup.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, f REAL, b BLOB, s TEXT);
		INSERT INTO t VALUES ('a', 7, 1.5, x'00ff', ''), ('', -1, NULL, NULL, 'empty key')`)
	setup.Close()
	if err != nil {
		t.Fatal(err)
	}
	c, err := openLookupConn(path, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	tests := []struct {
		name  string
		query string
		args  []any
		want  []driver.Value
		err   string
	}{
		{"every column type", `SELECT n, f, b, s, k FROM t WHERE k = $1`, []any{"a"},
			[]driver.Value{int64(7), 1.5, []byte{0, 0xff}, "", "a"}, ""},
		{"parameters out of order", `SELECT s FROM t WHERE n = $2 AND k = $1`, []any{"", -1},
			[]driver.Value{"empty key"}, ""},
		{"an empty string is not NULL", `SELECT $1 IS NULL, length($1)`, []any{""},
			[]driver.Value{int64(0), int64(0)}, ""},
		{"nil, bool, float and blob arguments", `SELECT $1 IS NULL, $2, $3, $4`, []any{nil, true, 2.5, []byte("x")},
			[]driver.Value{int64(1), int64(1), 2.5, []byte("x")}, ""},
		{"a NULL column", `SELECT f, b FROM t WHERE k = $1`, []any{""}, []driver.Value{nil, nil}, ""},
		{"no row", `SELECT n FROM t WHERE k = $1`, []any{"missing"}, nil, sql.ErrNoRows.Error()},
		{"too few arguments", `SELECT n FROM t WHERE k = $2`, []any{"a"}, nil, "no argument for $2"},
		{"an anonymous parameter", `SELECT n FROM t WHERE k = ?`, []any{"a"}, nil, "is not one of $1, $2"},
		{"a write", `DELETE FROM t WHERE k = $1 RETURNING n`, []any{"a"}, nil, "readonly"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Twice: the second runs the statement prepared by the first.
			for range 2 {
				got, err := c.QueryRow(tc.query, tc.args)
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) {
						t.Fatalf("QueryRow = %v, %v; want an error containing %q", got, err, tc.err)
					}
					continue
				}
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("QueryRow = %#v, %v; want %#v", got, err, tc.want)
				}
			}
		})
	}
	if _, err := c.QueryRow(`SELECT n FROM t WHERE k = $1`, []any{"missing"}); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no row: %v, want sql.ErrNoRows", err)
	}
}

// A lookup connection that cannot be opened says which file and why, and
// leaves nothing open.
func TestLookupConnOpenFails(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, vfs, want string
	}{
		{"no such file", filepath.Join(dir, "missing.db"), "", "unable to open"},
		{"no such directory", filepath.Join(dir, "missing", "chimed.db"), "", "unable to open"},
		{"no such VFS", filepath.Join(dir, "missing.db"), "no-such-vfs", "no such vfs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := openLookupConn(tc.path, tc.vfs, 1000)
			if err == nil {
				c.Close()
				t.Fatalf("openLookupConn(%q, %q) opened; want an error", tc.path, tc.vfs)
			}
			if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("openLookupConn(%q, %q): %v; want the path and %q", tc.path, tc.vfs, err, tc.want)
			}
		})
	}
}
