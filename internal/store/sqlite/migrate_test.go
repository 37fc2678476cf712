package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/store/sqlite"
)

// Migration 0010 moves the users of a database made before it into the
// table keyed by chimed_user_key, where lookups by ID find them.
func TestUserKeysMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	openWithAccount(t, path, sqlite.Shared).Close()
	users := []*chime.User{
		{AwsAccountID: "111122223333", AccountID: "a1", UserID: "00000000-d492-40ff-aad1-12b603e23a91", Email: "uuid@example.com"},
		{AwsAccountID: "111122223333", AccountID: "a1", UserID: "not-a-uuid", Email: "plain@example.com"},
	}
	raw := openRaw(t, path)
	stmts := []string{
		`DROP TABLE users`,
		`CREATE TABLE users (account_id TEXT NOT NULL, user_id TEXT NOT NULL, aws_account_id TEXT NOT NULL,
			email_key TEXT, user_type TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (account_id, user_id))`,
		`CREATE UNIQUE INDEX users_by_email ON users (aws_account_id, email_key)`,
		`DELETE FROM schema_migrations WHERE name = 'migrations/0010_user_keys.sqlite.sql'`,
	}
	for _, stmt := range stmts {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, u := range users {
		doc, _ := json.Marshal(u)
		_, err := raw.Exec(`INSERT INTO users (account_id, user_id, aws_account_id, email_key, user_type, doc) VALUES (?, ?, ?, ?, '', ?)`,
			u.AccountID, u.UserID, u.AwsAccountID, u.Email, string(doc))
		if err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	db, err := sqlite.Open(context.Background(), path, sqlite.Shared)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, want := range users {
		var got *chime.User
		err := db.Lookup(context.Background(), func(tx chime.Tx) error {
			got, err = tx.GetLiveUser(want.AwsAccountID, want.AccountID, want.UserID)
			return err
		})
		if err != nil || got.Email != want.Email {
			t.Errorf("after the migration, GetLiveUser(%s) = %+v, %v", want.UserID, got, err)
		}
	}
}

// A snapshot taken before migration 0010 has users without their key:
// restoring it computes the key, and lookups by ID find them.
func TestRestoreOfASnapshotWithoutUserKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Shared)
	defer db.Close()
	const userID = "0193a1b2-c3d4-7e5f-8a00-000000000001"
	err := db.Update(ctx, func(tx chime.Tx) error {
		return tx.InsertUser(&chime.User{AwsAccountID: "111122223333", AccountID: "a1", UserID: userID, Email: "kept@example.com"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSnapshot(ctx, "111122223333", "before-0010", time.Now()); err != nil {
		t.Fatal(err)
	}
	raw := openRaw(t, path)
	var doc string
	if err := raw.QueryRow(`SELECT doc FROM test_snapshots WHERE snapshot_id = 'before-0010'`).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	var snap map[string][]map[string]any
	if err := json.Unmarshal([]byte(doc), &snap); err != nil || len(snap["users"]) != 1 || snap["users"][0]["user_key"] == nil {
		t.Fatalf("snapshot users %v: %v", snap["users"], err)
	}
	delete(snap["users"][0], "user_key")
	old, _ := json.Marshal(snap)
	if _, err := raw.Exec(`UPDATE test_snapshots SET doc = ? WHERE snapshot_id = 'before-0010'`, string(old)); err != nil {
		t.Fatal(err)
	}

	if err := db.RestoreSnapshot(ctx, "111122223333", "before-0010"); err != nil {
		t.Fatal(err)
	}
	var u *chime.User
	err = db.Lookup(ctx, func(tx chime.Tx) error {
		u, err = tx.GetLiveUser("111122223333", "a1", userID)
		return err
	})
	if err != nil || u.Email != "kept@example.com" {
		t.Fatalf("after the restore, GetLiveUser = %+v, %v", u, err)
	}
}

// A database a newer chimed migrated is refused, naming what this version
// does not know, and left as it was.
func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	openWithAccount(t, path, sqlite.Shared).Close()
	raw := openRaw(t, path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations (name) VALUES ('migrations/9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.Shared)
	if err == nil {
		db.Close()
		t.Fatal("opened a database a newer chimed migrated")
	}
	if !strings.Contains(err.Error(), "a newer chimed has migrated this database (migrations/9999_future.sql)") {
		t.Fatalf("got %v, want the unknown migration named", err)
	}
}

// A file that no longer records the migrations this chimed applied (an old
// copy put in place under it) is not ready: Ping says so, as it does on
// PostgreSQL for a database dropped and created again.
func TestPingNeedsTheSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Shared)
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping of a migrated database: %v", err)
	}
	if _, err := openRaw(t, path).Exec(`DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil || !strings.Contains(err.Error(), "is not recorded") {
		t.Fatalf("Ping without the migrations recorded = %v, want not recorded", err)
	}
}

// A user row whose key is not chimed_user_key of its ID, as a chimed from
// before migration 0010 would write (a rollback), is refused: lookups by ID
// would never find it.
func TestUserKeyGuard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	openWithAccount(t, path, sqlite.Shared).Close()
	raw := openRaw(t, path)
	_, err := raw.Exec(`INSERT INTO users (account_id, user_id, aws_account_id, email_key, user_type, doc)
		VALUES ('a1', '8e9d2500-0000-4000-8000-000000000001', '111122223333', 'old@example.com', 'PrivateUser', '{}')`)
	if err == nil || !strings.Contains(err.Error(), "users.user_key must be chimed_user_key(user_id)") {
		t.Fatalf("an insert without the key: %v, want it refused", err)
	}
}

// openRaw opens the database file with the driver alone, beside a store or
// as an older chimed would; it is closed with the test.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// An upgrade logs its steps; the migrations of a new database are not an
// upgrade and log nothing.
func TestUpgradeStepsAreLogged(t *testing.T) {
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	path := filepath.Join(t.TempDir(), "chimed.db")
	openWithAccount(t, path, sqlite.Shared).Close()
	if strings.Contains(logged.String(), "upgrading") {
		t.Fatalf("a new database logged:\n%s", logged.String())
	}
	raw := openRaw(t, path)
	for _, stmt := range []string{`DROP TRIGGER users_key_guard`, `DELETE FROM schema_migrations WHERE name = 'migrations/0012_user_key_guard.sqlite.sql'`} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.Shared)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, want := range []string{`msg="upgrading the database" migration=migrations/0012_user_key_guard.sqlite.sql`, `msg="upgrade step done" migration=migrations/0012_user_key_guard.sqlite.sql took=`} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the upgrade's log:\n%s\nwant %s", logged.String(), want)
		}
	}
}

// Migration 0014 frees the room tokens of accounts deleted before
// DeleteAccount did so itself, and keeps those of live accounts.
func TestDeletedRoomTokensMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Shared)
	deleted := time.Unix(1_700_000_000, 0).UTC()
	err := db.Update(ctx, func(tx chime.Tx) error {
		return errors.Join(
			tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: "gone", DeletedAt: &deleted}),
			tx.InsertRoom(&chime.Room{AwsAccountID: "111122223333", AccountID: "gone", RoomID: "r1", TokenHash: "h-gone"}),
			tx.InsertRoom(&chime.Room{AwsAccountID: "111122223333", AccountID: "a1", RoomID: "r2", TokenHash: "h-live"}))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw := openRaw(t, path)
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE name = 'migrations/0014_free_deleted_room_tokens.sql'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err = sqlite.Open(ctx, path, sqlite.Shared)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for hash, want := range map[string]error{"h-gone": chime.ErrNoRows, "h-live": nil} {
		err := db.View(ctx, func(tx chime.Tx) error {
			_, err := tx.FindRoomByToken("111122223333", hash)
			return err
		})
		if !errors.Is(err, want) {
			t.Errorf("after the migration, FindRoomByToken(%s): %v, want %v", hash, err, want)
		}
	}
}
