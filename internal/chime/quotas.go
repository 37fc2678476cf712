package chime

import (
	"errors"

	"github.com/chimed/chimed/internal/model"
)

// Quotas are the limits on chat rooms that Chime enforced, answering
// ResourceLimitExceededException past them. Chime's table also has "rooms
// per profile" (1,500) beside "memberships per profile" (1,000): read as
// the rooms a person created in the app, it has no counterpart for rooms
// created through the API, whose creator is an IAM principal.
type Quotas struct {
	RoomsPerAccount int
	MembersPerRoom  int
	RoomsPerMember  int
}

// DefaultQuotas are Chime's published defaults (AWS General Reference,
// "Amazon Chime endpoints and quotas": rooms per account, memberships per
// room, memberships per profile).
var DefaultQuotas = Quotas{RoomsPerAccount: 1500, MembersPerRoom: 1000, RoomsPerMember: 1000}

// ConfigureQuotas replaces DefaultQuotas.
func (s *Service) ConfigureQuotas(q Quotas) { s.quotas = q }

// insertRoom adds r unless its account has as many rooms as its quota.
func (s *Service) insertRoom(tx Tx, r *Room) error {
	n, err := tx.CountRooms(r.AccountID)
	if err != nil {
		return err
	}
	if n >= s.quotas.RoomsPerAccount {
		return errorf(model.ErrorCodeResourceLimitExceeded, "account %s already has %d chat rooms, the most an account may have", r.AccountID, n)
	}
	return tx.InsertRoom(r)
}

// membershipQuota refuses m when its room, or its member, has as many
// memberships as the quota allows. A member that is already in the room
// is a conflict, as it is below the quotas.
func (s *Service) membershipQuota(tx Tx, m *Membership) error {
	inRoom, err := tx.CountRoomMembers(m.RoomID)
	if err != nil {
		return err
	}
	ofMember, err := tx.CountMemberRooms(m.MemberID)
	if err != nil {
		return err
	}
	if inRoom < s.quotas.MembersPerRoom && ofMember < s.quotas.RoomsPerMember {
		return nil
	}
	_, err = tx.GetMembership(m.RoomID, m.MemberID)
	switch {
	case err == nil:
		return alreadyMember(m)
	case !errors.Is(err, ErrNoRows):
		return err
	case inRoom >= s.quotas.MembersPerRoom:
		return errorf(model.ErrorCodeResourceLimitExceeded, "room %s already has %d members, the most a room may have", m.RoomID, inRoom)
	}
	return errorf(model.ErrorCodeResourceLimitExceeded, "member %s is already in %d chat rooms, the most a member may join", m.MemberID, ofMember)
}
