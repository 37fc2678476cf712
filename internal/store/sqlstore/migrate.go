package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies, in name order, the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction with its record. A
// migration named NNNN_what.<dialect>.sql is for that engine only. Several
// processes may migrate one database at once: where the dialect locks
// across processes, they take turns on each migration, and the later ones
// find it recorded.
func (db *DB) Migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if !db.dialect.runs(name) {
			continue
		}
		if err := db.apply(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		db.migrated = name
	}
	return nil
}

func (db *DB) apply(ctx context.Context, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if lock := db.dialect.MigrationLock; lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	for _, stmt := range statements(stripComments(string(body))) {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// runs says whether this dialect runs the migration file name: one without
// a dialect in its name (NNNN_what.sql), or one with its own.
func (d Dialect) runs(name string) bool {
	parts := strings.Split(strings.TrimSuffix(name, ".sql"), ".")
	return len(parts) == 1 || parts[1] == d.Name
}

// statements splits a migration at the semicolons that end its statements:
// not those inside a $$-quoted function body.
func statements(sql string) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(sql); i++ {
		switch {
		case strings.HasPrefix(sql[i:], "$$"):
			quoted = !quoted
			i++
		case sql[i] == ';' && !quoted:
			out = append(out, sql[start:i])
			start = i + 1
		}
	}
	return append(out, sql[start:])
}

// stripComments drops "--" comment lines, which may contain semicolons.
func stripComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
