package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

func emailKey(u *chime.User) any {
	if u.Email == "" {
		return nil
	}
	return strings.ToLower(u.Email)
}

// Statements find a user by its key, UserKey(user_id), and check the ID as
// well: two IDs may share a key.

func (t *tx) InsertUser(u *chime.User) error {
	res, err := t.exec(`INSERT INTO users (user_key, account_id, user_id, aws_account_id, email_key, user_type, doc)
		VALUES ($7, $1, $2, $3, $4, $5, $6) ON CONFLICT (user_key) DO NOTHING`,
		u.AccountID, u.UserID, u.AwsAccountID, emailKey(u), u.UserType, encode(u), UserKey(u.UserID))
	err = mustAffect(res, err)
	if errors.Is(err, chime.ErrNoRows) { // the key is another user's
		return chime.ErrIDTaken
	}
	return err
}

func (t *tx) SaveUser(u *chime.User) error {
	return mustAffect(t.exec(`UPDATE users SET email_key = $1, user_type = $2, doc = $3
		WHERE user_key = $6 AND account_id = $4 AND user_id = $5`,
		emailKey(u), u.UserType, encode(u), u.AccountID, u.UserID, UserKey(u.UserID)))
}

func (t *tx) GetUser(accountID, userID string) (*chime.User, error) {
	u := new(chime.User)
	err := t.getDoc(u, `SELECT doc FROM users WHERE user_key = $3 AND account_id = $1 AND user_id = $2`, accountID, userID, UserKey(userID))
	return u, err
}

func (t *tx) GetLiveUser(awsAccountID, accountID, userID string) (*chime.User, error) {
	var live bool
	var doc sql.NullString
	err := t.queryRow(`SELECT a.deleted_at IS NULL, u.doc FROM accounts a
		LEFT JOIN users u ON u.user_key = $4 AND u.account_id = a.account_id AND u.user_id = $3
		WHERE a.account_id = $1 AND a.aws_account_id = $2`, accountID, awsAccountID, userID, UserKey(userID)).Scan(&live, &doc)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && !live:
		return nil, chime.ErrNoAccount
	case err != nil:
		return nil, t.check(err)
	case !doc.Valid:
		return nil, chime.ErrNoRows
	}
	u := new(chime.User)
	return u, decodeUser(doc.String, u)
}

func (t *tx) FindUserByEmail(awsAccountID, email string) (*chime.User, error) {
	u := new(chime.User)
	err := t.getDoc(u, `SELECT doc FROM users WHERE aws_account_id = $1 AND email_key = $2`, awsAccountID, email)
	return u, err
}

func (t *tx) ListUsers(accountID string, f chime.UserFilter, p chime.Page) ([]*chime.User, error) {
	q := query{sql: `SELECT doc FROM users WHERE account_id = $1 AND user_id > $2`, args: []any{accountID, p.After}}
	if f.Email != "" {
		// On users_by_email: the account's own index would be walked
		// whole for the one user.
		q.add(` AND aws_account_id = `+q.next(), f.AwsAccountID)
		q.add(` AND email_key = `+q.next(), f.Email)
	}
	if f.UserType != "" {
		q.add(` AND user_type = `+q.next(), f.UserType)
	}
	q.sql += ` ORDER BY user_id LIMIT ` + strconv.Itoa(p.Limit)
	return listDocs[chime.User](t, q.sql, q.args...)
}

func (t *tx) DeleteUser(accountID, userID string) error {
	if _, err := t.exec(`DELETE FROM invites WHERE account_id = $1 AND user_id = $2`, accountID, userID); err != nil {
		return err
	}
	return mustAffect(t.exec(`DELETE FROM users WHERE user_key = $3 AND account_id = $1 AND user_id = $2`, accountID, userID, UserKey(userID)))
}

func (t *tx) CountUsers(accountID string) (int, error) {
	return t.count(`SELECT COUNT(*) FROM users WHERE account_id = $1`, accountID)
}

func (t *tx) InsertInvite(inv *chime.Invite) error {
	_, err := t.exec(`INSERT INTO invites (invite_id, account_id, user_id, doc) VALUES ($1, $2, $3, $4)`,
		inv.InviteID, inv.AccountID, inv.UserID, encode(inv))
	return err
}
