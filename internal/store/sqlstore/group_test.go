package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/store/sqlite"
)

// TestGroupCommitKeepsTransactionsApart runs many concurrent read-write
// transactions, which SQLite's store commits in groups: each must succeed or
// fail on its own, as if it ran alone.
func TestGroupCommitKeepsTransactionsApart(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "group.db"), sqlite.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acct := &chime.Account{AwsAccountID: "111122223333", AccountID: "acct", Name: "a", AccountType: "Team", CreatedAt: time.Now()}
	if err := db.Update(ctx, func(tx chime.Tx) error { return tx.InsertAccount(acct) }); err != nil {
		t.Fatal(err)
	}
	user := func(i int, email string) *chime.User {
		return &chime.User{AwsAccountID: acct.AwsAccountID, AccountID: acct.AccountID, UserID: fmt.Sprintf("u%04d", i), Email: email, UserType: "PrivateUser"}
	}
	refused := errors.New("refused after writing")
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	const n = 300
	type outcome struct {
		err      error
		panicked any
	}
	got := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { got[i].panicked = recover() }()
			c := ctx
			if i%11 == 0 {
				c = canceled
			}
			got[i].err = db.Update(c, func(tx chime.Tx) error {
				switch {
				case i%5 == 0: // the same email as user 0: only one of them may exist
					return tx.InsertUser(user(i, "same@example.com"))
				case i%7 == 0:
					if err := tx.InsertUser(user(i, fmt.Sprintf("u%d@example.com", i))); err != nil {
						return err
					}
					return refused
				case i == 13:
					if err := tx.InsertUser(user(i, "panic@example.com")); err != nil {
						return err
					}
					panic("fn panicked")
				}
				return tx.InsertUser(user(i, fmt.Sprintf("u%d@example.com", i)))
			})
		})
	}
	wg.Wait()

	sameWinners := 0
	err = db.View(ctx, func(tx chime.Tx) error {
		for i, o := range got {
			_, lookup := tx.GetUser(acct.AccountID, fmt.Sprintf("u%04d", i))
			stored := lookup == nil
			switch {
			case i%11 == 0:
				if !errors.Is(o.err, context.Canceled) || stored {
					t.Errorf("tx %d with a canceled context: err %v, stored %v", i, o.err, stored)
				}
			case i%5 == 0:
				if stored != (o.err == nil) || (o.err != nil && !errors.Is(o.err, chime.ErrNotUnique)) {
					t.Errorf("tx %d (shared email): err %v, stored %v", i, o.err, stored)
				}
				if stored {
					sameWinners++
				}
			case i%7 == 0:
				if !errors.Is(o.err, refused) || stored {
					t.Errorf("tx %d that refused after writing: err %v, stored %v", i, o.err, stored)
				}
			case i == 13:
				if o.panicked != "fn panicked" || stored {
					t.Errorf("tx %d that panicked: panic %v, stored %v", i, o.panicked, stored)
				}
			default:
				if o.err != nil || o.panicked != nil || !stored {
					t.Errorf("tx %d: err %v, panic %v, stored %v", i, o.err, o.panicked, stored)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sameWinners != 1 {
		t.Errorf("%d transactions stored the shared email, want exactly 1", sameWinners)
	}
}
