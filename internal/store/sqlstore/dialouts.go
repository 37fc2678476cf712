package sqlstore

import (
	"errors"
	"strconv"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func (t *tx) GetTelephonySettings(awsAccountID string) (*chime.TelephonySettings, error) {
	s := new(chime.TelephonySettings)
	err := t.getDoc(s, `SELECT doc FROM telephony_settings WHERE aws_account_id = $1`, awsAccountID)
	return s, err
}

func (t *tx) PutTelephonySettings(s *chime.TelephonySettings) error {
	_, err := t.exec(`INSERT INTO telephony_settings (aws_account_id, doc) VALUES ($1, $2)
		ON CONFLICT (aws_account_id) DO UPDATE SET doc = excluded.doc`, s.AwsAccountID, encode(s))
	return err
}

func (t *tx) InsertDialOut(d *chime.DialOut, leaseUntil time.Time) error {
	_, err := t.exec(`INSERT INTO dial_outs (transaction_id, aws_account_id, status, lease_until, doc) VALUES ($1, $2, $3, $4, $5)`,
		d.TransactionID, d.AwsAccountID, d.Status, leaseUntil.UnixMilli(), encode(d))
	return err
}

func (t *tx) DeleteDialOut(transactionID string) error {
	_, err := t.exec(`DELETE FROM dial_outs WHERE transaction_id = $1`, transactionID)
	return err
}

func (t *tx) GetDialOut(awsAccountID, transactionID string) (*chime.DialOut, error) {
	d := new(chime.DialOut)
	err := t.getDoc(d, `SELECT doc FROM dial_outs WHERE transaction_id = $1 AND aws_account_id = $2`, transactionID, awsAccountID)
	return d, err
}

func (t *tx) SaveDialOut(d *chime.DialOut, prevStatus string) error {
	err := mustAffect(t.exec(`UPDATE dial_outs SET status = $1, doc = $2 WHERE transaction_id = $3 AND status = $4`,
		d.Status, encode(d), d.TransactionID, prevStatus))
	if errors.Is(err, chime.ErrNoRows) {
		return chime.ErrStale
	}
	return err
}

func (t *tx) RenewDialOutLeases(transactionIDs []string, until time.Time) error {
	q := query{sql: `UPDATE dial_outs SET lease_until = $1 WHERE transaction_id`, args: []any{until.UnixMilli()}}
	q.in(transactionIDs)
	_, err := t.exec(q.sql, q.args...)
	return err
}

func (t *tx) DialOutsNamed(transactionIDs []string) ([]*chime.DialOut, error) {
	q := query{sql: `SELECT doc FROM dial_outs WHERE transaction_id`}
	q.in(transactionIDs)
	return listDocs[chime.DialOut](t, q.sql, q.args...)
}

func (t *tx) LapsedDialOuts(now time.Time, limit int) ([]*chime.DialOut, error) {
	return listDocs[chime.DialOut](t, `SELECT doc FROM dial_outs WHERE status NOT IN ($1, $2) AND lease_until < $3 ORDER BY lease_until, transaction_id LIMIT `+strconv.Itoa(limit),
		chime.DialOutFailed, chime.DialOutEnded, now.UnixMilli())
}

func (t *tx) UnfinishedDialOuts(awsAccountID string) ([]*chime.DialOut, error) {
	return listDocs[chime.DialOut](t, `SELECT doc FROM dial_outs WHERE aws_account_id = $1 AND status NOT IN ($2, $3) ORDER BY transaction_id`,
		awsAccountID, chime.DialOutFailed, chime.DialOutEnded)
}
