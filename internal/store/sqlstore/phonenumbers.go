package sqlstore

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

func millis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *tx) ReservePhoneNumber(n *chime.PhoneNumber) (bool, error) {
	_, err := t.exec(`INSERT INTO phone_numbers (e164, aws_account_id, status, product_type, account_id, user_id, calling_name_due, deleted_at, version, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		n.E164, n.AwsAccountID, n.Status, n.ProductType, orNull(n.AccountID), orNull(n.UserID), millis(n.CallingNameDueAt), millis(n.DeletedAt), n.Version, encode(n))
	if errors.Is(err, chime.ErrNotUnique) {
		return false, nil
	}
	return err == nil, err
}

func (t *tx) GetPhoneNumber(awsAccountID, e164 string) (*chime.PhoneNumber, error) {
	n := new(chime.PhoneNumber)
	err := t.getDoc(n, `SELECT doc FROM phone_numbers WHERE e164 = $1 AND aws_account_id = $2`, e164, awsAccountID)
	return n, err
}

func (t *tx) SavePhoneNumber(n *chime.PhoneNumber) error {
	prev := n.Version
	n.Version++
	err := mustAffect(t.exec(`UPDATE phone_numbers SET status = $1, product_type = $2, account_id = $3, user_id = $4,
		calling_name_due = $5, deleted_at = $6, version = $7, doc = $8
		WHERE e164 = $9 AND aws_account_id = $10 AND version = $11`,
		n.Status, n.ProductType, orNull(n.AccountID), orNull(n.UserID), millis(n.CallingNameDueAt), millis(n.DeletedAt), n.Version, encode(n),
		n.E164, n.AwsAccountID, prev))
	if errors.Is(err, chime.ErrNoRows) {
		n.Version = prev
		return chime.ErrStale
	}
	return err
}

func (t *tx) ListPhoneNumbers(awsAccountID string, f chime.PhoneNumberFilter, p chime.Page) ([]*chime.PhoneNumber, error) {
	q := query{sql: `SELECT doc FROM phone_numbers WHERE aws_account_id = $1 AND e164 > $2`, args: []any{awsAccountID, p.After}}
	for _, c := range []struct{ column, value string }{
		{"status", f.Status}, {"product_type", f.ProductType}, {"account_id", f.AccountID}, {"user_id", f.UserID},
	} {
		if c.value != "" {
			q.add(` AND `+c.column+` = `+q.next(), c.value)
		}
	}
	q.sql += ` ORDER BY e164 LIMIT ` + strconv.Itoa(p.Limit)
	return listDocs[chime.PhoneNumber](t, q.sql, q.args...)
}

func (t *tx) TakenPhoneNumbers(e164s []string) (map[string]bool, error) {
	taken := map[string]bool{}
	if len(e164s) == 0 {
		return taken, nil
	}
	q := query{sql: `SELECT e164 FROM phone_numbers WHERE e164`}
	q.in(e164s)
	rows, err := t.query(q.sql, q.args...)
	if err != nil {
		return nil, t.check(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		taken[e] = true
	}
	return taken, t.check(rows.Err())
}

func (t *tx) DueCallingNames(now time.Time, limit int) ([]*chime.PhoneNumber, error) {
	return listDocs[chime.PhoneNumber](t, `SELECT doc FROM phone_numbers WHERE calling_name_due <= $1 ORDER BY calling_name_due, e164 LIMIT `+strconv.Itoa(limit),
		now.UnixMilli())
}

func (t *tx) PurgePhoneNumbers(cutoff time.Time) (int, error) {
	// At or before: RestorePhoneNumber has the number released at the very
	// end of its retention, so the purge at that moment takes it too.
	res, err := t.exec(`DELETE FROM phone_numbers WHERE status = $1 AND deleted_at <= $2`,
		model.PhoneNumberStatusDeleteInProgress, cutoff.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *tx) InsertOrder(o *chime.PhoneNumberOrder) error {
	_, err := t.exec(`INSERT INTO phone_number_orders (order_id, aws_account_id, list_key, status, due_at, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.OrderID, o.AwsAccountID, o.ListKey(), o.Status, o.DueAt.UnixMilli(), encode(o))
	return err
}

func (t *tx) GetOrder(awsAccountID, orderID string) (*chime.PhoneNumberOrder, error) {
	o := new(chime.PhoneNumberOrder)
	// Order IDs are UUIDs, which clients may write in either case.
	err := t.getDoc(o, `SELECT doc FROM phone_number_orders WHERE order_id = $1 AND aws_account_id = $2`, strings.ToLower(orderID), awsAccountID)
	return o, err
}

func (t *tx) ListOrders(awsAccountID string, p chime.Page) ([]*chime.PhoneNumberOrder, error) {
	return listDocs[chime.PhoneNumberOrder](t, `SELECT doc FROM phone_number_orders WHERE aws_account_id = $1 AND list_key > $2 ORDER BY list_key LIMIT `+strconv.Itoa(p.Limit),
		awsAccountID, p.After)
}

func (t *tx) DueOrders(now time.Time, limit int) ([]*chime.PhoneNumberOrder, error) {
	return listDocs[chime.PhoneNumberOrder](t, `SELECT doc FROM phone_number_orders WHERE status = $1 AND due_at <= $2 ORDER BY due_at, order_id LIMIT `+strconv.Itoa(limit),
		model.PhoneNumberOrderStatusProcessing, now.UnixMilli())
}

func (t *tx) CompleteOrder(o *chime.PhoneNumberOrder) error {
	err := mustAffect(t.exec(`UPDATE phone_number_orders SET status = $1, doc = $2 WHERE order_id = $3 AND status = $4`,
		o.Status, encode(o), o.OrderID, model.PhoneNumberOrderStatusProcessing))
	if errors.Is(err, chime.ErrNoRows) {
		return chime.ErrStale
	}
	return err
}
