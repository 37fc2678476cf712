package sqlstore

import "context"

// Scrub implements chime.Store: the dialect's Scrub, if it has one. When
// readers keep it from finishing (another process's, under --sqlite-shared),
// the scrub is left due rather than failing the call whose change has
// committed; FinishScrub runs it again.
func (db *DB) Scrub(ctx context.Context) error {
	if db.dialect.Scrub == nil {
		return nil
	}
	db.scrubDue.Store(true)
	_, err := db.FinishScrub(ctx)
	return err
}

// FinishScrub implements chime.Store. The flag is cleared before the scrub
// starts, so that a change committed meanwhile leaves it set again.
func (db *DB) FinishScrub(ctx context.Context) (int, error) {
	if !db.scrubDue.Swap(false) {
		return 0, nil
	}
	done, err := db.dialect.Scrub(ctx, db.write)
	if err != nil || !done {
		db.scrubDue.Store(true)
		return 0, err
	}
	return 1, nil
}
