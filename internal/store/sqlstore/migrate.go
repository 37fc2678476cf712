package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
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
	// A database that had migrations is being upgraded: its steps are
	// logged, since one can take a while (0010: 35 s per million users on
	// SQLite). A new database's are not news. (No table yet: a new one.)
	var recorded int
	upgrading := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded) == nil && recorded > 0
	for _, name := range names {
		if !db.dialect.runs(name) {
			continue
		}
		if err := db.apply(ctx, name, upgrading); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		db.migrated = name
	}
	return db.refuseNewer(ctx, names)
}

// refuseNewer fails when the database records a migration this version does
// not have: a newer chimed migrated it, and this one may not read or write
// what that one stores (before user keys, an older chimed added users that
// the newer could no longer find). Coming after the migrations, it leaves
// such a database as it was: a newer one has every older migration.
func (db *DB) refuseNewer(ctx context.Context, known []string) error {
	rows, err := db.write.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("a newer chimed has migrated this database (%s): run that version or a later one", strings.Join(unknown, ", "))
	}
	return nil
}

func (db *DB) apply(ctx context.Context, name string, upgrading bool) (err error) {
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
	if upgrading {
		start := time.Now()
		slog.InfoContext(ctx, "upgrading the database", "migration", name)
		defer func() {
			if err == nil {
				slog.InfoContext(ctx, "upgrade step done", "migration", name, "took", time.Since(start).String())
			}
		}()
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
// not those inside a $$-quoted function body, nor those that end the
// statements of a SQLite trigger's BEGIN ... END.
func statements(sql string) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(sql); i++ {
		switch {
		case strings.HasPrefix(sql[i:], "$$"):
			quoted = !quoted
			i++
		case sql[i] == ';' && !quoted && !inTriggerBody(sql[start:i]):
			out = append(out, sql[start:i])
			start = i + 1
		}
	}
	return append(out, sql[start:])
}

// inTriggerBody says whether stmt, up to a semicolon, is a trigger with a
// BEGIN whose END is yet to come. A CASE in the body has an END of its own.
func inTriggerBody(stmt string) bool {
	words := strings.FieldsFunc(strings.ToUpper(withoutStrings(stmt)), func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if len(words) < 2 || words[0] != "CREATE" || words[1] != "TRIGGER" || !slices.Contains(words, "BEGIN") {
		return false
	}
	open := 0
	for _, w := range words {
		switch w {
		case "BEGIN", "CASE":
			open++
		case "END":
			open--
		}
	}
	return open > 0
}

// withoutStrings drops the '...' literals of sql, whose words are not SQL's.
func withoutStrings(sql string) string {
	var b strings.Builder
	quoted := false
	for _, r := range sql {
		if r == '\'' {
			quoted = !quoted
			continue
		}
		if !quoted {
			b.WriteRune(r)
		}
	}
	return b.String()
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
