package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Open {
		path := filepath.Join(t.TempDir(), "chimed.db")
		return func(ctx context.Context) (chime.Store, error) { return sqlite.Open(ctx, path) }
	})
}
