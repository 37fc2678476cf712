package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/server"
)

// smallQuotas lowers Chime's room quotas (1,500 rooms an account, 1,000
// members a room, 1,000 rooms a member) so that a test reaches them.
func smallQuotas(cfg *server.Config) {
	cfg.Quotas = chimed.Quotas{RoomsPerAccount: 3, MembersPerRoom: 2, RoomsPerMember: 2}
}

func TestRoomsPerAccountQuota(t *testing.T) {
	e := start(t, smallQuotas)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	create := func(accountID, name, token string) (*chime.CreateRoomOutput, error) {
		in := &chime.CreateRoomInput{AccountId: aws.String(accountID), Name: aws.String(name)}
		if token != "" {
			in.ClientRequestToken = aws.String(token)
		}
		return c.CreateRoom(ctx, in)
	}

	first, err := create(acct, "ops", "token-1")
	noErr(t, err)
	collabRoom(t, e, keyA, acct, "dev")
	third := collabRoom(t, e, keyA, acct, "sales")
	_, err = create(acct, "fourth", "")
	wantError(t, err, "ResourceLimitExceededException")
	_, err = create(acct, "fourth", "token-2")
	wantError(t, err, "ResourceLimitExceededException")

	// A retry of a create that succeeded still answers its room.
	again, err := create(acct, "ops", "token-1")
	noErr(t, err)
	if aws.ToString(again.Room.RoomId) != aws.ToString(first.Room.RoomId) {
		t.Fatalf("retry in a full account answered room %s, want %s", aws.ToString(again.Room.RoomId), aws.ToString(first.Room.RoomId))
	}
	listed, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct)})
	noErr(t, err)
	if len(listed.Rooms) != 3 {
		t.Fatalf("a refused create left %d rooms, want 3", len(listed.Rooms))
	}

	// The quota is per Chime account, and a deleted room frees its place.
	other := collabAccount(t, e, keyA, "example.org")
	collabRoom(t, e, keyA, other, "ops")
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(third)})
	noErr(t, err)
	_, err = create(acct, "fourth", "token-2")
	noErr(t, err)
}

func TestRoomMembershipQuotas(t *testing.T) {
	e := start(t, smallQuotas)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	ops, dev, sales := collabRoom(t, e, keyA, acct, "ops"), collabRoom(t, e, keyA, acct, "dev"), collabRoom(t, e, keyA, acct, "sales")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	mary := collabUser(t, e, keyA, acct, "marym@example.com", "Mary Major")
	add := func(room, member string) error {
		_, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(member)})
		return err
	}
	members := func(room string) int {
		out, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
		noErr(t, err)
		return len(out.RoomMemberships)
	}

	// Members per room.
	noErr(t, add(ops, jane))
	noErr(t, add(ops, zhang))
	wantErrorMessage(t, add(ops, mary), "ResourceLimitExceededException", "room "+ops+" already has 2 members")
	wantError(t, add(ops, jane), "ConflictException") // already in: not a quota matter
	batch, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(ops),
		MembershipItemList: []types.MembershipItem{{MemberId: aws.String(mary)}, {MemberId: aws.String(zhang)}},
	})
	noErr(t, err)
	if got := batchErrors(batch); len(got) != 2 || got[mary] != types.ErrorCodeResourceLimitExceeded || got[zhang] != types.ErrorCodeConflict {
		t.Fatalf("batch into a full room: errors %v", got)
	}
	if n := members(ops); n != 2 {
		t.Fatalf("refused additions left %d members, want 2", n)
	}

	// Rooms per member: jane is in ops, then dev, and no third room.
	noErr(t, add(dev, jane))
	wantErrorMessage(t, add(sales, jane), "ResourceLimitExceededException", "member "+jane+" is already in 2 chat rooms")
	batch, err = c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(sales),
		MembershipItemList: []types.MembershipItem{{MemberId: aws.String(jane)}, {MemberId: aws.String(mary)}},
	})
	noErr(t, err)
	if got := batchErrors(batch); len(got) != 1 || got[jane] != types.ErrorCodeResourceLimitExceeded {
		t.Fatalf("batch with a member in as many rooms as allowed: errors %v", got)
	}
	if n := members(sales); n != 1 {
		t.Fatalf("sales has %d members, want mary alone", n)
	}

	// Leaving a room frees a place on both counts.
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(ops), MemberId: aws.String(jane)})
	noErr(t, err)
	noErr(t, add(ops, mary))
	noErr(t, add(sales, jane))
}

// TestRoomQuotaHoldsUnderConcurrentAdds races eight users for the one place
// left in a room: exactly one gets it, whatever the engine (on PostgreSQL
// the transactions run at once and SERIALIZABLE must refuse the losers).
func TestRoomQuotaHoldsUnderConcurrentAdds(t *testing.T) {
	e := start(t, smallQuotas)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	first := collabUser(t, e, keyA, acct, "first@example.com", "First")
	_, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(first)})
	noErr(t, err)
	const racers = 8
	users := make([]string, racers)
	for i := range users {
		users[i] = collabUser(t, e, keyA, acct, fmt.Sprintf("racer%d@example.com", i), fmt.Sprintf("Racer %d", i))
	}
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(users[i])})
		})
	}
	wg.Wait()
	won := winners(t, errs, "ResourceLimitExceededException")
	out, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	if won != 1 || len(out.RoomMemberships) != 2 {
		t.Fatalf("%d of %d racers joined, and the room has %d members; want 1 and 2", won, racers, len(out.RoomMemberships))
	}
}

// batchErrors maps each refused member to its error code.
func batchErrors(out *chime.BatchCreateRoomMembershipOutput) map[string]types.ErrorCode {
	got := map[string]types.ErrorCode{}
	for _, e := range out.Errors {
		got[aws.ToString(e.MemberId)] = e.ErrorCode
	}
	return got
}
