package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
)

// Secret returns the server's secret of that name, making it (32 random
// bytes) the first time. Instances racing to make it agree on the first one
// written.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	var value string
	err := db.rawUpdate(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
			name, hex.EncodeToString(fresh[:])); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&value)
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(value)
}
