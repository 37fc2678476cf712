package e2e

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// collabMissingID is an ID nothing has.
const collabMissingID = "0b5e2f4c-1d3a-4c6b-8e7f-9a0b1c2d3e4f"

// collabIDPattern is a version 4 UUID, the form of the server's IDs.
var collabIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// principalA is the IAM principal behind keyA (see start).
const principalA = "arn:aws:iam::" + accountA + ":user/alice"

// collabResponse is an answer from a /_chimed/ endpoint or a webhook URL.
type collabResponse struct {
	status int
	header http.Header
	body   []byte
}

// decode reads the JSON body into v.
func (r collabResponse) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// want fails unless the answer has the status (and, for an error, the
// x-amzn-ErrorType).
func (r collabResponse) want(t *testing.T, status int, errorType string) {
	t.Helper()
	if r.status != status || r.header.Get("x-amzn-ErrorType") != errorType {
		t.Fatalf("want %d %s, got %d %s: %s", status, errorType, r.status, r.header.Get("x-amzn-ErrorType"), r.body)
	}
}

// collabCall sends a JSON request to the server, signed with key as the
// official SDKs sign (key "" sends it unsigned). url is a path on the
// server or a whole URL.
func collabCall(t *testing.T, e *env, key, method, url string, in any) collabResponse {
	t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	if strings.HasPrefix(url, "/") {
		url = e.srv.URL + url
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "chime", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := cmp.Or(e.httpClient, http.DefaultClient).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return collabResponse{status: resp.StatusCode, header: resp.Header, body: out}
}

// collabAccount creates a Chime account for key's AWS account and claims
// domain for it, which makes it an EnterpriseLWA account.
func collabAccount(t *testing.T, e *env, key, domain string) string {
	t.Helper()
	id := collabTeamAccount(t, e, key)
	collabCall(t, e, key, "POST", "/_chimed/accounts/"+id+"/domains",
		map[string]string{"Domain": domain, "AccountType": "EnterpriseLWA"}).want(t, http.StatusCreated, "")
	return id
}

// collabTeamAccount creates a Chime account as CreateAccount makes them: a
// Team account.
func collabTeamAccount(t *testing.T, e *env, key string) string {
	t.Helper()
	out, err := e.client(key).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("collaboration")})
	noErr(t, err)
	return aws.ToString(out.Account.AccountId)
}

// collabUser creates a registered user of the account.
func collabUser(t *testing.T, e *env, key, accountID, email, name string) string {
	t.Helper()
	out, err := e.client(key).CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(accountID), Email: aws.String(email), Username: aws.String(name)})
	noErr(t, err)
	return aws.ToString(out.User.UserId)
}

func collabRoom(t *testing.T, e *env, key, accountID, name string) string {
	t.Helper()
	out, err := e.client(key).CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(accountID), Name: aws.String(name)})
	noErr(t, err)
	return aws.ToString(out.Room.RoomId)
}

func TestRoomLifecycle(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")

	created, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(acct), Name: aws.String("ops")})
	noErr(t, err)
	r := created.Room
	if aws.ToString(r.AccountId) != acct || aws.ToString(r.Name) != "ops" || aws.ToString(r.CreatedBy) != principalA ||
		!collabIDPattern.MatchString(aws.ToString(r.RoomId)) || r.CreatedTimestamp == nil || !r.CreatedTimestamp.Equal(aws.ToTime(r.UpdatedTimestamp)) {
		t.Fatalf("created room %+v", r)
	}
	got, err := c.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	noErr(t, err)
	if aws.ToString(got.Room.Name) != "ops" || !got.Room.CreatedTimestamp.Equal(*r.CreatedTimestamp) {
		t.Fatalf("got room %+v", got.Room)
	}

	e.clock.Advance(time.Minute)
	updated, err := c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId, Name: aws.String("ops-2")})
	noErr(t, err)
	if aws.ToString(updated.Room.Name) != "ops-2" || !updated.Room.UpdatedTimestamp.After(*r.CreatedTimestamp) || !updated.Room.CreatedTimestamp.Equal(*r.CreatedTimestamp) {
		t.Fatalf("updated room %+v", updated.Room)
	}
	got, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	noErr(t, err)
	if aws.ToString(got.Room.Name) != "ops-2" {
		t.Fatalf("the new name was not kept: %+v", got.Room)
	}

	// Blank as the model's .*\S.* means it: a byte-order mark is no text.
	for _, blank := range []string{"  ", "\ufeff", "\u00a0\u3000"} {
		_, err = c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId, Name: aws.String(blank)})
		wantError(t, err, "BadRequestException")
	}
	_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(acct), Name: aws.String("")})
	wantError(t, err, "BadRequestException")
	_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(collabMissingID), Name: aws.String("x")})
	wantError(t, err, "NotFoundException")
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(acct), RoomId: aws.String(collabMissingID)})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: aws.String(acct), RoomId: aws.String(collabMissingID), Name: aws.String("x")})
	wantError(t, err, "NotFoundException")

	// Another AWS account sees neither the account nor its room.
	b := e.client(keyB)
	_, err = b.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	wantError(t, err, "NotFoundException")
	_, err = b.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	wantError(t, err, "NotFoundException")
	// Nor does another account of the same AWS account.
	other := collabAccount(t, e, keyA, "example.org")
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(other), RoomId: r.RoomId})
	wantError(t, err, "NotFoundException")

	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	noErr(t, err)
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	wantError(t, err, "NotFoundException")
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: r.RoomId})
	wantError(t, err, "NotFoundException")
}

func TestCreateRoomIsIdempotentOnClientRequestToken(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	create := func(c *chime.Client, accountID, name, token string) (*chime.CreateRoomOutput, error) {
		return c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(accountID), Name: aws.String(name), ClientRequestToken: aws.String(token)})
	}

	first, err := create(c, acct, "ops", "token-1")
	noErr(t, err)
	again, err := create(c, acct, "ops", "token-1")
	noErr(t, err)
	if aws.ToString(again.Room.RoomId) != aws.ToString(first.Room.RoomId) || !again.Room.CreatedTimestamp.Equal(*first.Room.CreatedTimestamp) {
		t.Fatalf("same token, another room: %+v then %+v", first.Room, again.Room)
	}
	listed, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct)})
	noErr(t, err)
	if len(listed.Rooms) != 1 {
		t.Fatalf("want 1 room after a repeated create, got %d", len(listed.Rooms))
	}

	// A retry is compared with the request that made the room, not with
	// what the room has become since.
	_, err = c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: aws.String(acct), RoomId: first.Room.RoomId, Name: aws.String("renamed")})
	noErr(t, err)
	retried, err := create(c, acct, "ops", "token-1")
	noErr(t, err)
	if aws.ToString(retried.Room.RoomId) != aws.ToString(first.Room.RoomId) || aws.ToString(retried.Room.Name) != "renamed" {
		t.Fatalf("retry after a rename answered %+v, want room %s as it is now", retried.Room, aws.ToString(first.Room.RoomId))
	}
	_, err = create(c, acct, "renamed", "token-1")
	wantError(t, err, "BadRequestException")

	// A token reused for something else is refused, not silently answered.
	_, err = create(c, acct, "another name", "token-1")
	wantError(t, err, "BadRequestException")
	other := collabAccount(t, e, keyA, "example.org")
	_, err = create(c, other, "ops", "token-1")
	wantError(t, err, "BadRequestException")

	// Another token, or the same token from another AWS account, makes a new room.
	second, err := create(c, acct, "ops", "token-2")
	noErr(t, err)
	acctB := collabAccount(t, e, keyB, "example.net")
	fromB, err := create(e.client(keyB), acctB, "ops", "token-1")
	noErr(t, err)
	ids := []string{aws.ToString(first.Room.RoomId), aws.ToString(second.Room.RoomId), aws.ToString(fromB.Room.RoomId)}
	if distinct := slices.Compact(slices.Sorted(slices.Values(ids))); len(distinct) != 3 {
		t.Fatalf("want three rooms, got %v", ids)
	}

	// Deleting an account frees its rooms' tokens, which no retry can
	// reach any more.
	collabCall(t, e, keyA, "DELETE", "/_chimed/accounts/"+acct+"/domains/example.com", nil).want(t, http.StatusNoContent, "")
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(acct)})
	noErr(t, err)
	reused, err := create(c, other, "elsewhere", "token-1")
	noErr(t, err)
	if id := aws.ToString(reused.Room.RoomId); id == aws.ToString(first.Room.RoomId) || aws.ToString(reused.Room.AccountId) != other {
		t.Fatalf("token of a deleted account's room answered %+v", reused.Room)
	}

	// The model's constraints on the token hold.
	_, err = create(c, other, "ops", "x")
	wantError(t, err, "BadRequestException")
	_, err = create(c, other, "ops", "not allowed!")
	wantError(t, err, "BadRequestException")
}

func TestListRoomsPagesAndFiltersByMember(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	var want []string
	for i := range 5 {
		want = append(want, collabRoom(t, e, keyA, acct, "room "+string(rune('a'+i))))
	}

	var got []string
	pages := 0
	p := chime.NewListRoomsPaginator(c, &chime.ListRoomsInput{AccountId: aws.String(acct), MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		if len(page.Rooms) > 2 {
			t.Fatalf("page of %d rooms, asked for 2", len(page.Rooms))
		}
		for _, r := range page.Rooms {
			got = append(got, aws.ToString(r.RoomId))
		}
	}
	slices.Sort(want)
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("want %v in 3 pages, got %v in %d", want, got, pages)
	}

	user := collabUser(t, e, keyA, acct, "zhang@example.com", "Zhang Wei")
	for _, room := range want[1:3] {
		_, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(user)})
		noErr(t, err)
	}
	mine, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MemberId: aws.String(user)})
	noErr(t, err)
	var ids []string
	for _, r := range mine.Rooms {
		ids = append(ids, aws.ToString(r.RoomId))
	}
	if !slices.Equal(ids, want[1:3]) || mine.NextToken != nil {
		t.Fatalf("rooms of %s: want %v, got %v", user, want[1:3], ids)
	}
	// An empty member ID is a filter too, one no member matches.
	for _, nobody := range []string{collabMissingID, ""} {
		none, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MemberId: aws.String(nobody)})
		noErr(t, err)
		if len(none.Rooms) != 0 {
			t.Fatalf("rooms of %q: %+v", nobody, none.Rooms)
		}
	}

	// A token continues only the listing it came from.
	first, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MaxResults: aws.Int32(1)})
	noErr(t, err)
	_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MemberId: aws.String(user), NextToken: first.NextToken})
	wantError(t, err, "BadRequestException")
	_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), NextToken: aws.String("garbage")})
	wantError(t, err, "BadRequestException")
	for _, n := range []int32{0, 100} {
		_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(acct), MaxResults: aws.Int32(n)})
		wantError(t, err, "BadRequestException")
	}
	_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: aws.String(collabMissingID)})
	wantError(t, err, "NotFoundException")
}

// TestTeamAccountsHaveNoCollaboration: rooms, bots, retention and messages
// exist only in Enterprise accounts; a Team account is refused with a
// reason.
func TestTeamAccountsHaveNoCollaboration(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	team := aws.String(collabTeamAccount(t, e, keyA))
	id := aws.String(collabMissingID)
	calls := map[string]func() error{
		"CreateRoom": func() error {
			_, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: team, Name: aws.String("r")})
			return err
		},
		"GetRoom": func() error { _, err := c.GetRoom(ctx, &chime.GetRoomInput{AccountId: team, RoomId: id}); return err },
		"UpdateRoom": func() error {
			_, err := c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: team, RoomId: id, Name: aws.String("r")})
			return err
		},
		"DeleteRoom": func() error {
			_, err := c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: team, RoomId: id})
			return err
		},
		"ListRooms": func() error { _, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: team}); return err },
		"CreateRoomMembership": func() error {
			_, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: team, RoomId: id, MemberId: id})
			return err
		},
		"BatchCreateRoomMembership": func() error {
			_, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: team, RoomId: id, MembershipItemList: []types.MembershipItem{{MemberId: id}}})
			return err
		},
		"UpdateRoomMembership": func() error {
			_, err := c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: team, RoomId: id, MemberId: id, Role: types.RoomMembershipRoleAdministrator})
			return err
		},
		"DeleteRoomMembership": func() error {
			_, err := c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: team, RoomId: id, MemberId: id})
			return err
		},
		"ListRoomMemberships": func() error {
			_, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: team, RoomId: id})
			return err
		},
		"CreateBot": func() error {
			_, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: team, DisplayName: aws.String("b"), Domain: aws.String("example.com")})
			return err
		},
		"GetBot": func() error { _, err := c.GetBot(ctx, &chime.GetBotInput{AccountId: team, BotId: id}); return err },
		"UpdateBot": func() error {
			_, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: team, BotId: id, Disabled: aws.Bool(true)})
			return err
		},
		"ListBots": func() error { _, err := c.ListBots(ctx, &chime.ListBotsInput{AccountId: team}); return err },
		"RegenerateSecurityToken": func() error {
			_, err := c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: team, BotId: id})
			return err
		},
		"PutEventsConfiguration": func() error {
			_, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: team, BotId: id, OutboundEventsHTTPSEndpoint: aws.String("https://bot.example.com/events")})
			return err
		},
		"GetEventsConfiguration": func() error {
			_, err := c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: team, BotId: id})
			return err
		},
		"DeleteEventsConfiguration": func() error {
			_, err := c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: team, BotId: id})
			return err
		},
		"PutRetentionSettings": func() error {
			_, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: team, RetentionSettings: &types.RetentionSettings{
				RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(30)}}})
			return err
		},
		"GetRetentionSettings": func() error {
			_, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: team})
			return err
		},
		"RedactRoomMessage": func() error {
			_, err := c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: team, RoomId: id, MessageId: id})
			return err
		},
		"RedactConversationMessage": func() error {
			_, err := c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: team, ConversationId: id, MessageId: id})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			wantError(t, err, "ForbiddenException")
			if !strings.Contains(err.Error(), "Team account") || !strings.Contains(err.Error(), "only in Enterprise accounts") {
				t.Fatalf("the refusal does not say why: %v", err)
			}
		})
	}

	// The extension endpoints for messages answer the same.
	base := "/_chimed/accounts/" + *team
	for _, req := range []struct{ method, path string }{
		{"POST", base + "/rooms/" + collabMissingID + "/webhooks"},
		{"GET", base + "/rooms/" + collabMissingID + "/webhooks"},
		{"GET", base + "/rooms/" + collabMissingID + "/messages"},
		{"POST", base + "/conversations"},
		{"GET", base + "/conversations/" + collabMissingID + "/messages"},
	} {
		var in any
		if req.method == "POST" {
			in = map[string]any{"Name": "hook", "MemberIds": []string{collabMissingID, "x"}}
		}
		resp := collabCall(t, e, keyA, req.method, req.path, in)
		resp.want(t, http.StatusForbidden, "ForbiddenException")
		if !strings.Contains(string(resp.body), "only in Enterprise accounts") {
			t.Fatalf("%s %s: the refusal does not say why: %s", req.method, req.path, resp.body)
		}
	}
}
