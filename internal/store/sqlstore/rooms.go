package sqlstore

import (
	"strconv"

	"github.com/chimed/chimed/internal/chime"
)

func tokenHash(r *chime.Room) any {
	if r.TokenHash == "" {
		return nil
	}
	return r.TokenHash
}

func (t *tx) InsertRoom(r *chime.Room) error {
	_, err := t.exec(`INSERT INTO rooms (room_id, account_id, aws_account_id, token_hash, doc) VALUES ($1, $2, $3, $4, $5)`,
		r.RoomID, r.AccountID, r.AwsAccountID, tokenHash(r), encode(r))
	return err
}

func (t *tx) SaveRoom(r *chime.Room) error {
	return mustAffect(t.exec(`UPDATE rooms SET doc = $1 WHERE account_id = $2 AND room_id = $3`, encode(r), r.AccountID, r.RoomID))
}

func (t *tx) GetRoom(accountID, roomID string) (*chime.Room, error) {
	r := new(chime.Room)
	err := t.getDoc(r, `SELECT doc FROM rooms WHERE account_id = $1 AND room_id = $2`, accountID, roomID)
	return r, err
}

func (t *tx) FindRoomByToken(awsAccountID, tokenHash string) (*chime.Room, error) {
	r := new(chime.Room)
	err := t.getDoc(r, `SELECT doc FROM rooms WHERE aws_account_id = $1 AND token_hash = $2`, awsAccountID, tokenHash)
	return r, err
}

func (t *tx) ForgetRoomTokens(accountID string) error {
	_, err := t.exec(`UPDATE rooms SET token_hash = NULL WHERE account_id = $1 AND token_hash IS NOT NULL`, accountID)
	return err
}

func (t *tx) ListRooms(accountID string, f chime.RoomFilter, p chime.Page) ([]*chime.Room, error) {
	q := query{sql: `SELECT doc FROM rooms WHERE account_id = $1 AND room_id > $2`, args: []any{accountID, p.After}}
	if f.MemberID != "" {
		q.add(` AND room_id IN (SELECT room_id FROM room_memberships WHERE member_id = `+q.next()+`)`, f.MemberID)
	}
	q.sql += ` ORDER BY room_id LIMIT ` + strconv.Itoa(p.Limit)
	return listDocs[chime.Room](t, q.sql, q.args...)
}

func (t *tx) DeleteRoom(accountID, roomID string) error {
	for _, stmt := range []string{
		`DELETE FROM room_memberships WHERE account_id = $1 AND room_id = $2`,
		`DELETE FROM webhooks WHERE account_id = $1 AND room_id = $2`,
		`DELETE FROM messages WHERE account_id = $1 AND parent_id = $2`,
	} {
		if _, err := t.exec(stmt, accountID, roomID); err != nil {
			return err
		}
	}
	return mustAffect(t.exec(`DELETE FROM rooms WHERE account_id = $1 AND room_id = $2`, accountID, roomID))
}

func (t *tx) InsertMembership(m *chime.Membership) error {
	_, err := t.exec(`INSERT INTO room_memberships (room_id, member_id, account_id, doc) VALUES ($1, $2, $3, $4)`,
		m.RoomID, m.MemberID, m.AccountID, encode(m))
	return err
}

func (t *tx) SaveMembership(m *chime.Membership) error {
	return mustAffect(t.exec(`UPDATE room_memberships SET doc = $1 WHERE room_id = $2 AND member_id = $3`, encode(m), m.RoomID, m.MemberID))
}

func (t *tx) GetMembership(roomID, memberID string) (*chime.Membership, error) {
	m := new(chime.Membership)
	err := t.getDoc(m, `SELECT doc FROM room_memberships WHERE room_id = $1 AND member_id = $2`, roomID, memberID)
	return m, err
}

func (t *tx) ListMemberships(roomID string, p chime.Page) ([]*chime.Membership, error) {
	return listDocs[chime.Membership](t, `SELECT doc FROM room_memberships WHERE room_id = $1 AND member_id > $2 ORDER BY member_id LIMIT `+strconv.Itoa(p.Limit),
		roomID, p.After)
}

func (t *tx) DeleteMembership(roomID, memberID string) error {
	return mustAffect(t.exec(`DELETE FROM room_memberships WHERE room_id = $1 AND member_id = $2`, roomID, memberID))
}

func (t *tx) CountRooms(accountID string) (int, error) {
	return t.count(`SELECT COUNT(*) FROM rooms WHERE account_id = $1`, accountID)
}

func (t *tx) CountRoomMembers(roomID string) (int, error) {
	return t.count(`SELECT COUNT(*) FROM room_memberships WHERE room_id = $1`, roomID)
}

func (t *tx) CountMemberRooms(memberID string) (int, error) {
	return t.count(`SELECT COUNT(*) FROM room_memberships WHERE member_id = $1`, memberID)
}
