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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/store/postgres/pgtest"
	"github.com/chimed/chimed/internal/store/sqlstore"
	"github.com/chimed/chimed/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Open {
		dsn := pgtest.NewDatabase(t)
		return func(ctx context.Context) (chime.Store, error) { return Open(ctx, dsn) }
	})
}

// The session settings chimed adds reach the server, and the server takes
// them.
func TestSessionSettings(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	cfg, _, err := parseDSN(dsn + sep + "pool_max_conns=2&lock_timeout=1500")
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	for name, want := range map[string]string{
		"statement_timeout":                   "30s",
		"idle_in_transaction_session_timeout": "1min",
		"application_name":                    "chimed",
		"lock_timeout":                        "1500ms",
	} {
		var got string
		if err := db.QueryRow(`SHOW ` + name).Scan(&got); err != nil {
			t.Fatalf("SHOW %s: %v", name, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// A transaction that waits for a lock past lock_timeout lost a race: it is
// tried again, not failed (an internal error, before).
func TestLockTimeoutIsRetried(t *testing.T) {
	if err := renameWhileLocked(t, "lock_timeout=100"); err != nil {
		t.Fatalf("the transaction that waited past lock_timeout failed: %v", err)
	}
}

// A statement past statement_timeout (here, waiting for the lock) is a 503
// the SDKs retry, not an internal error.
func TestStatementTimeoutIsUnavailable(t *testing.T) {
	err := renameWhileLocked(t, "statement_timeout=100")
	if code := chime.ErrorCode(err); code != model.ErrorCodeServiceUnavailable {
		t.Fatalf("got %v (code %q), want %s", err, code, model.ErrorCodeServiceUnavailable)
	}
}

// A lookup (a single read outside a transaction, as GetAccount and GetUser
// make) past statement_timeout is a 503 too: here it waits for a table
// another session locked.
func TestLookupStatementTimeoutIsUnavailable(t *testing.T) {
	ctx := context.Background()
	store, locker := openWithSession(t, "statement_timeout=100")
	if _, err := locker.Exec(ctx, "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	defer locker.Exec(ctx, "ROLLBACK")
	err := store.Lookup(ctx, func(tx chime.Tx) error {
		_, err := tx.GetAccount("111122223333", "a1")
		return err
	})
	if code := chime.ErrorCode(err); code != model.ErrorCodeServiceUnavailable {
		t.Fatalf("got %v (code %q), want %s", err, code, model.ErrorCodeServiceUnavailable)
	}
}

// openWithSettings opens a store on a new database with settings added to
// its URL, closed when t ends; dsn is the database's URL without them.
func openWithSettings(t *testing.T, settings string) (store *sqlstore.DB, dsn string) {
	dsn = pgtest.NewDatabase(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	store, err := Open(context.Background(), dsn+sep+settings)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, dsn
}

// openWithSession opens a store as openWithSettings does, and a session of
// the test's own on its database, to lock or look at what the store does.
func openWithSession(t *testing.T, settings string) (*sqlstore.DB, *pgx.Conn) {
	t.Helper()
	store, dsn := openWithSettings(t, settings)
	session, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { session.Close(context.Background()) })
	return store, session
}

// renameWhileLocked opens a store with the URL's settings, holds an
// account's row lock for 400 ms in one transaction and meanwhile renames the
// account in another, whose error it returns.
func renameWhileLocked(t *testing.T, settings string) error {
	ctx := context.Background()
	store, _ := openWithSettings(t, settings)
	acct := &chime.Account{AwsAccountID: "111122223333", AccountID: "a1", Name: "before", AccountType: "Team", CreatedAt: time.Now().UTC()}
	if err := store.Update(ctx, func(tx chime.Tx) error { return tx.InsertAccount(acct) }); err != nil {
		t.Fatal(err)
	}
	rename := func(name string) func(tx chime.Tx) error {
		return func(tx chime.Tx) error {
			a, err := tx.GetAccount("111122223333", "a1")
			if err != nil {
				return err
			}
			a.Name = name
			return tx.SaveAccount(a)
		}
	}
	holding, released := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		store.Update(ctx, func(tx chime.Tx) error {
			if err := rename("holder")(tx); err != nil {
				return err
			}
			close(holding)
			time.Sleep(400 * time.Millisecond) // four of the other's time limits
			return nil
		})
	}()
	<-holding
	err := store.Update(ctx, rename("waiter"))
	<-released
	return err
}

func TestParseDSN(t *testing.T) {
	defaultConns := max(8, 4*runtime.GOMAXPROCS(0))
	tests := []struct {
		dsn        string
		wantPool   pool
		wantParams map[string]string
		wantErr    string
	}{
		{
			dsn:      "postgres://chimed@db.example:5432/chimed?sslmode=disable",
			wantPool: pool{maxConns: defaultConns, maxConnLifetime: 30 * time.Minute, maxConnIdleTime: 5 * time.Minute, requestTimeout: 30 * time.Second},
			wantParams: map[string]string{"statement_timeout": "30s", "idle_in_transaction_session_timeout": "60s",
				"application_name": "chimed"},
		},
		{
			dsn: "postgresql://chimed@db.example/chimed?pool_max_conns=3&pool_max_conn_lifetime=1h&pool_max_conn_idle_time=10s" +
				"&request_timeout=5s&statement_timeout=5000&application_name=edge&search_path=chime",
			wantPool: pool{maxConns: 3, maxConnLifetime: time.Hour, maxConnIdleTime: 10 * time.Second, requestTimeout: 5 * time.Second},
			wantParams: map[string]string{"statement_timeout": "5000", "idle_in_transaction_session_timeout": "60s",
				"application_name": "edge", "search_path": "chime"},
		},
		{
			// One parameter, of the server's, left once the pool's are taken.
			dsn:        "postgres://chimed@db.example/chimed?pool_max_conns=3&search_path=chime",
			wantPool:   pool{maxConns: 3, maxConnLifetime: 30 * time.Minute, maxConnIdleTime: 5 * time.Minute, requestTimeout: 30 * time.Second},
			wantParams: map[string]string{"search_path": "chime", "application_name": "chimed"},
		},
		{dsn: "postgres://db.example/chimed?pool_max_conns=0", wantErr: "pool_max_conns"},
		{dsn: "postgres://db.example/chimed?pool_max_conns=many", wantErr: "pool_max_conns"},
		{dsn: "postgres://db.example/chimed?pool_max_conn_lifetime=5", wantErr: "pool_max_conn_lifetime"},
		{dsn: "postgres://db.example/chimed?pool_max_conn_idle_time=-1s", wantErr: "pool_max_conn_idle_time"},
		{dsn: "postgres://db.example/chimed?request_timeout=0s", wantErr: "request_timeout"},
		{dsn: "postgres://db.example:notaport/chimed", wantErr: "-db"},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			cfg, p, err := parseDSN(tc.dsn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error about %s, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p != tc.wantPool {
				t.Errorf("pool %+v, want %+v", p, tc.wantPool)
			}
			for name, want := range tc.wantParams {
				if got := cfg.RuntimeParams[name]; got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for name := range cfg.RuntimeParams {
				if strings.HasPrefix(name, "pool_") || name == "request_timeout" {
					t.Errorf("pool parameter %s would be sent to the server", name)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://chimed:s3cret@db.example:5432/chimed?sslmode=require", "postgres://chimed:xxxxx@db.example:5432/chimed?sslmode=require"},
		{"postgres://chimed@db.example/chimed", "postgres://chimed@db.example/chimed"},
		{"postgres://chimed:s3cret@h1:5432,h2:5432/chimed", "postgres://chimed:xxxxx@h1:5432,h2:5432/chimed"},
		{"postgres://chimed:s3cr%zz@db.example/chimed", "postgres://..."},
		// libpq's password parameters, wherever they stand.
		{"postgres://chimed@db.example/chimed?password=s3cret&sslmode=require", "postgres://chimed@db.example/chimed?password=xxxxx&sslmode=require"},
		{"postgres://chimed@db.example/chimed?sslmode=verify-full&sslpassword=k3y&connect_timeout=2",
			"postgres://chimed@db.example/chimed?sslmode=verify-full&sslpassword=xxxxx&connect_timeout=2"},
		{"postgres://chimed@db.example/chimed?pass%77ord=s3cret", "postgres://chimed@db.example/chimed?pass%77ord=xxxxx"},
		// A name that does not decode might be one of them.
		{"postgres://chimed@db.example/chimed?pass%zzword=s3cret&sslmode=require", "postgres://chimed@db.example/chimed?pass%zzword=xxxxx&sslmode=require"},
	}
	for _, tc := range tests {
		if got := Redact(tc.dsn); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

// An instance not yet upgraded to migration 0010, during a rolling restart,
// inserts users without their key; the trigger gives it, and upgraded
// instances find those users.
func TestUserKeyOfInsertsByOlderInstances(t *testing.T) {
	ctx := context.Background()
	store, old := openWithPlainPool(t)
	err := store.Update(ctx, func(tx chime.Tx) error {
		return tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: "a1", Name: "a1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	const userID = "0193a1b2-c3d4-7e5f-8a00-000000000001"
	_, err = old.Exec(`INSERT INTO users (account_id, user_id, aws_account_id, email_key, user_type, doc)
		VALUES ('a1', $1, '111122223333', 'old@example.com', 'PrivateUser', $2)`,
		userID, `{"AccountID":"a1","UserID":"`+userID+`","Email":"old@example.com"}`)
	if err != nil {
		t.Fatal(err)
	}
	var u *chime.User
	err = store.Lookup(ctx, func(tx chime.Tx) error {
		u, err = tx.GetLiveUser("111122223333", "a1", userID)
		return err
	})
	if err != nil || u.Email != "old@example.com" {
		t.Fatalf("GetLiveUser of a user inserted without its key: %+v, %v", u, err)
	}
}

// The store's statements look users up by the key sqlstore.UserKey computes;
// rows that SQL keys itself (migration 0010, the trigger) must get the same.
func TestUserKeyFunctionMatchesGo(t *testing.T) {
	_, plain := openWithPlainPool(t)
	for _, id := range []string{
		"00000000-d492-40ff-aad1-12b603e23a91",
		"0193a1b2-c3d4-7e5f-8a00-000000000000",
		"ffffffff-ffff-ffff-bfff-ffffffffffff",
		"0193A1B2-C3D4-7E5F-8A00-000000000000",
		"0193a1b2c3d47e5f8a00000000000000",
		"0193a1b2-c3d4-7e5",
		"0193a1b2-c3d4-7e5g-8a00-000000000000",
		"u1",
		"",
		"ünïcödé-user",
	} {
		var got int64
		if err := plain.QueryRow(`SELECT chimed_user_key($1)`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := sqlstore.UserKey(id); got != want {
			t.Errorf("chimed_user_key(%q) = %#x, sqlstore.UserKey = %#x", id, got, want)
		}
	}
}

// A database dropped and created again answers, but holds no schema: Ping
// says the store is not ready, so /readyz takes the instance out of the
// load balancer instead of letting every request fail.
func TestPingNeedsTheSchema(t *testing.T) {
	ctx := context.Background()
	store, admin := openWithPlainPool(t)
	if err := store.Ping(ctx); err != nil {
		t.Fatalf("Ping of a migrated database: %v", err)
	}
	for _, stmt := range []string{`DELETE FROM schema_migrations`, `DROP SCHEMA public CASCADE`} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		if err := store.Ping(ctx); err == nil {
			t.Errorf("after %s, Ping = nil, want an error", stmt)
		}
	}
}

// openWithPlainPool opens a store on a new database, and a plain pool on the
// same database for what chimed itself would not do to it.
func openWithPlainPool(t *testing.T) (*sqlstore.DB, *sql.DB) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	store, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg, _, err := parseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	plain := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { plain.Close() })
	return store, plain
}

// A database that stops answering without closing its connections (a
// frozen primary, a network black-holed during a fail-over) makes a request
// a 503 once request_timeout has passed, instead of holding it for as long
// as that lasts.
func TestFrozenDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	store, proxy := openBehindProxy(t, "request_timeout=1s")
	if err := store.Lookup(ctx, getAnyAccount); err != nil {
		t.Fatal(err)
	}
	proxy.freeze()
	for name, call := range map[string]func() error{
		"Lookup": func() error { return store.Lookup(ctx, getAnyAccount) },
		"View":   func() error { return store.View(ctx, getAnyAccount) },
		"Update": func() error { return store.Update(ctx, getAnyAccount) },
		// The audit trail's writes (and the test API's snapshots) go
		// through a raw transaction of their own.
		"InsertAuditEvents": func() error {
			return store.InsertAuditEvents(ctx, []chime.AuditEvent{{EventId: chime.NewID(), AwsAccountId: "111122223333", Operation: "CreateAccount"}})
		},
	} {
		start := time.Now()
		err := call()
		if took := time.Since(start); chime.ErrorCode(err) != model.ErrorCodeServiceUnavailable || took > 5*time.Second {
			t.Errorf("%s on a frozen database: %v (code %q) after %s, want a 503 after about 1s", name, err, chime.ErrorCode(err), took)
		}
	}
}

// openBehindProxy opens a store on a new database, reached through a
// freezingProxy, with settings added to its URL; closed when t ends.
func openBehindProxy(t *testing.T, settings string) (*sqlstore.DB, *freezingProxy) {
	t.Helper()
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFreezingProxy(t, u.Host)
	u.Host = proxy.addr
	if settings != "" {
		u.RawQuery += "&" + settings
	}
	store, err := Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, proxy
}

// freezingProxy forwards TCP connections to a server until it is frozen;
// from then on it passes nothing either way and closes nothing, as a
// stopped server or a black-holed network does. Once cut, it closes every
// connection and refuses new ones, as a server that is down does.
type freezingProxy struct {
	addr   string
	frozen atomic.Bool
	// holding holds the server's answers only, as a network that breaks
	// after a request went out.
	holding atomic.Bool
	ln      net.Listener
	mu      sync.Mutex
	conns   []net.Conn
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{addr: ln.Addr().String(), ln: ln}
	var conns sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		p.release()
		conns.Wait()
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			conns.Add(2)
			go p.pass(&conns, server, client, &p.frozen)
			go p.pass(&conns, client, server, &p.holding)
		}
	}()
	return p
}

func (p *freezingProxy) freeze() { p.frozen.Store(true) }

// holdAnswers holds the server's answers until release.
func (p *freezingProxy) holdAnswers() { p.holding.Store(true) }

func (p *freezingProxy) release() {
	p.holding.Store(false)
	p.frozen.Store(false)
}

func (p *freezingProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// pass copies from src to dst, holding what it read while the proxy is
// frozen or held is set; it closes both when either side ends.
func (p *freezingProxy) pass(wg *sync.WaitGroup, dst, src net.Conn, held *atomic.Bool) {
	defer wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for p.frozen.Load() || held.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Connections the server ended (pg_terminate_backend, a restart, a
// fail-over) are replaced: a transaction that failed on one before its
// commit runs again on a new connection, and the caller sees nothing.
func TestLostConnectionsAreReplaced(t *testing.T) {
	ctx := context.Background()
	store, admin := openWithPlainPool(t)
	calls := map[string]func() error{
		"Lookup": func() error { return store.Lookup(ctx, getAnyAccount) },
		"View":   func() error { return store.View(ctx, getAnyAccount) },
		"Update": func() error {
			return store.Update(ctx, func(tx chime.Tx) error {
				return tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: chime.NewID(), Name: "after"})
			})
		},
	}
	for name, call := range calls {
		// Several at once, so that the pool holds several connections.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := call(); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			})
		}
		wg.Wait()
		if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		for range 8 {
			if err := call(); err != nil {
				t.Errorf("%s after the server ended its connections: %v", name, err)
			}
		}
	}
}

// A read whose connection the server ends before its commit (the commit
// then fails) is run again: unlike a write's, its outcome is not in doubt.
func TestReadLosingItsConnectionAtCommitRunsAgain(t *testing.T) {
	store, admin := openWithPlainPool(t)
	runs := 0
	err := store.View(context.Background(), func(tx chime.Tx) error {
		runs++
		if err := getAnyAccount(tx); err != nil {
			return err
		}
		if runs == 1 {
			_, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			return err
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Fatalf("View ran %d times and answered %v: want a second run and no error", runs, err)
	}
}

// getAnyAccount reads an account that may not exist.
func getAnyAccount(tx chime.Tx) error {
	_, err := tx.GetAccount("111122223333", "a1")
	if errors.Is(err, chime.ErrNoRows) {
		return nil
	}
	return err
}

// A database that cannot be reached at all is a 503 the SDKs retry, for
// reads and writes alike, after about a second of tries: the waits between
// them (doubling from 2 ms to 200 ms, each 0.5 to 1.5 times that) add up to
// 0.5-1.6 s, time for a restart or a connection to come free, without a
// storm of connection attempts at a server that may be at its limit.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	store, proxy := openBehindProxy(t, "")
	proxy.cut()
	for name, call := range map[string]func() error{
		"Lookup": func() error { return store.Lookup(ctx, getAnyAccount) },
		"View":   func() error { return store.View(ctx, getAnyAccount) },
		"Update": func() error { return store.Update(ctx, getAnyAccount) },
	} {
		start := time.Now()
		err := call()
		if chime.ErrorCode(err) != model.ErrorCodeServiceUnavailable {
			t.Errorf("%s with the database unreachable: %v (code %q), want a 503", name, err, chime.ErrorCode(err))
		}
		if took := time.Since(start); took < 500*time.Millisecond {
			t.Errorf("%s gave up after %v of tries, want about a second", name, took)
		}
	}
}

// A commit whose answer never comes may have been written: the request is
// not answered as a 503 "try again", and the transaction is not run again.
func TestUnknownCommitIsNotUnavailable(t *testing.T) {
	ctx := context.Background()
	store, proxy := openBehindProxy(t, "request_timeout=1s")
	id := chime.NewID()
	runs := 0
	err := store.Update(ctx, func(tx chime.Tx) error {
		runs++
		if err := tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: id, Name: "once"}); err != nil {
			return err
		}
		proxy.holdAnswers() // the COMMIT goes out; its answer does not come back
		return nil
	})
	proxy.release()
	if err == nil || chime.ErrorCode(err) == model.ErrorCodeServiceUnavailable || runs != 1 {
		t.Fatalf("Update ran %d times and answered %v (code %q): want one run and an error that is no 503", runs, err, chime.ErrorCode(err))
	}
}

// OrdersTextByBytes tells the C collation from a linguistic one.
func TestOrdersTextByBytes(t *testing.T) {
	tests := []struct {
		options string
		want    bool
	}{
		{"", true}, // the test server's default, C
		{"TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'", false},
		{"TEMPLATE template0 LOCALE 'C.UTF-8'", true},
	}
	for _, tt := range tests {
		t.Run(tt.options, func(t *testing.T) {
			store, err := Open(context.Background(), pgtest.NewDatabase(t, tt.options))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			got, err := store.OrdersTextByBytes(context.Background())
			if err != nil || got != tt.want {
				t.Errorf("OrdersTextByBytes() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// The errors the server raises are answered as the service needs them: a
// transaction that lost a race, or whose connection broke, runs again (and
// here succeeds); a statement past statement_timeout or a full disk is a 503
// the SDKs retry; a duplicate is chime.ErrNotUnique; anything else fails the
// request as it is. The error is raised by a trigger, once, with the code a
// real failure would have.
func TestServerErrorsClassified(t *testing.T) {
	ctx := context.Background()
	store, admin := openWithPlainPool(t)
	if _, err := admin.Exec(`CREATE SEQUENCE raises;
		CREATE FUNCTION raise_once() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('raises') = 1 THEN
				RAISE EXCEPTION 'injected %', TG_ARGV[0] USING ERRCODE = TG_ARGV[0];
			END IF;
			RETURN NEW;
		END $$`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sqlState string
		runs     int    // how many times the transaction ran
		code     string // the error's chime.ErrorCode; "" with no error when runs is 2
		is       error  // when set, the error is this one
	}{
		{sqlState: "40001", runs: 2},                                          // serialization_failure
		{sqlState: "40P01", runs: 2},                                          // deadlock_detected
		{sqlState: "55P03", runs: 2},                                          // lock_not_available
		{sqlState: "08006", runs: 2},                                          // connection_failure
		{sqlState: "08003", runs: 2},                                          // connection_does_not_exist
		{sqlState: "57P01", runs: 2},                                          // admin_shutdown
		{sqlState: "57P02", runs: 2},                                          // crash_shutdown
		{sqlState: "57P03", runs: 2},                                          // cannot_connect_now
		{sqlState: "57P05", runs: 2},                                          // idle_session_timeout
		{sqlState: "57014", runs: 1, code: model.ErrorCodeServiceUnavailable}, // query_canceled
		{sqlState: "53100", runs: 1, code: model.ErrorCodeServiceUnavailable}, // disk_full
		{sqlState: "23505", runs: 1, is: chime.ErrNotUnique},                  // unique_violation
		{sqlState: "23503", runs: 1},                                          // foreign_key_violation: a bug, an internal error
		{sqlState: "53200", runs: 1},                                          // out_of_memory
	}
	for _, tt := range tests {
		t.Run(tt.sqlState, func(t *testing.T) {
			if _, err := admin.Exec(`ALTER SEQUENCE raises RESTART;
				DROP TRIGGER IF EXISTS raise ON accounts;
				CREATE TRIGGER raise BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION raise_once('` + tt.sqlState + `')`); err != nil {
				t.Fatal(err)
			}
			runs := 0
			err := store.Update(ctx, func(tx chime.Tx) error {
				runs++
				return tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: chime.NewID(), Name: tt.sqlState})
			})
			switch {
			case runs != tt.runs:
				t.Errorf("ran %d times (%v), want %d", runs, err, tt.runs)
			case tt.runs == 2 && err != nil:
				t.Errorf("the second run failed: %v", err)
			case tt.runs == 1 && err == nil:
				t.Errorf("no error, want one")
			case tt.runs == 1 && chime.ErrorCode(err) != tt.code:
				t.Errorf("got %v (code %q), want code %q", err, chime.ErrorCode(err), tt.code)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("got %v, want %v", err, tt.is)
			}
		})
	}
}

// safeToRetry is an error pgx made before anything reached the server.
type safeToRetry struct{}

func (safeToRetry) Error() string     { return "conn busy" }
func (safeToRetry) SafeToRetry() bool { return true }

// Failures below SQL are a lost connection (tried again on another, then a
// 503), except the caller's or the store's time running out.
func TestIsConnectionLost(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"network", fmt.Errorf("receive message: %w", reset), true},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), true},
		{"bad connection", driver.ErrBadConn, true},
		{"closed connection", fmt.Errorf("begin: %w", pgconn.ErrConnClosed), true},
		{"nothing sent", safeToRetry{}, true},
		{"admin_shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), false},
		{"deadline of a network read", &net.OpError{Op: "read", Net: "tcp", Err: context.DeadlineExceeded}, false},
		{"canceled", errors.Join(reset, context.Canceled), false},
		{"unique_violation", &pgconn.PgError{Code: "23505"}, false},
		{"a bug", errors.New("sql: converting argument"), false},
	}
	for _, tt := range tests {
		if got := isConnectionLost(tt.err); got != tt.want {
			t.Errorf("%s: isConnectionLost(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// pool_max_conns caps the connections one instance opens (an operator sizes
// it against the server's max_connections), and the pool keeps them all
// open between requests rather than opening them again.
func TestPoolMaxConns(t *testing.T) {
	ctx := context.Background()
	store, admin := openWithSession(t, "pool_max_conns=3")
	conns := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'chimed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var inside atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			err := store.View(ctx, func(tx chime.Tx) error {
				inside.Add(1)
				defer inside.Add(-1)
				if err := getAnyAccount(tx); err != nil {
					return err
				}
				<-release
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	for deadline := time.Now().Add(10 * time.Second); inside.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // for any more to come in
	n, open := inside.Load(), conns()
	close(release)
	wg.Wait()
	if n != 3 || open != 3 {
		t.Errorf("%d transactions at once on %d connections, want 3 on 3", n, open)
	}
	time.Sleep(100 * time.Millisecond) // for a connection the pool would close to end
	if open := conns(); open != 3 {
		t.Errorf("%d connections open once idle, want the 3 kept", open)
	}
}

// Connections older than pool_max_conn_lifetime, or idle for longer than
// pool_max_conn_idle_time, are replaced by new ones (after a fail-over
// behind one name, so that they reach the new primary).
func TestPoolReplacesOldConnections(t *testing.T) {
	for _, setting := range []string{"pool_max_conn_lifetime=100ms", "pool_max_conn_idle_time=100ms"} {
		t.Run(setting, func(t *testing.T) {
			ctx := context.Background()
			store, admin := openWithSession(t, setting)
			pids := func() []int32 {
				rows, _ := admin.Query(ctx, `SELECT pid FROM pg_stat_activity
					WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'chimed' ORDER BY pid`)
				pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
				if err != nil {
					t.Fatal(err)
				}
				return pids
			}
			if err := store.Lookup(ctx, getAnyAccount); err != nil {
				t.Fatal(err)
			}
			before := pids()
			// database/sql looks for idle connections to close once a second.
			time.Sleep(1500 * time.Millisecond)
			if err := store.Lookup(ctx, getAnyAccount); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				after := pids()
				if !slices.ContainsFunc(before, func(pid int32) bool { return slices.Contains(after, pid) }) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("connections %v still open after 1.5 s and more: %v", before, after)
				}
			}
		})
	}
}

// A View reads one snapshot: what commits meanwhile is not seen halfway
// through (a list and its count agree).
func TestViewReadsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	store, _ := openWithSettings(t, "pool_max_conns=2")
	acct := &chime.Account{AwsAccountID: "111122223333", AccountID: "a1", Name: "before", AccountType: "Team", CreatedAt: time.Now().UTC()}
	if err := store.Update(ctx, func(tx chime.Tx) error { return tx.InsertAccount(acct) }); err != nil {
		t.Fatal(err)
	}
	var first, second string
	err := store.View(ctx, func(tx chime.Tx) error {
		a, err := tx.GetAccount("111122223333", "a1")
		if err != nil {
			return err
		}
		first = a.Name
		if err := store.Update(ctx, func(tx chime.Tx) error {
			a, err := tx.GetAccount("111122223333", "a1")
			if err != nil {
				return err
			}
			a.Name = "after"
			return tx.SaveAccount(a)
		}); err != nil {
			return err
		}
		if a, err = tx.GetAccount("111122223333", "a1"); err != nil {
			return err
		}
		second = a.Name
		return nil
	})
	if err != nil || first != "before" || second != "before" {
		t.Fatalf("View read %q then %q (%v), want %q twice", first, second, err, "before")
	}
}

// A database that accepts connections but does not answer (frozen, or
// black-holed) fails Open within request_timeout, so that an instance
// starting against it exits instead of hanging.
func TestOpenOnFrozenDatabaseFails(t *testing.T) {
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFreezingProxy(t, u.Host)
	proxy.freeze()
	u.Host = proxy.addr
	u.RawQuery += "&request_timeout=500ms"
	done := make(chan error, 1)
	go func() {
		store, err := Open(context.Background(), u.String())
		if err == nil {
			store.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "connect to") {
			t.Fatalf("Open on a frozen database: %v, want an error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open on a frozen database still waits after 10 s, with request_timeout=500ms")
	}
}

// The error of a database that cannot be reached names it without its
// password: it goes to the log.
func TestOpenErrorHidesPassword(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Open(context.Background(), "postgres://chimed:s3cret@"+addr+"/chimed?sslmode=disable&request_timeout=2s")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "chimed:xxxxx@"+addr) {
		t.Fatalf("Open of an unreachable database: %v, want an error naming it without its password", err)
	}
}

// A server at its connection limit (max_connections, or a role's or a
// database's CONNECTION LIMIT, all SQLSTATE 53300) refuses a new connection
// before any transaction began: the request waits for a connection to come
// free as it would for a lost one, and is a 503 the SDKs retry when none
// does, not an internal error. Here the role may hold one connection.
func TestConnectionLimitIsUnavailable(t *testing.T) {
	ctx := context.Background()
	admin, err := sql.Open("pgx", pgtest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := "chimed_limited_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN PASSWORD 'limited' CONNECTION LIMIT 1`); sqlState(err) == "42501" {
		t.Skipf("%s's role may not create roles: %v", pgtest.EnvVar, err)
	} else if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the database goes before its owner.
	t.Cleanup(func() { admin.Exec(`DROP ROLE ` + role) })
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`ALTER DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` OWNER TO ` + role); err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "limited")
	store, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	for _, tt := range []struct {
		name    string
		holdFor time.Duration // how long the first View keeps the role's one connection
		code    string        // the second View's error code
	}{
		{"freed meanwhile", 100 * time.Millisecond, ""},
		{"never freed", time.Minute, model.ErrorCodeServiceUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			held, done, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				first <- store.View(ctx, func(tx chime.Tx) error {
					if err := getAnyAccount(tx); err != nil {
						return err
					}
					close(held)
					select {
					case <-time.After(tt.holdFor):
					case <-done:
					}
					return nil
				})
			}()
			select {
			case <-held:
			case err := <-first:
				t.Fatalf("the View to hold the connection: %v", err)
			}
			err := store.View(ctx, getAnyAccount)
			close(done)
			if err := <-first; err != nil {
				t.Errorf("the View holding the connection: %v", err)
			}
			if chime.ErrorCode(err) != tt.code || (tt.code == "" && err != nil) {
				t.Errorf("a View while the role's connection is held: %v (code %q), want code %q", err, chime.ErrorCode(err), tt.code)
			}
		})
	}
}
