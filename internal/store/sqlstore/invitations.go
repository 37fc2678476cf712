package sqlstore

import "github.com/chimed/chimed/internal/chime"

func (t *tx) GetInvite(inviteID string) (*chime.Invite, error) {
	inv := new(chime.Invite)
	err := t.getDoc(inv, `SELECT doc FROM invites WHERE invite_id = $1`, inviteID)
	return inv, err
}

func (t *tx) SaveInvite(inv *chime.Invite) error {
	return mustAffect(t.exec(`UPDATE invites SET doc = $1 WHERE invite_id = $2`, encode(inv), inv.InviteID))
}
