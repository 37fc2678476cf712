package chime

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Room is a chat room of an Enterprise account as the server keeps it.
type Room struct {
	AwsAccountID string
	AccountID    string
	RoomID       string
	Name         string
	// CreatedBy is the IAM principal that created the room.
	CreatedBy string
	// TokenHash is the SHA-256 of the ClientRequestToken the room was
	// created with ("" without one): the token itself is not kept.
	TokenHash string
	// RequestedName is the name that CreateRoom asked for with the token,
	// which a retry must repeat, whatever UpdateRoom made of Name since.
	RequestedName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// RoomTx reads and writes chat rooms and their memberships.
type RoomTx interface {
	// InsertRoom fails with ErrNotUnique when the room's TokenHash is
	// already used in its AWS account.
	InsertRoom(r *Room) error
	SaveRoom(r *Room) error
	// GetRoom returns ErrNoRows when the room is not in the account.
	GetRoom(accountID, roomID string) (*Room, error)
	// FindRoomByToken looks a ClientRequestToken's hash up across the AWS
	// account.
	FindRoomByToken(awsAccountID, tokenHash string) (*Room, error)
	// ForgetRoomTokens frees the ClientRequestTokens of an account's rooms
	// for other rooms to use.
	ForgetRoomTokens(accountID string) error
	ListRooms(accountID string, f RoomFilter, p Page) ([]*Room, error)
	// DeleteRoom removes the room with its memberships, webhooks and
	// messages.
	DeleteRoom(accountID, roomID string) error

	// InsertMembership fails with ErrNotUnique when the member is already
	// in the room.
	InsertMembership(m *Membership) error
	SaveMembership(m *Membership) error
	GetMembership(roomID, memberID string) (*Membership, error)
	ListMemberships(roomID string, p Page) ([]*Membership, error)
	DeleteMembership(roomID, memberID string) error

	// CountRooms, CountRoomMembers and CountMemberRooms count for Quotas:
	// an account's rooms, a room's members, the rooms a user or bot is in.
	CountRooms(accountID string) (int, error)
	CountRoomMembers(roomID string) (int, error)
	CountMemberRooms(memberID string) (int, error)
}

// RoomFilter narrows ListRooms. Empty fields do not filter.
type RoomFilter struct {
	// MemberID keeps the rooms this user or bot is a member of.
	MemberID string
}

func (r *Room) toModel() *model.Room {
	return &model.Room{
		AccountId:        model.String(r.AccountID),
		RoomId:           model.String(r.RoomID),
		Name:             model.String(r.Name),
		CreatedBy:        model.String(r.CreatedBy),
		CreatedTimestamp: model.TimeOf(r.CreatedAt),
		UpdatedTimestamp: model.TimeOf(r.UpdatedAt),
	}
}

// enterpriseAccount loads a live account of the caller that may have what
// names (chat rooms, chat bots, ...): only Enterprise accounts do.
func enterpriseAccount(tx Tx, caller Caller, accountID, what string) (*Account, error) {
	a, err := liveAccount(tx, caller, accountID)
	if err != nil {
		return nil, err
	}
	if !a.isEnterprise() {
		return nil, Forbidden("account %s is a %s account: %s exist only in Enterprise accounts (claim a domain to make one)", a.AccountID, a.AccountType, what)
	}
	return a, nil
}

const roomsWhat = "chat rooms"

// accountRoom loads a room of one of the caller's Enterprise accounts.
func accountRoom(tx Tx, caller Caller, accountID, roomID string) (*Account, *Room, error) {
	a, err := enterpriseAccount(tx, caller, accountID, roomsWhat)
	if err != nil {
		return nil, nil, err
	}
	r, err := tx.GetRoom(a.AccountID, roomID)
	if err := notFoundIfMissing(err, "Room", roomID); err != nil {
		return nil, nil, err
	}
	return a, r, nil
}

func roomName(name string) (string, error) {
	if blank(name) {
		return "", BadRequest("Name: must not be blank")
	}
	return name, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateRoom is idempotent on ClientRequestToken: the same token from the
// same AWS account answers the room it created the first time. A token
// reused for another account or another name is refused.
func (s *Service) CreateRoom(ctx context.Context, caller Caller, in *model.CreateRoomRequest) (*model.CreateRoomResponse, error) {
	name, err := roomName(*in.Name)
	if err != nil {
		return nil, err
	}
	var r *Room
	err = s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, roomsWhat)
		if err != nil {
			return err
		}
		r = &Room{
			AwsAccountID: a.AwsAccountID,
			AccountID:    a.AccountID,
			RoomID:       NewID(),
			Name:         name,
			CreatedBy:    caller.PrincipalARN,
			CreatedAt:    now,
			UpdatedAt:    now,
		}
		if in.ClientRequestToken == nil {
			return s.insertRoom(tx, r)
		}
		r.TokenHash, r.RequestedName = tokenHash(*in.ClientRequestToken), name
		// A retry answers the room its token made, even in a full account.
		first, err := tx.FindRoomByToken(a.AwsAccountID, r.TokenHash)
		if errors.Is(err, ErrNoRows) {
			err = s.insertRoom(tx, r)
			if errors.Is(err, ErrNotUnique) {
				// A concurrent call with the token made its room since
				// FindRoomByToken; this snapshot cannot see it.
				return ErrRacedInsert
			}
			return err
		}
		if err != nil {
			return err
		}
		// Rooms made before RequestedName was kept have only their Name.
		if first.AccountID != a.AccountID || cmp.Or(first.RequestedName, first.Name) != name {
			return BadRequest("ClientRequestToken: already used to create room %s with other parameters", first.RoomID)
		}
		r = first
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateRoomResponse{Room: r.toModel()}, nil
}

func (s *Service) GetRoom(ctx context.Context, caller Caller, in *model.GetRoomRequest) (*model.GetRoomResponse, error) {
	var r *Room
	err := s.view(ctx, func(tx Tx) error {
		var err error
		_, r, err = accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetRoomResponse{Room: r.toModel()}, nil
}

// UpdateRoom renames the room when Name is given.
func (s *Service) UpdateRoom(ctx context.Context, caller Caller, in *model.UpdateRoomRequest) (*model.UpdateRoomResponse, error) {
	var r *Room
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if _, r, err = accountRoom(tx, caller, *in.AccountId, *in.RoomId); err != nil {
			return err
		}
		if in.Name == nil {
			return nil
		}
		if r.Name, err = roomName(*in.Name); err != nil {
			return err
		}
		r.UpdatedAt = now
		return tx.SaveRoom(r)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateRoomResponse{Room: r.toModel()}, nil
}

// DeleteRoom removes the room, its memberships, its webhooks and its
// messages, which are then scrubbed from the store's files: as in Chime,
// deleting a chat room deletes its messages for good. Its bots are sent a
// Remove.
func (s *Service) DeleteRoom(ctx context.Context, caller Caller, in *model.DeleteRoomRequest) error {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, r, err := accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		if err != nil {
			return err
		}
		bots, err := roomBots(tx, r.RoomID)
		if err != nil {
			return err
		}
		if err := tx.DeleteRoom(a.AccountID, r.RoomID); err != nil {
			return err
		}
		// The messages' copies in bots' Mention events go with them.
		if err := eraseMentions(tx, MentionFilter{RoomID: r.RoomID}, now); err != nil {
			return err
		}
		for _, m := range bots {
			if err := s.botMemberEvent(tx, caller, m, BotEventRemove, now); err != nil {
				return err
			}
		}
		return tx.DeleteBotReplyEndpoints(r.RoomID, "")
	})
	if err != nil {
		return err
	}
	return s.store.Scrub(ctx)
}

func (s *Service) ListRooms(ctx context.Context, caller Caller, in *model.ListRoomsRequest) (*model.ListRoomsResponse, error) {
	listing := listingOf("rooms", *in.AccountId, model.Value(in.MemberId))
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 99)
	var found []*Room
	err = s.view(ctx, func(tx Tx) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, roomsWhat)
		if err != nil || in.MemberId != nil && *in.MemberId == "" {
			// No member has an empty ID, which in a RoomFilter means no
			// filter.
			return err
		}
		found, err = tx.ListRooms(a.AccountID, RoomFilter{MemberID: model.Value(in.MemberId)}, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListRoomsResponse{Rooms: make([]model.Room, 0, min(len(found), limit))}
	for _, r := range found[:min(len(found), limit)] {
		out.Rooms = append(out.Rooms, *r.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].RoomID)
	}
	return out, nil
}
