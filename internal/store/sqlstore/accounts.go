package sqlstore

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/chime"
)

func deletedAt(a *chime.Account) any {
	if a.DeletedAt == nil {
		return nil
	}
	return a.DeletedAt.UnixMilli()
}

func (t *tx) InsertAccount(a *chime.Account) error {
	_, err := t.exec(`INSERT INTO accounts (account_id, aws_account_id, name, deleted_at, doc) VALUES ($1, $2, $3, $4, $5)`,
		a.AccountID, a.AwsAccountID, a.Name, deletedAt(a), encode(a))
	return err
}

func (t *tx) SaveAccount(a *chime.Account) error {
	return mustAffect(t.exec(`UPDATE accounts SET name = $1, deleted_at = $2, doc = $3 WHERE account_id = $4`,
		a.Name, deletedAt(a), encode(a), a.AccountID))
}

func (t *tx) GetAccount(awsAccountID, accountID string) (*chime.Account, error) {
	a := new(chime.Account)
	err := t.getDoc(a, `SELECT doc FROM accounts WHERE account_id = $1 AND aws_account_id = $2`, accountID, awsAccountID)
	return a, err
}

func (t *tx) ListAccounts(awsAccountID string, f chime.AccountFilter, p chime.Page) ([]*chime.Account, error) {
	q := query{sql: `SELECT doc FROM accounts WHERE aws_account_id = $1 AND deleted_at IS NULL AND account_id > $2`}
	q.args = []any{awsAccountID, p.After}
	if f.NamePrefix != "" {
		q.add(` AND substr(name, 1, `+q.next()+`) = `, utf8.RuneCountInString(f.NamePrefix))
		q.add(q.next(), f.NamePrefix)
	}
	if f.UserEmail != "" {
		q.add(` AND account_id IN (SELECT account_id FROM users WHERE aws_account_id = $1 AND email_key = `+q.next()+`)`, f.UserEmail)
	}
	q.sql += ` ORDER BY account_id LIMIT ` + strconv.Itoa(p.Limit)
	return listDocs[chime.Account](t, q.sql, q.args...)
}

func (t *tx) PurgeAccounts(cutoff time.Time) (int, error) {
	// At or before: GetAccount has the account gone at the very end of its
	// retention, so the purge at that moment takes it too.
	at := cutoff.UnixMilli()
	const purged = `SELECT account_id FROM accounts WHERE deleted_at IS NOT NULL AND deleted_at <= $1`
	for _, stmt := range []string{
		`DELETE FROM invites WHERE account_id IN (` + purged + `)`,
		`DELETE FROM users WHERE account_id IN (` + purged + `)`,
		`DELETE FROM room_memberships WHERE account_id IN (` + purged + `)`,
		`DELETE FROM rooms WHERE account_id IN (` + purged + `)`,
		`DELETE FROM bots WHERE account_id IN (` + purged + `)`,
		`DELETE FROM retention_settings WHERE account_id IN (` + purged + `)`,
		`DELETE FROM webhooks WHERE account_id IN (` + purged + `)`,
		`DELETE FROM conversations WHERE account_id IN (` + purged + `)`,
		`DELETE FROM messages WHERE account_id IN (` + purged + `)`,
		`DELETE FROM bot_events WHERE account_id IN (` + purged + `)`,
		`DELETE FROM bot_reply_endpoints WHERE account_id IN (` + purged + `)`,
	} {
		if _, err := t.exec(stmt, at); err != nil {
			return 0, err
		}
	}
	res, err := t.exec(`DELETE FROM accounts WHERE deleted_at IS NOT NULL AND deleted_at <= $1`, at)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// query builds a statement with numbered placeholders ($1, $2, ...), which
// both engines accept.
type query struct {
	sql  string
	args []any
}

// next is the placeholder of the argument add will append next.
func (q *query) next() string { return "$" + strconv.Itoa(len(q.args)+1) }

func (q *query) add(sql string, arg any) {
	q.sql += sql
	q.args = append(q.args, arg)
}

// in appends " IN (...)" with a placeholder for each of values.
func (q *query) in(values []string) {
	q.sql += " IN ("
	for i, v := range values {
		if i > 0 {
			q.sql += ", "
		}
		q.add(q.next(), v)
	}
	q.sql += ")"
}
