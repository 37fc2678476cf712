package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/store/sqlstore"
)

// A transaction that loses its race every time is given up after the last
// attempt with a retryable ServiceUnavailable that says why, not an
// internal error.
func TestEndlessLostRacesAreServiceUnavailable(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "races.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	lost := errors.New("could not serialize access")
	db := sqlstore.New(sqlstore.Pools{Write: pool, Read: pool, Lookup: pool},
		sqlstore.Dialect{Name: "racing", IsRetryable: func(err error) bool { return errors.Is(err, lost) }})
	tries := 0
	err = db.Update(context.Background(), func(chime.Tx) error { tries++; return lost })
	var refusal *chime.Error
	if !errors.As(err, &refusal) || refusal.Code != model.ErrorCodeServiceUnavailable || !errors.Is(err, lost) || tries != 12 {
		t.Fatalf("after %d tries: %v", tries, err)
	}
}

// A function that finds the record it read as absent written meanwhile
// (chime.ErrRacedInsert: PostgreSQL need not call that a serialization
// failure) is run again, and its second run's outcome is the answer.
func TestRacedInsertRunsAgain(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "races.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := sqlstore.New(sqlstore.Pools{Write: pool, Read: pool, Lookup: pool}, sqlstore.Dialect{Name: "racing"})
	tries := 0
	err = db.Update(context.Background(), func(chime.Tx) error {
		if tries++; tries == 1 {
			return chime.ErrRacedInsert
		}
		return nil
	})
	if err != nil || tries != 2 {
		t.Fatalf("after %d tries: %v, want success on the second", tries, err)
	}
}
