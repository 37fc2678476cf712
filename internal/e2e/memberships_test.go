package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// collabBot creates a bot, with endpoint as its outbound endpoint unless it
// is "" (the endpoint must answer the challenge: see startTestBot).
func collabBot(t *testing.T, e *env, key, accountID, name, endpoint string) *types.Bot {
	t.Helper()
	c := e.client(key)
	out, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(accountID), DisplayName: aws.String(name)})
	noErr(t, err)
	if endpoint != "" {
		_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{
			AccountId: aws.String(accountID), BotId: out.Bot.BotId, OutboundEventsHTTPSEndpoint: aws.String(endpoint)})
		noErr(t, err)
	}
	return out.Bot
}

func TestRoomMemberships(t *testing.T) {
	endpoint := startTestBot(t, true)
	e := start(t, endpoint.trusted)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	mary := collabUser(t, e, keyA, acct, "marym@example.com", "Mary Major")
	bot := collabBot(t, e, keyA, acct, "helper", endpoint.url())
	mute := collabBot(t, e, keyA, acct, "mute", "")
	in := func(member string) *chime.CreateRoomMembershipInput {
		return &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(member)}
	}

	created, err := c.CreateRoomMembership(ctx, in(jane))
	noErr(t, err)
	m := created.RoomMembership
	if aws.ToString(m.RoomId) != room || m.Role != types.RoomMembershipRoleMember || aws.ToString(m.InvitedBy) != principalA || m.UpdatedTimestamp == nil {
		t.Fatalf("membership %+v", m)
	}
	want := types.Member{AccountId: aws.String(acct), MemberId: aws.String(jane), MemberType: types.MemberTypeUser, Email: aws.String("janed@example.com"), FullName: aws.String("Jane Doe")}
	if got := *m.Member; aws.ToString(got.AccountId) != acct || aws.ToString(got.MemberId) != jane || got.MemberType != want.MemberType ||
		aws.ToString(got.Email) != *want.Email || aws.ToString(got.FullName) != *want.FullName {
		t.Fatalf("member %+v, want %+v", got, want)
	}

	_, err = c.CreateRoomMembership(ctx, in(jane))
	wantError(t, err, "ConflictException")
	_, err = c.CreateRoomMembership(ctx, in(collabMissingID))
	wantError(t, err, "NotFoundException")
	// A user of another account of the same AWS account is not a member candidate.
	other := collabAccount(t, e, keyA, "example.org")
	stranger := collabUser(t, e, keyA, other, "stranger@example.org", "Stranger")
	_, err = c.CreateRoomMembership(ctx, in(stranger))
	wantError(t, err, "NotFoundException")
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(collabMissingID), MemberId: aws.String(zhang)})
	wantError(t, err, "NotFoundException")

	// A bot joins only once its events configuration has an endpoint.
	_, err = c.CreateRoomMembership(ctx, in(aws.ToString(mute.BotId)))
	wantError(t, err, "BadRequestException")
	withBot, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: bot.BotId, Role: types.RoomMembershipRoleAdministrator})
	noErr(t, err)
	if b := withBot.RoomMembership; b.Member.MemberType != types.MemberTypeBot || aws.ToString(b.Member.Email) != aws.ToString(bot.BotEmail) ||
		aws.ToString(b.Member.FullName) != "helper (Bot)" || b.Role != types.RoomMembershipRoleAdministrator {
		t.Fatalf("bot membership %+v %+v", b, b.Member)
	}

	e.clock.Advance(time.Minute)
	updated, err := c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(jane), Role: types.RoomMembershipRoleAdministrator})
	noErr(t, err)
	if updated.RoomMembership.Role != types.RoomMembershipRoleAdministrator || !updated.RoomMembership.UpdatedTimestamp.After(*m.UpdatedTimestamp) {
		t.Fatalf("updated membership %+v", updated.RoomMembership)
	}
	// "The member role can be updated only for user IDs."
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: bot.BotId, Role: types.RoomMembershipRoleMember})
	wantError(t, err, "BadRequestException")
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(zhang), Role: types.RoomMembershipRoleMember})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(jane), Role: "Owner"})
	wantError(t, err, "BadRequestException")

	// A batch adds what it can and reports the rest, item by item.
	batch, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{
		AccountId: aws.String(acct), RoomId: aws.String(room),
		MembershipItemList: []types.MembershipItem{
			{MemberId: aws.String(zhang), Role: types.RoomMembershipRoleAdministrator},
			{MemberId: aws.String(mary)},
			{MemberId: aws.String(jane)},
			{MemberId: aws.String(collabMissingID)},
			{MemberId: mute.BotId},
		}})
	noErr(t, err)
	errs := map[string]types.ErrorCode{}
	for _, item := range batch.Errors {
		if aws.ToString(item.ErrorMessage) == "" {
			t.Errorf("item error without a message: %+v", item)
		}
		errs[aws.ToString(item.MemberId)] = item.ErrorCode
	}
	wantErrs := map[string]types.ErrorCode{jane: types.ErrorCodeConflict, collabMissingID: types.ErrorCodeNotFound, aws.ToString(mute.BotId): types.ErrorCodeBadRequest}
	if len(errs) != len(wantErrs) {
		t.Fatalf("batch errors %v, want %v", errs, wantErrs)
	}
	for id, code := range wantErrs {
		if errs[id] != code {
			t.Fatalf("batch errors %v, want %v", errs, wantErrs)
		}
	}
	bigBatch := make([]types.MembershipItem, 51)
	for i := range bigBatch {
		bigBatch[i] = types.MembershipItem{MemberId: aws.String(zhang)}
	}
	_, err = c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MembershipItemList: bigBatch})
	wantError(t, err, "BadRequestException")

	// Four members, listed across pages.
	roles := map[string]types.RoomMembershipRole{}
	pages := 0
	p := chime.NewListRoomMembershipsPaginator(c, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room), MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		for _, m := range page.RoomMemberships {
			roles[aws.ToString(m.Member.MemberId)] = m.Role
		}
	}
	wantRoles := map[string]types.RoomMembershipRole{
		jane: types.RoomMembershipRoleAdministrator, zhang: types.RoomMembershipRoleAdministrator,
		mary: types.RoomMembershipRoleMember, aws.ToString(bot.BotId): types.RoomMembershipRoleAdministrator,
	}
	if pages != 2 || len(roles) != len(wantRoles) {
		t.Fatalf("members %v in %d pages, want %v in 2", roles, pages, wantRoles)
	}
	for id, role := range wantRoles {
		if roles[id] != role {
			t.Fatalf("members %v, want %v", roles, wantRoles)
		}
	}

	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(mary)})
	noErr(t, err)
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(mary)})
	wantError(t, err, "NotFoundException")
	left, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	if len(left.RoomMemberships) != 3 || slices.ContainsFunc(left.RoomMemberships, func(m types.RoomMembership) bool { return aws.ToString(m.Member.MemberId) == mary }) {
		t.Fatalf("after removing %s: %+v", mary, left.RoomMemberships)
	}

	// Another AWS account sees none of it.
	b := e.client(keyB)
	_, err = b.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	wantError(t, err, "NotFoundException")
	_, err = b.CreateRoomMembership(ctx, in(zhang))
	wantError(t, err, "NotFoundException")

	// Deleting the room removes its memberships.
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	for _, member := range []string{jane, zhang, aws.ToString(bot.BotId)} {
		rooms, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MemberId: aws.String(member)})
		noErr(t, err)
		if len(rooms.Rooms) != 0 {
			t.Fatalf("%s is still in %+v", member, rooms.Rooms)
		}
	}
	recreated := collabRoom(t, e, keyA, acct, "ops")
	_, err = c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	wantError(t, err, "NotFoundException")
	fresh, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(recreated)})
	noErr(t, err)
	if len(fresh.RoomMemberships) != 0 {
		t.Fatalf("a new room has members: %+v", fresh.RoomMemberships)
	}
}
