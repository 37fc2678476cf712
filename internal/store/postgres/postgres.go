// Package postgres opens chimed's store on PostgreSQL (or a
// PostgreSQL-compatible database) through pgx, for several chimed processes
// sharing one database.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/chimed/chimed/internal/store/sqlstore"
)

// Defaults for what the DSN does not say. PostgreSQL settings (any
// ?name=value the server knows, such as statement_timeout) are sent at
// connection start; the pool_* parameters are chimed's own.
const (
	// defaultStatementTimeout bounds every statement, lock waits included,
	// so that a stuck query fails its request instead of holding a
	// connection and its locks for ever.
	defaultStatementTimeout = "30s"
	// defaultIdleInTransactionTimeout ends the session of a process that
	// stopped in the middle of a transaction, releasing its locks for the
	// other instances.
	defaultIdleInTransactionTimeout = "60s"
	defaultMaxConnLifetime          = 30 * time.Minute
	defaultMaxConnIdleTime          = 5 * time.Minute
	// defaultRequestTimeout bounds a request's wait for the database, on
	// chimed's side: statement_timeout cannot fire on a server that has
	// stopped answering.
	defaultRequestTimeout = 30 * time.Second
)

// migrationLockKey names the advisory lock instances take while migrating
// ("chimed" in ASCII).
const migrationLockKey = 0x6368696d6564

// pool is the connection pool's shape, and how long a request may wait on
// it: the URL's parameters that are chimed's own.
type pool struct {
	maxConns        int
	maxConnLifetime time.Duration
	maxConnIdleTime time.Duration
	requestTimeout  time.Duration
}

// Open connects to the database dsn names (postgres://user@host:port/db?...)
// and migrates it.
//
// Read-write transactions are SERIALIZABLE: PostgreSQL then fails one of two
// transactions that would otherwise interleave into a state no order of them
// gives, and the store runs the failed one again. Several chimed processes
// can so share the database with the same guarantees as one process on
// SQLite. Read-only transactions read one snapshot (REPEATABLE READ), which
// never fails that way.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	cfg, p, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(p.maxConns)
	db.SetMaxIdleConns(p.maxConns)
	db.SetConnMaxLifetime(p.maxConnLifetime)
	db.SetConnMaxIdleTime(p.maxConnIdleTime)

	store := sqlstore.New(sqlstore.Pools{Write: db, Read: db, Lookup: db}, sqlstore.Dialect{
		Name:              "postgres",
		IsUniqueViolation: func(err error) bool { return sqlState(err) == "23505" },
		IsRetryable:       isRetryable,
		// query_canceled: statement_timeout, as the request's own
		// cancellation is told apart by its context.
		IsTimeout:           func(err error) bool { return sqlState(err) == "57014" },
		IsConnectionLost:    isConnectionLost,
		IsDiskFull:          func(err error) bool { return sqlState(err) == "53100" },
		UpdateOptions:       &sql.TxOptions{Isolation: sql.LevelSerializable},
		ViewOptions:         &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		StatementSavepoints: true,
		MigrationLock:       "SELECT pg_advisory_xact_lock(" + strconv.Itoa(migrationLockKey) + ")",
		Deadline:            p.requestTimeout,
	})
	// A database that cannot be reached is said so, rather than as the
	// failure of the first migration's statement.
	pingCtx, cancel := context.WithTimeout(ctx, p.requestTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		store.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(dsn), err)
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, fmt.Errorf("migrate %s: %w", Redact(dsn), err)
	}
	return store, nil
}

// parseDSN splits chimed's pool_* parameters off dsn and gives the rest to
// pgx, adding the default session settings dsn does not set.
func parseDSN(dsn string) (*pgx.ConnConfig, pool, error) {
	p := pool{
		maxConns:        max(8, 4*runtime.GOMAXPROCS(0)),
		maxConnLifetime: defaultMaxConnLifetime,
		maxConnIdleTime: defaultMaxConnIdleTime,
		requestTimeout:  defaultRequestTimeout,
	}
	base, rawQuery, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, p, fmt.Errorf("-db: %w", err)
	}
	if v, ok := take(params, "pool_max_conns"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, p, fmt.Errorf("-db: pool_max_conns=%q: want a positive whole number", v)
		}
		p.maxConns = n
	}
	for name, d := range map[string]*time.Duration{
		"pool_max_conn_lifetime":  &p.maxConnLifetime,
		"pool_max_conn_idle_time": &p.maxConnIdleTime,
		"request_timeout":         &p.requestTimeout,
	} {
		if v, ok := take(params, name); ok {
			if *d, err = time.ParseDuration(v); err != nil || *d <= 0 {
				return nil, p, fmt.Errorf("-db: %s=%q: want a positive duration such as 10m", name, v)
			}
		}
	}
	if len(params) > 0 {
		base += "?" + params.Encode()
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return nil, p, fmt.Errorf("-db: %w", err)
	}
	for name, v := range map[string]string{
		"statement_timeout":                   defaultStatementTimeout,
		"idle_in_transaction_session_timeout": defaultIdleInTransactionTimeout,
		"application_name":                    "chimed",
	} {
		if _, ok := cfg.RuntimeParams[name]; !ok {
			cfg.RuntimeParams[name] = v
		}
	}
	return cfg, p, nil
}

// take removes the parameter name from params and returns its value.
func take(params url.Values, name string) (string, bool) {
	if !params.Has(name) {
		return "", false
	}
	v := params.Get(name)
	params.Del(name)
	return v, true
}

// Redact returns dsn with its passwords masked, for logs and errors: the
// one in the user information and those libpq takes as parameters.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		// Show nothing that might be a password.
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://..."
	}
	params := strings.Split(u.RawQuery, "&")
	for i, p := range params {
		key, _, _ := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(key); err != nil || name == "password" || name == "sslpassword" {
			params[i] = key + "=xxxxx"
		}
	}
	u.RawQuery = strings.Join(params, "&")
	return u.Redacted()
}

// isRetryable: serialization_failure and deadlock_detected mean the
// transaction lost a race and may succeed from the start again; so does
// lock_not_available, a wait past the lock_timeout an operator may set.
func isRetryable(err error) bool {
	code := sqlState(err)
	return code == "40001" || code == "40P01" || code == "55P03"
}

// isConnectionLost: the server ended the session (admin_shutdown when an
// operator or a restart terminates it, crash_shutdown, cannot_connect_now
// while it starts, idle_session_timeout on a pooled connection), or refused
// a new one at its connection limit before any transaction began
// (too_many_connections: max_connections, or a role's or a database's
// CONNECTION LIMIT, met by instances whose pools add up to more), the
// connection broke (class 08, or the network), or pgx found it closed
// before sending anything.
func isConnectionLost(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false // the caller's or the store's time ran out: not the connection
	}
	switch code := sqlState(err); {
	case strings.HasPrefix(code, "08"), code == "57P01", code == "57P02", code == "57P03", code == "57P05", code == "53300":
		return true
	case code != "":
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err)
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
