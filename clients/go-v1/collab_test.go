package gov1

// Chat rooms, memberships, bots, retention and redaction, through the AWS SDK
// for Go v1: one test per operation, as clients/js/test/collab.test.mjs. They
// exist only in Enterprise accounts (made by claiming a domain); messages
// reach rooms through an incoming webhook and conversations through the
// /_chimed/ endpoints.

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/chime"
)

var lambdaARN = "arn:aws:lambda:us-east-1:" + awsAccountID + ":function:chimed-bot"

// collabState is what the collaboration tests share: an Enterprise account
// with its domain and two users, and a Team account.
type collabState struct {
	accountID, domain string
	alice, bob        *chime.User
	teamID            string
}

var collabFixture fixture[collabState]

func collab(t *testing.T, c *chime.Chime) collabState {
	t.Helper()
	return collabFixture.get(t, func(t *testing.T) collabState {
		var s collabState
		s.accountID, s.domain = createEnterpriseAccount(t, c, "EnterpriseLWA")
		s.alice = createUser(t, c, s.accountID, "alice")
		s.bob = createUser(t, c, s.accountID, "bob")
		s.teamID = aws.StringValue(createAccount(t, c, "team").AccountId)
		return s
	})
}

func createRoom(t *testing.T, c *chime.Chime, accountID, name string) *chime.Room {
	t.Helper()
	out, err := c.CreateRoom(&chime.CreateRoomInput{AccountId: aws.String(accountID), Name: aws.String(unique(name))})
	must(t, err)
	return out.Room
}

func createBot(t *testing.T, c *chime.Chime, s collabState, name string) *chime.Bot {
	t.Helper()
	out, err := c.CreateBot(&chime.CreateBotInput{
		AccountId: aws.String(s.accountID), DisplayName: aws.String(name + "-" + randomHex(8)), Domain: aws.String(s.domain),
	})
	must(t, err)
	return out.Bot
}

// addMember makes memberID a member of the room.
func addMember(t *testing.T, c *chime.Chime, accountID string, roomID, memberID *string) {
	t.Helper()
	_, err := c.CreateRoomMembership(&chime.CreateRoomMembershipInput{
		AccountId: aws.String(accountID), RoomId: roomID, MemberId: memberID,
	})
	must(t, err)
}

func memberIDs(memberships []*chime.RoomMembership) []string {
	ids := []string{}
	for _, m := range memberships {
		ids = append(ids, aws.StringValue(m.Member.MemberId))
	}
	slices.Sort(ids)
	return ids
}

func roomIDs(rooms []*chime.Room) []string {
	ids := []string{}
	for _, r := range rooms {
		ids = append(ids, aws.StringValue(r.RoomId))
	}
	return ids
}

func TestCreateRoom(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	name := unique("create")
	token := "token-" + newUUID()
	in := &chime.CreateRoomInput{AccountId: aws.String(s.accountID), Name: aws.String(name), ClientRequestToken: aws.String(token)}
	out, err := c.CreateRoom(in)
	must(t, err)
	created := out.Room
	equal(t, "AccountId", aws.StringValue(created.AccountId), s.accountID)
	equal(t, "Name", aws.StringValue(created.Name), name)
	check(t, strings.HasPrefix(aws.StringValue(created.CreatedBy), "arn:aws:iam::"+awsAccountID+":"),
		"CreatedBy %q", aws.StringValue(created.CreatedBy))
	check(t, isTime(created.CreatedTimestamp), "CreatedTimestamp %v", created.CreatedTimestamp)
	// The same ClientRequestToken gives back the same room.
	again, err := c.CreateRoom(in)
	must(t, err)
	equal(t, "RoomId", aws.StringValue(again.Room.RoomId), aws.StringValue(created.RoomId))
	// Chat rooms exist only in Enterprise accounts.
	_, err = c.CreateRoom(&chime.CreateRoomInput{AccountId: aws.String(s.teamID), Name: aws.String("x")})
	wantError[*chime.ForbiddenException](t, err)
}

func TestGetRoom(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "get")
	out, err := c.GetRoom(&chime.GetRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	must(t, err)
	deepEqual(t, "room", out.Room, created)
	_, err = c.GetRoom(&chime.GetRoomInput{AccountId: aws.String(s.accountID), RoomId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestUpdateRoom(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "update")
	name := unique("renamed")
	out, err := c.UpdateRoom(&chime.UpdateRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId, Name: aws.String(name)})
	must(t, err)
	equal(t, "Name", aws.StringValue(out.Room.Name), name)
	got, err := c.GetRoom(&chime.GetRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	must(t, err)
	equal(t, "Name", aws.StringValue(got.Room.Name), name)
}

func TestDeleteRoom(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "delete")
	req, _ := c.DeleteRoomRequest(&chime.DeleteRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	equal(t, "HTTP status", send(t, req), 204)
	_, err := c.GetRoom(&chime.GetRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	wantError[*chime.NotFoundException](t, err)
	_, err = c.DeleteRoom(&chime.DeleteRoomInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	wantError[*chime.NotFoundException](t, err)
}

func TestListRooms(t *testing.T) {
	c := newClient(t)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseLWA")
	var ids []string
	for _, name := range []string{"list0", "list1", "list2"} {
		ids = append(ids, aws.StringValue(createRoom(t, c, accountID, name).RoomId))
	}
	var listed []string
	pages := 0
	err := c.ListRoomsPages(&chime.ListRoomsInput{AccountId: aws.String(accountID), MaxResults: aws.Int64(1)},
		func(page *chime.ListRoomsOutput, _ bool) bool {
			listed = append(listed, roomIDs(page.Rooms)...)
			pages++
			return true
		})
	must(t, err)
	slices.Sort(listed)
	deepEqual(t, "rooms", listed, slices.Sorted(slices.Values(ids)))
	check(t, pages >= 3, "%d pages", pages)
	// MemberId keeps the rooms a member is in.
	user := createUser(t, c, accountID, "member")
	addMember(t, c, accountID, aws.String(ids[0]), user.UserId)
	mine, err := c.ListRooms(&chime.ListRoomsInput{AccountId: aws.String(accountID), MemberId: user.UserId})
	must(t, err)
	deepEqual(t, "rooms of the member", roomIDs(mine.Rooms), []string{ids[0]})
}

func TestCreateRoomMembership(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "membership")
	join := func(memberID *string) (*chime.CreateRoomMembershipOutput, error) {
		return c.CreateRoomMembership(&chime.CreateRoomMembershipInput{
			AccountId: aws.String(s.accountID), RoomId: created.RoomId, MemberId: memberID,
		})
	}
	out, err := join(s.alice.UserId)
	must(t, err)
	membership := out.RoomMembership
	equal(t, "RoomId", aws.StringValue(membership.RoomId), aws.StringValue(created.RoomId))
	equal(t, "Role", aws.StringValue(membership.Role), "Member")
	equal(t, "MemberId", aws.StringValue(membership.Member.MemberId), aws.StringValue(s.alice.UserId))
	equal(t, "MemberType", aws.StringValue(membership.Member.MemberType), "User")
	equal(t, "Email", aws.StringValue(membership.Member.Email), aws.StringValue(s.alice.PrimaryEmail))
	_, err = join(s.alice.UserId)
	wantError[*chime.ConflictException](t, err)
	_, err = join(aws.String(unknown))
	wantError[*chime.NotFoundException](t, err)
	// A bot joins once its events have somewhere to go.
	b := createBot(t, c, s, "bot")
	_, err = join(b.BotId)
	wantError[*chime.BadRequestException](t, err)
	_, err = c.PutEventsConfiguration(&chime.PutEventsConfigurationInput{
		AccountId: aws.String(s.accountID), BotId: b.BotId, LambdaFunctionArn: aws.String(lambdaARN),
	})
	must(t, err)
	joined, err := join(b.BotId)
	must(t, err)
	equal(t, "MemberType", aws.StringValue(joined.RoomMembership.Member.MemberType), "Bot")
}

func TestBatchCreateRoomMembership(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "batch")
	out, err := c.BatchCreateRoomMembership(&chime.BatchCreateRoomMembershipInput{
		AccountId: aws.String(s.accountID),
		RoomId:    created.RoomId,
		MembershipItemList: []*chime.MembershipItem{
			{MemberId: s.alice.UserId, Role: aws.String("Administrator")},
			{MemberId: s.bob.UserId},
			{MemberId: aws.String(unknown)},
		},
	})
	must(t, err)
	errs := [][2]string{}
	for _, e := range out.Errors {
		errs = append(errs, [2]string{aws.StringValue(e.MemberId), aws.StringValue(e.ErrorCode)})
	}
	deepEqual(t, "Errors", errs, [][2]string{{unknown, "NotFound"}})
	members, err := c.ListRoomMemberships(&chime.ListRoomMembershipsInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	must(t, err)
	roles := map[string]string{}
	for _, m := range members.RoomMemberships {
		roles[aws.StringValue(m.Member.MemberId)] = aws.StringValue(m.Role)
	}
	deepEqual(t, "roles", roles, map[string]string{
		aws.StringValue(s.alice.UserId): "Administrator",
		aws.StringValue(s.bob.UserId):   "Member",
	})
}

func TestUpdateRoomMembership(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "update-membership")
	addMember(t, c, s.accountID, created.RoomId, s.bob.UserId)
	out, err := c.UpdateRoomMembership(&chime.UpdateRoomMembershipInput{
		AccountId: aws.String(s.accountID), RoomId: created.RoomId, MemberId: s.bob.UserId, Role: aws.String("Administrator"),
	})
	must(t, err)
	equal(t, "Role", aws.StringValue(out.RoomMembership.Role), "Administrator")
	_, err = c.UpdateRoomMembership(&chime.UpdateRoomMembershipInput{
		AccountId: aws.String(s.accountID), RoomId: created.RoomId, MemberId: s.alice.UserId, Role: aws.String("Member"),
	})
	wantError[*chime.NotFoundException](t, err)
}

func TestDeleteRoomMembership(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "delete-membership")
	addMember(t, c, s.accountID, created.RoomId, s.bob.UserId)
	in := &chime.DeleteRoomMembershipInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId, MemberId: s.bob.UserId}
	req, _ := c.DeleteRoomMembershipRequest(in)
	equal(t, "HTTP status", send(t, req), 204)
	members, err := c.ListRoomMemberships(&chime.ListRoomMembershipsInput{AccountId: aws.String(s.accountID), RoomId: created.RoomId})
	must(t, err)
	deepEqual(t, "members", memberIDs(members.RoomMemberships), []string{})
	_, err = c.DeleteRoomMembership(in)
	wantError[*chime.NotFoundException](t, err)
}

func TestListRoomMemberships(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "list-memberships")
	for _, user := range []*chime.User{s.alice, s.bob} {
		addMember(t, c, s.accountID, created.RoomId, user.UserId)
	}
	var items []*chime.RoomMembership
	pages := 0
	err := c.ListRoomMembershipsPages(&chime.ListRoomMembershipsInput{
		AccountId: aws.String(s.accountID), RoomId: created.RoomId, MaxResults: aws.Int64(1),
	}, func(page *chime.ListRoomMembershipsOutput, _ bool) bool {
		items = append(items, page.RoomMemberships...)
		pages++
		return true
	})
	must(t, err)
	want := []string{aws.StringValue(s.alice.UserId), aws.StringValue(s.bob.UserId)}
	slices.Sort(want)
	deepEqual(t, "members", memberIDs(items), want)
	check(t, pages >= 2, "%d pages", pages)
}

func TestCreateBot(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	name := "Helper " + run
	out, err := c.CreateBot(&chime.CreateBotInput{AccountId: aws.String(s.accountID), DisplayName: aws.String(name), Domain: aws.String(s.domain)})
	must(t, err)
	created := out.Bot
	// As in the reference's example: myBot, example.com -> "myBot (Bot)",
	// myBot-chimebot@example.com (spaces become hyphens).
	equal(t, "DisplayName", aws.StringValue(created.DisplayName), name+" (Bot)")
	equal(t, "BotEmail", aws.StringValue(created.BotEmail), "Helper-"+run+"-chimebot@"+s.domain)
	equal(t, "BotType", aws.StringValue(created.BotType), "ChatBot")
	check(t, created.Disabled != nil && !*created.Disabled, "Disabled %v", created.Disabled)
	check(t, aws.StringValue(created.SecurityToken) != "", "no SecurityToken")
	check(t, aws.StringValue(created.UserId) != "", "no UserId")
	_, err = c.CreateBot(&chime.CreateBotInput{AccountId: aws.String(s.teamID), DisplayName: aws.String("x"), Domain: aws.String("example.com")})
	wantError[*chime.ForbiddenException](t, err)
}

func TestGetBot(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "get")
	out, err := c.GetBot(&chime.GetBotInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	must(t, err)
	deepEqual(t, "bot", out.Bot, created)
	_, err = c.GetBot(&chime.GetBotInput{AccountId: aws.String(s.accountID), BotId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestUpdateBot(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "update")
	out, err := c.UpdateBot(&chime.UpdateBotInput{AccountId: aws.String(s.accountID), BotId: created.BotId, Disabled: aws.Bool(true)})
	must(t, err)
	equal(t, "Disabled", aws.BoolValue(out.Bot.Disabled), true)
	got, err := c.GetBot(&chime.GetBotInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	must(t, err)
	equal(t, "Disabled", aws.BoolValue(got.Bot.Disabled), true)
}

func TestListBots(t *testing.T) {
	c := newClient(t)
	accountID, domain := createEnterpriseAccount(t, c, "EnterpriseLWA")
	var ids []string
	for _, name := range []string{"list0", "list1"} {
		out, err := c.CreateBot(&chime.CreateBotInput{AccountId: aws.String(accountID), DisplayName: aws.String(name), Domain: aws.String(domain)})
		must(t, err)
		ids = append(ids, aws.StringValue(out.Bot.BotId))
	}
	var listed []string
	pages := 0
	err := c.ListBotsPages(&chime.ListBotsInput{AccountId: aws.String(accountID), MaxResults: aws.Int64(1)},
		func(page *chime.ListBotsOutput, _ bool) bool {
			for _, b := range page.Bots {
				listed = append(listed, aws.StringValue(b.BotId))
			}
			pages++
			return true
		})
	must(t, err)
	slices.Sort(listed)
	deepEqual(t, "bots", listed, slices.Sorted(slices.Values(ids)))
	check(t, pages >= 2, "%d pages", pages)
}

func TestRegenerateSecurityToken(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "token")
	out, err := c.RegenerateSecurityToken(&chime.RegenerateSecurityTokenInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	must(t, err)
	token := aws.StringValue(out.Bot.SecurityToken)
	check(t, token != "", "no SecurityToken")
	check(t, token != aws.StringValue(created.SecurityToken), "SecurityToken did not change")
	got, err := c.GetBot(&chime.GetBotInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	must(t, err)
	equal(t, "SecurityToken", aws.StringValue(got.Bot.SecurityToken), token)
}

func TestPutEventsConfiguration(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "events")
	out, err := c.PutEventsConfiguration(&chime.PutEventsConfigurationInput{
		AccountId: aws.String(s.accountID), BotId: created.BotId, LambdaFunctionArn: aws.String(lambdaARN),
	})
	must(t, err)
	config := out.EventsConfiguration
	equal(t, "BotId", aws.StringValue(config.BotId), aws.StringValue(created.BotId))
	equal(t, "LambdaFunctionArn", aws.StringValue(config.LambdaFunctionArn), lambdaARN)
	check(t, config.OutboundEventsHTTPSEndpoint == nil, "OutboundEventsHTTPSEndpoint %q", aws.StringValue(config.OutboundEventsHTTPSEndpoint))
	// Either an endpoint or a Lambda function, not both.
	_, err = c.PutEventsConfiguration(&chime.PutEventsConfigurationInput{
		AccountId: aws.String(s.accountID), BotId: created.BotId, LambdaFunctionArn: aws.String(lambdaARN),
		OutboundEventsHTTPSEndpoint: aws.String("https://bot.example.com/events"),
	})
	wantError[*chime.BadRequestException](t, err)
}

func TestGetEventsConfiguration(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "events")
	in := &chime.GetEventsConfigurationInput{AccountId: aws.String(s.accountID), BotId: created.BotId}
	_, err := c.GetEventsConfiguration(in)
	wantError[*chime.NotFoundException](t, err)
	// An endpoint that answers the challenge (clients/botstub.py).
	endpoint := os.Getenv("CHIMED_TEST_BOT_URL")
	_, err = c.PutEventsConfiguration(&chime.PutEventsConfigurationInput{
		AccountId: aws.String(s.accountID), BotId: created.BotId, OutboundEventsHTTPSEndpoint: aws.String(endpoint),
	})
	must(t, err)
	out, err := c.GetEventsConfiguration(in)
	must(t, err)
	equal(t, "OutboundEventsHTTPSEndpoint", aws.StringValue(out.EventsConfiguration.OutboundEventsHTTPSEndpoint), endpoint)
}

func TestDeleteEventsConfiguration(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createBot(t, c, s, "events")
	_, err := c.PutEventsConfiguration(&chime.PutEventsConfigurationInput{
		AccountId: aws.String(s.accountID), BotId: created.BotId, LambdaFunctionArn: aws.String(lambdaARN),
	})
	must(t, err)
	req, _ := c.DeleteEventsConfigurationRequest(&chime.DeleteEventsConfigurationInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	equal(t, "HTTP status", send(t, req), 204)
	_, err = c.GetEventsConfiguration(&chime.GetEventsConfigurationInput{AccountId: aws.String(s.accountID), BotId: created.BotId})
	wantError[*chime.NotFoundException](t, err)
}

func TestPutRetentionSettings(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseLWA")
	req, _ := c.PutRetentionSettingsRequest(&chime.PutRetentionSettingsInput{
		AccountId: aws.String(accountID),
		RetentionSettings: &chime.RetentionSettings{
			RoomRetentionSettings:         &chime.RoomRetentionSettings{RetentionDays: aws.Int64(30)},
			ConversationRetentionSettings: &chime.ConversationRetentionSettings{RetentionDays: aws.Int64(60)},
		},
	})
	equal(t, "HTTP status", send(t, req), 204)
	got, err := c.GetRetentionSettings(&chime.GetRetentionSettingsInput{AccountId: aws.String(accountID)})
	must(t, err)
	equal(t, "room RetentionDays", aws.Int64Value(got.RetentionSettings.RoomRetentionSettings.RetentionDays), 30)
	equal(t, "conversation RetentionDays", aws.Int64Value(got.RetentionSettings.ConversationRetentionSettings.RetentionDays), 60)
	_, err = c.PutRetentionSettings(&chime.PutRetentionSettingsInput{
		AccountId: aws.String(s.teamID),
		RetentionSettings: &chime.RetentionSettings{
			RoomRetentionSettings: &chime.RoomRetentionSettings{RetentionDays: aws.Int64(30)},
		},
	})
	wantError[*chime.ForbiddenException](t, err)
}

func TestGetRetentionSettings(t *testing.T) {
	c := newClient(t)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseLWA")
	_, err := c.PutRetentionSettings(&chime.PutRetentionSettingsInput{
		AccountId: aws.String(accountID),
		RetentionSettings: &chime.RetentionSettings{
			RoomRetentionSettings: &chime.RoomRetentionSettings{RetentionDays: aws.Int64(5475)},
		},
	})
	must(t, err)
	got, err := c.GetRetentionSettings(&chime.GetRetentionSettingsInput{AccountId: aws.String(accountID)})
	must(t, err)
	equal(t, "room RetentionDays", aws.Int64Value(got.RetentionSettings.RoomRetentionSettings.RetentionDays), 5475)
	check(t, got.RetentionSettings.ConversationRetentionSettings == nil,
		"ConversationRetentionSettings %v", got.RetentionSettings.ConversationRetentionSettings)
	check(t, isTime(got.InitiateDeletionTimestamp), "InitiateDeletionTimestamp %v", got.InitiateDeletionTimestamp)
}

// message is a message as the /_chimed/ endpoints list it.
type message struct {
	MessageId string
	Content   *string
	Redacted  bool
}

// findMessage returns the listed message with the ID.
func findMessage(t *testing.T, resp extensionResponse, id string) message {
	t.Helper()
	var listed struct{ Messages []message }
	resp.decode(t, &listed)
	i := slices.IndexFunc(listed.Messages, func(m message) bool { return m.MessageId == id })
	check(t, i >= 0, "message %s not listed: %s", id, resp.Body)
	return listed.Messages[i]
}

func TestRedactRoomMessage(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	created := createRoom(t, c, s.accountID, "redact")
	base := "/_chimed/accounts/" + s.accountID + "/rooms/" + aws.StringValue(created.RoomId)
	hook := extension(t, http.MethodPost, base+"/webhooks", map[string]string{"Name": "alerts"})
	equal(t, "webhook HTTP status "+string(hook.Body), hook.Status, 201)
	var webhook struct{ Webhook struct{ Url string } }
	hook.decode(t, &webhook)
	posted := postURL(t, webhook.Webhook.Url, map[string]string{"Content": "the launch code is 0000"})
	equal(t, "post HTTP status "+string(posted.Body), posted.Status, 200)
	var sent struct{ MessageId string }
	posted.decode(t, &sent)
	_, err := c.RedactRoomMessage(&chime.RedactRoomMessageInput{
		AccountId: aws.String(s.accountID), RoomId: created.RoomId, MessageId: aws.String(sent.MessageId),
	})
	must(t, err)
	listed := extension(t, http.MethodGet, base+"/messages", nil)
	equal(t, "messages HTTP status", listed.Status, 200)
	m := findMessage(t, listed, sent.MessageId)
	equal(t, "Redacted", m.Redacted, true)
	check(t, m.Content == nil, "Content %q", aws.StringValue(m.Content))
	_, err = c.RedactRoomMessage(&chime.RedactRoomMessageInput{
		AccountId: aws.String(s.accountID), RoomId: created.RoomId, MessageId: aws.String(unknown),
	})
	wantError[*chime.NotFoundException](t, err)
}

func TestRedactConversationMessage(t *testing.T) {
	c := newClient(t)
	s := collab(t, c)
	base := "/_chimed/accounts/" + s.accountID + "/conversations"
	conversation := extension(t, http.MethodPost, base, map[string][]string{
		"MemberIds": {aws.StringValue(s.alice.UserId), aws.StringValue(s.bob.UserId)},
	})
	equal(t, "conversation HTTP status "+string(conversation.Body), conversation.Status, 201)
	var made struct {
		Conversation struct{ ConversationId string }
	}
	conversation.decode(t, &made)
	id := made.Conversation.ConversationId
	posted := extension(t, http.MethodPost, base+"/"+id+"/messages", map[string]string{
		"SenderId": aws.StringValue(s.alice.UserId), "Content": "my password is hunter2",
	})
	equal(t, "post HTTP status "+string(posted.Body), posted.Status, 200)
	var sent struct{ MessageId string }
	posted.decode(t, &sent)
	_, err := c.RedactConversationMessage(&chime.RedactConversationMessageInput{
		AccountId: aws.String(s.accountID), ConversationId: aws.String(id), MessageId: aws.String(sent.MessageId),
	})
	must(t, err)
	m := findMessage(t, extension(t, http.MethodGet, base+"/"+id+"/messages", nil), sent.MessageId)
	equal(t, "Redacted", m.Redacted, true)
	check(t, m.Content == nil, "Content %q", aws.StringValue(m.Content))
	_, err = c.RedactConversationMessage(&chime.RedactConversationMessageInput{
		AccountId: aws.String(s.accountID), ConversationId: aws.String(unknown), MessageId: aws.String(sent.MessageId),
	})
	wantError[*chime.NotFoundException](t, err)
}
