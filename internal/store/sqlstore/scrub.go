package sqlstore

import "context"

// Scrub implements chime.Store: the dialect's Scrub, if it has one.
func (db *DB) Scrub(ctx context.Context) error {
	if db.dialect.Scrub == nil {
		return nil
	}
	return db.dialect.Scrub(ctx, db.write)
}
