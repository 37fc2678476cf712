package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the admin connection

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/store/postgres"
	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
)

// fixtureVersion is part of every cached seed's name. Bump it when Seed
// writes something different, or a migration changes the users table, so
// that older seeds are not reused (chimed would migrate one at every
// start, and the startup figure would count it).
const fixtureVersion = 2

// postgresSeeders is how many seeding transactions run at once on
// PostgreSQL.
const postgresSeeders = 8

// Database is a seeded database for one run: a copy of a cached seed, which
// the run may change freely.
type Database struct {
	// DSN is what chimed's --db takes.
	DSN string
	// SeedTime is how long seeding took; zero when a cached seed was used.
	SeedTime time.Duration
	drop     func() error
}

// Drop removes the run's copy.
func (d *Database) Drop() error { return d.drop() }

// IsPostgres says whether dsn names a PostgreSQL server rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// DefaultSeedPath is where the SQLite seed of a scale is cached.
func DefaultSeedPath(scale int) string {
	return filepath.Join(os.TempDir(), "chimebench", fmt.Sprintf("users-%d-v%d.db", scale, fixtureVersion))
}

// PrepareSQLite makes runPath a copy of the fixture's seed at seedPath,
// seeding seedPath first when it does not exist yet.
func PrepareSQLite(ctx context.Context, seedPath, runPath string, f Fixture) (*Database, error) {
	took, err := EnsureSQLiteSeed(ctx, seedPath, f)
	if err != nil {
		return nil, err
	}
	if err := copyFile(seedPath, runPath); err != nil {
		return nil, err
	}
	return &Database{DSN: runPath, SeedTime: took, drop: func() error { return removeSQLite(runPath) }}, nil
}

// EnsureSQLiteSeed seeds the file at path when it does not exist, and says
// how long that took (zero when it existed). It then migrates the seed, so
// that a run's chimed starts on an up-to-date schema and its start-up time
// is its own, and checks it, which catches a seed made for another fixture.
func EnsureSQLiteSeed(ctx context.Context, path string, f Fixture) (time.Duration, error) {
	var took time.Duration
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		start := time.Now()
		if err := seedSQLite(ctx, path, f); err != nil {
			return 0, err
		}
		took = time.Since(start)
	} else if err != nil {
		return 0, err
	}
	db, err := sqlite.Open(ctx, path, sqlite.Exclusive)
	if err != nil {
		return 0, err
	}
	if err := errors.Join(checkFixture(ctx, db, f), db.Scrub(ctx), db.Close()); err != nil {
		return 0, fmt.Errorf("%s: %w (delete it to seed again)", path, err)
	}
	return took, nil
}

// seedSQLite seeds a new file and only then gives it its name, so that an
// interrupted seeding leaves no seed behind that looks complete.
func seedSQLite(ctx context.Context, path string, f Fixture) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	partial := path + ".partial"
	if err := removeSQLite(partial); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, partial, sqlite.Exclusive)
	if err != nil {
		return err
	}
	// Scrub checkpoints the write-ahead log into the file, so the file is
	// the whole database.
	if err := errors.Join(Seed(ctx, db, f, 1), db.Scrub(ctx), db.Close()); err != nil {
		return err
	}
	return os.Rename(partial, path)
}

// removeSQLite removes a database file and its write-ahead log.
func removeSQLite(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// checkFixture verifies that db holds the fixture's account with exactly
// its users.
func checkFixture(ctx context.Context, db *sqlstore.DB, f Fixture) error {
	return db.View(ctx, func(tx chime.Tx) error {
		if _, err := tx.GetAccount(f.AwsAccountID, f.AccountID); err != nil {
			return fmt.Errorf("the seed's account: %w", err)
		}
		n, err := tx.CountUsers(f.AccountID)
		if err != nil {
			return err
		}
		if n != f.Scale {
			return fmt.Errorf("the seed has %d users, not %d", n, f.Scale)
		}
		return nil
	})
}

// PreparePostgres makes a new database on the server adminDSN names (its
// role must be allowed to create databases) as a copy of the fixture's seed,
// a template database kept on the same server and seeded first when missing.
// PostgreSQL copies a template file by file, in seconds even at a million
// users.
func PreparePostgres(ctx context.Context, adminDSN string, f Fixture) (*Database, error) {
	seed, took, err := EnsurePostgresSeed(ctx, adminDSN, f)
	if err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	run := "chimebench_run_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+run+` TEMPLATE `+seed); err != nil {
		return nil, fmt.Errorf("copy %s: %w", seed, err)
	}
	dsn, err := withDatabase(adminDSN, run)
	if err != nil {
		return nil, err
	}
	drop := func() error {
		admin, err := sql.Open("pgx", adminDSN)
		if err != nil {
			return err
		}
		defer admin.Close()
		_, err = admin.Exec(`DROP DATABASE IF EXISTS ` + run + ` WITH (FORCE)`)
		return err
	}
	return &Database{DSN: dsn, SeedTime: took, drop: drop}, nil
}

// EnsurePostgresSeed makes the fixture's seed database on the server
// adminDSN names when it is missing, then migrates and checks it, as
// EnsureSQLiteSeed does. It returns the seed database's name.
func EnsurePostgresSeed(ctx context.Context, adminDSN string, f Fixture) (string, time.Duration, error) {
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return "", 0, err
	}
	defer admin.Close()
	seed := fmt.Sprintf("chimebench_users_%d_v%d", f.Scale, fixtureVersion)
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, seed).Scan(&exists); err != nil {
		return "", 0, fmt.Errorf("%s: %w", postgres.Redact(adminDSN), err)
	}
	var took time.Duration
	if !exists {
		start := time.Now()
		if err := seedPostgres(ctx, admin, adminDSN, seed, f); err != nil {
			return "", 0, err
		}
		took = time.Since(start)
	}
	seedDSN, err := withDatabase(adminDSN, seed)
	if err != nil {
		return "", 0, err
	}
	db, err := postgres.Open(ctx, seedDSN)
	if err != nil {
		return "", 0, err
	}
	if err := errors.Join(checkFixture(ctx, db, f), db.Close()); err != nil {
		return "", 0, fmt.Errorf("database %s: %w (drop it to seed again)", seed, err)
	}
	return seed, took, nil
}

// seedPostgres seeds a new database and only then gives it its name, so
// that an interrupted seeding leaves no seed behind that looks complete.
func seedPostgres(ctx context.Context, admin *sql.DB, adminDSN, name string, f Fixture) error {
	partial := name + "_partial"
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+partial+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+partial); err != nil {
		return err
	}
	dsn, err := withDatabase(adminDSN, partial)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	if err := errors.Join(Seed(ctx, db, f, postgresSeeders), db.Close()); err != nil {
		return err
	}
	_, err = admin.ExecContext(ctx, `ALTER DATABASE `+partial+` RENAME TO `+name)
	return err
}

// withDatabase returns dsn naming database name instead of its own.
func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("-db: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
