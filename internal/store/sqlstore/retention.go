package sqlstore

import (
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func (t *tx) GetRetention(accountID string) (*chime.Retention, error) {
	r := new(chime.Retention)
	err := t.getDoc(r, `SELECT doc FROM retention_settings WHERE account_id = $1`, accountID)
	return r, err
}

func (t *tx) PutRetention(r *chime.Retention) error {
	var initiate any
	if r.InitiateDeletionAt != nil {
		initiate = r.InitiateDeletionAt.UnixMilli()
	}
	_, err := t.exec(`INSERT INTO retention_settings (account_id, initiate_deletion_at, doc) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET initiate_deletion_at = excluded.initiate_deletion_at, doc = excluded.doc`,
		r.AccountID, initiate, encode(r))
	return err
}

func (t *tx) DueRetention(now time.Time) ([]*chime.Retention, error) {
	return listDocs[chime.Retention](t, `SELECT doc FROM retention_settings WHERE initiate_deletion_at IS NOT NULL AND initiate_deletion_at <= $1 ORDER BY account_id`,
		now.UnixMilli())
}
