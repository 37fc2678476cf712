package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

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
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
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
