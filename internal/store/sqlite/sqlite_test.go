package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
	"github.com/chimed/chimed/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	for name, access := range map[string]sqlite.Access{"exclusive": sqlite.Exclusive, "shared": sqlite.Shared} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Open {
				path := filepath.Join(t.TempDir(), "chimed.db")
				return func(ctx context.Context) (chime.Store, error) { return sqlite.Open(ctx, path, access) }
			})
		})
	}
}

// The environment variables with which this test binary, run again as
// another process, opens a database instead of testing: see TestMain.
const (
	childPath   = "CHIMED_SQLITE_TEST_OPEN"
	childShared = "CHIMED_SQLITE_TEST_SHARED"
)

// TestMain lets a test run this binary as a second process that opens the
// database at $CHIMED_SQLITE_TEST_OPEN, reads account a1 and prints its
// name, or prints why it could not.
func TestMain(m *testing.M) {
	if path := os.Getenv(childPath); path != "" {
		os.Stdout.WriteString(openAndRead(path, os.Getenv(childShared) != ""))
		return
	}
	os.Exit(m.Run())
}

func openAndRead(path string, shared bool) string {
	access := sqlite.Exclusive
	if shared {
		access = sqlite.Shared
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, access)
	if err != nil {
		return "error: " + err.Error()
	}
	defer db.Close()
	var a *chime.Account
	err = db.View(ctx, func(tx chime.Tx) error {
		a, err = tx.GetAccount("111122223333", "a1")
		return err
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return "read " + a.Name
}

// otherProcess runs openAndRead in another process and returns what it
// printed and how long it took.
func otherProcess(t *testing.T, path string, shared bool) (string, time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childPath+"="+path)
	if shared {
		cmd.Env = append(cmd.Env, childShared+"=1")
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("other process: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out)), time.Since(start)
}

func openWithAccount(t *testing.T, path string, access sqlite.Access) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, access)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(context.Background(), func(tx chime.Tx) error {
		return tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: "a1", Name: "first"})
	})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

// An exclusive store keeps other processes out, and says so at once rather
// than after busy_timeout; once it is closed, they get in.
func TestExclusiveKeepsOtherProcessesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Exclusive)
	out, took := otherProcess(t, path, false)
	if !strings.Contains(out, "another process has the database open") || !strings.Contains(out, "--sqlite-shared") {
		t.Errorf("other process printed %q, want the refusal naming --sqlite-shared", out)
	}
	if took > 5*time.Second { // busy_timeout would be 10 s
		t.Errorf("the refusal took %v", took)
	}
	// One started with --sqlite-shared is told so too, as quickly.
	out, took = otherProcess(t, path, true)
	if !strings.Contains(out, "another process keeps the database to itself") {
		t.Errorf("shared process printed %q, want the refusal", out)
	}
	if took > 5*time.Second {
		t.Errorf("the shared process's refusal took %v", took)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if out, _ := otherProcess(t, path, false); out != "read first" {
		t.Fatalf("after close, other process printed %q", out)
	}
}

func TestSharedLetsOtherProcessesIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Shared)
	defer db.Close()
	if out, _ := otherProcess(t, path, true); out != "read first" {
		t.Fatalf("other process printed %q", out)
	}
}

// A new database, and the WAL and shared-memory files SQLite makes beside
// it, are readable by their owner only: they hold tokens, keys and
// message text.
func TestNewDatabaseIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimed.db")
	db := openWithAccount(t, path, sqlite.Exclusive)
	defer db.Close()
	for _, p := range []string{path, path + "-wal"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
}

// A Lookup ends its read when it returns: the lookup connections stay open,
// and one still reading would keep the write-ahead log from ever being
// checkpointed to its end (and Scrub from succeeding).
func TestLookupsLeaveNoReadOpen(t *testing.T) {
	ctx := context.Background()
	db := openWithAccount(t, filepath.Join(t.TempDir(), "chimed.db"), sqlite.Exclusive)
	defer db.Close()
	insert := func(userID string) {
		t.Helper()
		err := db.Update(ctx, func(tx chime.Tx) error {
			return tx.InsertUser(&chime.User{AwsAccountID: "111122223333", AccountID: "a1", UserID: userID, UserType: "PrivateUser"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	insert("u1")
	for i, userID := range []string{"u1", "missing"} {
		db.Lookup(ctx, func(tx chime.Tx) error {
			_, err := tx.GetLiveUser("111122223333", "a1", userID)
			return err
		})
		insert(fmt.Sprint("u", i+2))
	}
	if err := db.Scrub(ctx); err != nil {
		t.Fatalf("checkpoint after Lookups: %v", err)
	}
}

// A database file deleted or replaced under a running store would take
// writes that the next start never sees: the store stops being ready and
// refuses writes instead, saying why.
func TestDeletedOrReplacedFileRefusesWrites(t *testing.T) {
	tests := []struct {
		name   string
		change func(path string) error
	}{
		{"deleted", func(path string) error { return os.Remove(path) }},
		{"replaced", func(path string) error {
			if err := os.WriteFile(path+".new", nil, 0o600); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "chimed.db")
			db := openWithAccount(t, path, sqlite.Exclusive)
			defer db.Close()
			if err := db.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.change(path); err != nil {
				t.Fatal(err)
			}
			if err := db.Ping(ctx); err == nil || !strings.Contains(err.Error(), "deleted or replaced") {
				t.Errorf("Ping: %v, want the file named as deleted or replaced", err)
			}
			err := db.Update(ctx, func(tx chime.Tx) error {
				return tx.InsertAccount(&chime.Account{AwsAccountID: "111122223333", AccountID: "a2", Name: "second"})
			})
			if err == nil || !strings.Contains(err.Error(), "writes are refused") {
				t.Errorf("Update: %v, want a refusal", err)
			}
		})
	}
}

// openOnASmallDisk opens a database on a file system of its own that a few
// hundred writes fill: a 1 MB tmpfs, which only root mounts (the test is
// skipped otherwise).
func openOnASmallDisk(t *testing.T) *sqlstore.DB {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return openWithAccount(t, filepath.Join(dir, "chimed.db"), sqlite.Exclusive)
}

// A write the disk has no room for changes nothing and is a 503 that says
// why, not an internal error or a commit of unknown outcome; reads go on.
func TestDiskFullRefusesWrites(t *testing.T) {
	ctx := context.Background()
	db := openOnASmallDisk(t)
	defer db.Close()
	var err error
	written := 0
	for ; err == nil && written < 100000; written++ {
		err = db.Update(ctx, func(tx chime.Tx) error {
			return tx.InsertUser(&chime.User{AwsAccountID: "111122223333", AccountID: "a1", UserID: fmt.Sprintf("u%06d", written),
				Email: fmt.Sprintf("u%06d@example.com", written), UserType: "PrivateUser", DisplayName: strings.Repeat("x", 500)})
		})
	}
	if chime.ErrorCode(err) != "ServiceUnavailable" || !strings.Contains(err.Error(), "disk is full") || strings.Contains(err.Error(), "unknown outcome") {
		t.Fatalf("after %d users: %v, want a 503 saying the disk is full", written-1, err)
	}
	// The refused user is not there; the ones before it are.
	last := fmt.Sprintf("u%06d", written-1)
	err = db.View(ctx, func(tx chime.Tx) error {
		if _, err := tx.GetLiveUser("111122223333", "a1", last); !errors.Is(err, chime.ErrNoRows) {
			return fmt.Errorf("the refused user: %v", err)
		}
		_, err := tx.GetLiveUser("111122223333", "a1", "u000000")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Writes that commit together (the store's group commit) when the disk
// fills are refused together: every write acknowledged is there afterwards.
func TestDiskFullLosesNoAcknowledgedWrite(t *testing.T) {
	ctx := context.Background()
	db := openOnASmallDisk(t)
	defer db.Close()
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; i < 100000; i++ {
				id := fmt.Sprintf("w%d-u%06d", w, i)
				err := db.Update(ctx, func(tx chime.Tx) error {
					return tx.InsertUser(&chime.User{AwsAccountID: "111122223333", AccountID: "a1", UserID: id,
						Email: id + "@example.com", UserType: "PrivateUser", DisplayName: strings.Repeat("x", 500)})
				})
				if err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	err := db.View(ctx, func(tx chime.Tx) error {
		for _, id := range acked {
			if _, err := tx.GetLiveUser("111122223333", "a1", id); err != nil {
				return fmt.Errorf("user %s, whose write was acknowledged: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("of %d acknowledged writes: %v", len(acked), err)
	}
}

// A path may hold any character a file name can: chimed opens the file it
// created and checks, with its settings (here, exclusive access), whatever
// SQLite's URI filenames make of '?', '#' and '%'.
func TestPathWithURICharacters(t *testing.T) {
	for i, name := range []string{"data?v1.db", "data#v1.db", "data%41.db", "da ta.db"} {
		// Not t.TempDir within t.Run: the subtest's name, in the
		// directory's, would hold the characters too.
		dir := filepath.Join(t.TempDir(), strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			db := openWithAccount(t, path, sqlite.Exclusive)
			defer db.Close()
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), name) {
					t.Errorf("chimed made %q beside %q", e.Name(), name)
				}
			}
			if out, _ := otherProcess(t, path, false); !strings.Contains(out, "another process has the database open") {
				t.Errorf("another process opening %q printed %q, want it kept out", name, out)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := db.Ping(context.Background()); err == nil {
				t.Errorf("Ping after %q was deleted succeeded", name)
			}
		})
	}
	// The relative path of the same name opens the same file.
	dir := t.TempDir()
	t.Chdir(dir)
	db := openWithAccount(t, "rel?x.db", sqlite.Exclusive)
	db.Close()
	if _, err := os.Stat(filepath.Join(dir, "rel?x.db")); err != nil {
		t.Fatal(err)
	}
}
