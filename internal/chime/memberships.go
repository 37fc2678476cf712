package chime

import (
	"context"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Membership is a user's or a bot's place in a chat room. The member's
// email and name are copied in when it joins: neither can change afterwards
// (no operation edits a user's email or name, or a bot's).
type Membership struct {
	AccountID  string
	RoomID     string
	MemberID   string
	MemberType string
	Email      string
	FullName   string
	Role       string
	// InvitedBy is the IAM principal that added the member.
	InvitedBy string
	UpdatedAt time.Time
}

func (m *Membership) toModel() *model.RoomMembership {
	return &model.RoomMembership{
		RoomId:           model.String(m.RoomID),
		Role:             model.String(m.Role),
		InvitedBy:        model.String(m.InvitedBy),
		UpdatedTimestamp: model.TimeOf(m.UpdatedAt),
		Member: &model.Member{
			MemberId:   model.String(m.MemberID),
			MemberType: model.String(m.MemberType),
			AccountId:  model.String(m.AccountID),
			Email:      optional(m.Email),
			FullName:   optional(m.FullName),
		},
	}
}

// newMembership checks that memberID names a user or a bot of the account
// that may join the room, and returns its membership. A bot may join only
// once its events configuration says where Chime sends its events.
func newMembership(tx Tx, caller Caller, a *Account, r *Room, memberID string, role *string, now time.Time) (*Membership, error) {
	m := &Membership{
		AccountID: a.AccountID,
		RoomID:    r.RoomID,
		MemberID:  memberID,
		Role:      model.RoomMembershipRoleMember,
		InvitedBy: caller.PrincipalARN,
		UpdatedAt: now,
	}
	if role != nil {
		m.Role = *role
	}
	u, err := tx.GetUser(a.AccountID, memberID)
	switch {
	case err == nil:
		m.MemberType, m.Email, m.FullName = model.MemberTypeUser, u.Email, u.DisplayName
		return m, nil
	case !errors.Is(err, ErrNoRows):
		return nil, err
	}
	b, err := tx.GetBot(a.AccountID, memberID)
	if errors.Is(err, ErrNoRows) {
		return nil, NotFound("Member %s is neither a user nor a bot of account %s", memberID, a.AccountID)
	}
	if err != nil {
		return nil, err
	}
	if !b.hasEventsEndpoint() {
		return nil, BadRequest("bot %s has no events configuration: put an outbound HTTPS endpoint or a Lambda function ARN with PutEventsConfiguration before adding it to a room", b.BotID)
	}
	m.MemberType, m.Email, m.FullName = model.MemberTypeBot, b.Email, b.DisplayName
	return m, nil
}

func (s *Service) insertMembership(tx Tx, m *Membership) error {
	if err := s.membershipQuota(tx, m); err != nil {
		return err
	}
	err := tx.InsertMembership(m)
	if errors.Is(err, ErrNotUnique) {
		return alreadyMember(m)
	}
	return err
}

func alreadyMember(m *Membership) error {
	return Conflict("Member %s is already a member of room %s", m.MemberID, m.RoomID)
}

func (s *Service) CreateRoomMembership(ctx context.Context, caller Caller, in *model.CreateRoomMembershipRequest) (*model.CreateRoomMembershipResponse, error) {
	var m *Membership
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, r, err := accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		if err != nil {
			return err
		}
		if m, err = newMembership(tx, caller, a, r, *in.MemberId, in.Role, now); err != nil {
			return err
		}
		if err := s.insertMembership(tx, m); err != nil {
			return err
		}
		return s.botMemberEvent(tx, caller, m, BotEventInvite, now)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateRoomMembershipResponse{RoomMembership: m.toModel()}, nil
}

// BatchCreateRoomMembership adds each item on its own: a failing item is
// reported in Errors and does not stop the others.
func (s *Service) BatchCreateRoomMembership(ctx context.Context, caller Caller, in *model.BatchCreateRoomMembershipRequest) (*model.BatchCreateRoomMembershipResponse, error) {
	out := &model.BatchCreateRoomMembershipResponse{}
	items := in.MembershipItemList
	memberID := func(i int) string { return model.Value(items[i].MemberId) }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, r, err := accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		if err != nil {
			return err
		}
		out.Errors, err = eachInLockOrder(len(items), memberID, func(i int) error {
			if items[i].MemberId == nil {
				return BadRequest("MembershipItemList[%d].MemberId: required member is missing", i)
			}
			m, err := newMembership(tx, caller, a, r, *items[i].MemberId, items[i].Role, now)
			if err != nil {
				return err
			}
			if err := s.insertMembership(tx, m); err != nil {
				return err
			}
			// It returns no refusal (*Error), so a failure fails the batch.
			return s.botMemberEvent(tx, caller, m, BotEventInvite, now)
		}, func(i int, err error) (model.MemberError, bool) {
			var e *Error
			if !errors.As(err, &e) {
				return model.MemberError{}, false
			}
			return model.MemberError{MemberId: items[i].MemberId, ErrorCode: model.String(e.Code), ErrorMessage: model.String(e.Message)}, true
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateRoomMembership changes a user's role; as the reference says, the
// role can be updated only for user IDs.
func (s *Service) UpdateRoomMembership(ctx context.Context, caller Caller, in *model.UpdateRoomMembershipRequest) (*model.UpdateRoomMembershipResponse, error) {
	var m *Membership
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if m, err = roomMembership(tx, caller, *in.AccountId, *in.RoomId, *in.MemberId); err != nil {
			return err
		}
		if in.Role == nil {
			return nil
		}
		if m.MemberType != model.MemberTypeUser {
			return BadRequest("Role: member %s is a %s; only a user's role can be updated", m.MemberID, m.MemberType)
		}
		m.Role = *in.Role
		m.UpdatedAt = now
		return tx.SaveMembership(m)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateRoomMembershipResponse{RoomMembership: m.toModel()}, nil
}

func (s *Service) DeleteRoomMembership(ctx context.Context, caller Caller, in *model.DeleteRoomMembershipRequest) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		m, err := roomMembership(tx, caller, *in.AccountId, *in.RoomId, *in.MemberId)
		if err != nil {
			return err
		}
		if err := tx.DeleteMembership(m.RoomID, m.MemberID); err != nil {
			return err
		}
		return s.botMemberEvent(tx, caller, m, BotEventRemove, now)
	})
}

func (s *Service) ListRoomMemberships(ctx context.Context, caller Caller, in *model.ListRoomMembershipsRequest) (*model.ListRoomMembershipsResponse, error) {
	listing := listingOf("room-memberships", *in.RoomId)
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 99)
	var found []*Membership
	err = s.view(ctx, func(tx Tx) error {
		_, r, err := accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		if err != nil {
			return err
		}
		found, err = tx.ListMemberships(r.RoomID, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListRoomMembershipsResponse{RoomMemberships: make([]model.RoomMembership, 0, min(len(found), limit))}
	for _, m := range found[:min(len(found), limit)] {
		out.RoomMemberships = append(out.RoomMemberships, *m.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].MemberID)
	}
	return out, nil
}

// roomMembership loads a member of a room of one of the caller's Enterprise
// accounts.
func roomMembership(tx Tx, caller Caller, accountID, roomID, memberID string) (*Membership, error) {
	_, r, err := accountRoom(tx, caller, accountID, roomID)
	if err != nil {
		return nil, err
	}
	m, err := tx.GetMembership(r.RoomID, memberID)
	if errors.Is(err, ErrNoRows) {
		return nil, NotFound("Member %s is not a member of room %s", memberID, r.RoomID)
	}
	return m, err
}
