package sqlstore

import (
	"strconv"

	"github.com/chimed/chimed/internal/chime"
)

func (t *tx) GetInvite(inviteID string) (*chime.Invite, error) {
	inv := new(chime.Invite)
	err := t.getDoc(inv, `SELECT doc FROM invites WHERE invite_id = $1`, inviteID)
	return inv, err
}

func (t *tx) SaveInvite(inv *chime.Invite) error {
	return mustAffect(t.exec(`UPDATE invites SET doc = $1 WHERE invite_id = $2`, encode(inv), inv.InviteID))
}

func (t *tx) ListInvites(accountID string, p chime.Page) ([]*chime.Invite, error) {
	return listDocs[chime.Invite](t, `SELECT doc FROM invites WHERE account_id = $1 AND invite_id > $2 ORDER BY invite_id LIMIT `+strconv.Itoa(p.Limit),
		accountID, p.After)
}

func (t *tx) UserInvites(accountID, userID string) ([]*chime.Invite, error) {
	return listDocs[chime.Invite](t, `SELECT doc FROM invites WHERE account_id = $1 AND user_id = $2 ORDER BY invite_id`, accountID, userID)
}
