package e2e

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/server"
)

// wantToken fails unless token looks like the reference's security tokens:
// 40 base64 characters (30 random bytes).
func wantToken(t *testing.T, token string) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(token)
	if len(token) != 40 || err != nil || len(b) != 30 {
		t.Fatalf("security token %q is not 30 bytes in base64", token)
	}
}

func TestBotLifecycle(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	collabCall(t, e, keyA, "POST", "/_chimed/accounts/"+acct+"/domains",
		map[string]string{"Domain": "example.net", "AccountType": "EnterpriseLWA"}).want(t, 201, "")

	// The reference's example: display name myBot, domain example.com.
	created, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String("myBot"), Domain: aws.String("example.com")})
	noErr(t, err)
	bot := created.Bot
	if aws.ToString(bot.BotEmail) != "myBot-chimebot@example.com" || aws.ToString(bot.DisplayName) != "myBot (Bot)" || bot.BotType != types.BotTypeChatBot ||
		aws.ToBool(bot.Disabled) || bot.Disabled == nil || !collabIDPattern.MatchString(aws.ToString(bot.BotId)) ||
		aws.ToString(bot.UserId) != aws.ToString(bot.BotId) || bot.CreatedTimestamp == nil || !bot.CreatedTimestamp.Equal(aws.ToTime(bot.UpdatedTimestamp)) {
		t.Fatalf("created bot %+v", bot)
	}
	wantToken(t, aws.ToString(bot.SecurityToken))

	got, err := c.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	if aws.ToString(got.Bot.BotEmail) != aws.ToString(bot.BotEmail) || aws.ToString(got.Bot.SecurityToken) != aws.ToString(bot.SecurityToken) ||
		!got.Bot.CreatedTimestamp.Equal(*bot.CreatedTimestamp) {
		t.Fatalf("got bot %+v, created %+v", got.Bot, bot)
	}

	for _, tc := range []struct {
		name, displayName string
		domain            *string
		email             string // "" when refused
	}{
		{"second claimed domain", "myBot", aws.String("example.net"), "myBot-chimebot@example.net"},
		{"domain left out: the first claimed", "Help Desk", nil, "Help-Desk-chimebot@example.com"},
		{"domain case does not matter", "Ops.Bot_1", aws.String("EXAMPLE.com"), "Ops.Bot_1-chimebot@example.com"},
		{"email already taken", "mybot", aws.String("example.com"), ""},
		{"domain not claimed", "other", aws.String("example.org"), ""},
		{"blank display name", "  ", nil, ""},
		{"punctuation between words", "R&D Bot", nil, "R-D-Bot-chimebot@example.com"},
		{"letters beyond ASCII", "Café", nil, "Café-chimebot@example.com"},
		{"an accent typed apart", "Cafe\u0301 Bot", nil, "Café-Bot-chimebot@example.com"},
		{"vowel signs are part of a word", "नमस्ते", nil, "नमस्ते-chimebot@example.com"},
		{"no letter or digit", "&&", nil, ""},
		{"dots an email may not have", "..bot", nil, ""},
		{"too long for an email", "a123456789b123456789c123456789d123456789e123456789f12345", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String(tc.displayName), Domain: tc.domain})
			if tc.email == "" {
				wantError(t, err, "BadRequestException")
				return
			}
			noErr(t, err)
			if aws.ToString(out.Bot.BotEmail) != tc.email {
				t.Fatalf("BotEmail %q, want %q", aws.ToString(out.Bot.BotEmail), tc.email)
			}
		})
	}

	e.clock.Advance(time.Minute)
	stopped, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(true)})
	noErr(t, err)
	if !aws.ToBool(stopped.Bot.Disabled) || !stopped.Bot.UpdatedTimestamp.After(*bot.CreatedTimestamp) {
		t.Fatalf("stopped bot %+v", stopped.Bot)
	}
	got, err = c.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	if !aws.ToBool(got.Bot.Disabled) {
		t.Fatalf("Disabled was not kept: %+v", got.Bot)
	}
	started, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(false)})
	noErr(t, err)
	if aws.ToBool(started.Bot.Disabled) {
		t.Fatalf("started bot %+v", started.Bot)
	}

	regenerated, err := c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	token := aws.ToString(regenerated.Bot.SecurityToken)
	wantToken(t, token)
	if token == aws.ToString(bot.SecurityToken) {
		t.Fatal("RegenerateSecurityToken kept the old token")
	}
	got, err = c.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	if aws.ToString(got.Bot.SecurityToken) != token {
		t.Fatalf("GetBot answers token %q, want the new %q", aws.ToString(got.Bot.SecurityToken), token)
	}

	_, err = c.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(acct), BotId: aws.String(collabMissingID)})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: aws.String(collabMissingID), Disabled: aws.Bool(true)})
	wantError(t, err, "NotFoundException")
	_, err = c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: aws.String(acct), BotId: aws.String(collabMissingID)})
	wantError(t, err, "NotFoundException")
	b := e.client(keyB)
	_, err = b.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(acct), BotId: bot.BotId})
	wantError(t, err, "NotFoundException")
	_, err = b.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: aws.String(acct), BotId: bot.BotId})
	wantError(t, err, "NotFoundException")
	_, err = b.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String("intruder")})
	wantError(t, err, "NotFoundException")
}

// A bot's address names it as a sender and in mentions: no user of the
// same AWS account may have it, in any case, nor a bot a user's.
func TestUsersAndBotsDoNotShareAddresses(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	_, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String("Helper")})
	noErr(t, err)
	_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(acct), Email: aws.String("HELPER-chimebot@example.com")})
	wantErrorMessage(t, err, "ConflictException", "Email: HELPER-chimebot@example.com is the address of bot")
	team := aws.String(collabTeamAccount(t, e, keyA))
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: team, UserEmailList: []string{"ana@example.com", "helper-chimebot@example.com"}})
	wantErrorMessage(t, err, "BadRequestException", "UserEmailList[1]: helper-chimebot@example.com is the address of bot")
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: team})
	noErr(t, err)
	if len(users.Users) != 0 {
		t.Fatalf("the refused invitation made users: %+v", users.Users)
	}

	user := createUserIn(t, c, aws.String(acct), "other-chimebot@example.com")
	_, err = c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String("OTHER")})
	wantErrorMessage(t, err, "BadRequestException", "DisplayName: user "+aws.ToString(user.UserId)+" of account "+acct+" has the email OTHER-chimebot@example.com")
	bots, err := c.ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(acct)})
	noErr(t, err)
	if len(bots.Bots) != 1 {
		t.Fatalf("want the Helper bot alone, got %d bots", len(bots.Bots))
	}
}

func TestListBotsPages(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	want := map[string]bool{}
	for i := range 12 {
		bot := collabBot(t, e, keyA, acct, "bot"+string(rune('a'+i)), "")
		want[aws.ToString(bot.BotId)] = true
	}

	// The reference's default page is 10 bots.
	first, err := c.ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(acct)})
	noErr(t, err)
	if len(first.Bots) != 10 || first.NextToken == nil {
		t.Fatalf("first page: %d bots, NextToken %v", len(first.Bots), first.NextToken)
	}

	got := map[string]bool{}
	pages := 0
	p := chime.NewListBotsPaginator(c, &chime.ListBotsInput{AccountId: aws.String(acct), MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		for _, b := range page.Bots {
			if got[aws.ToString(b.BotId)] {
				t.Fatalf("bot %s listed twice", aws.ToString(b.BotId))
			}
			got[aws.ToString(b.BotId)] = true
			wantToken(t, aws.ToString(b.SecurityToken))
		}
	}
	if pages != 3 || len(got) != len(want) {
		t.Fatalf("%d bots in %d pages, want %d in 3", len(got), pages, len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("bot %s not listed", id)
		}
	}

	for _, n := range []int32{0, 100} {
		_, err = c.ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(acct), MaxResults: aws.Int32(n)})
		wantError(t, err, "BadRequestException")
	}
	_, err = e.client(keyB).ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(acct)})
	wantError(t, err, "NotFoundException")
	_, err = e.client(keyB).ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(acct), NextToken: first.NextToken})
	wantError(t, err, "BadRequestException")
	other := collabAccount(t, e, keyA, "example.org")
	_, err = c.ListBots(ctx, &chime.ListBotsInput{AccountId: aws.String(other), NextToken: first.NextToken})
	wantError(t, err, "BadRequestException")
}

func TestEventsConfiguration(t *testing.T) {
	// Targets that pass their check: an HTTPS endpoint, a plain HTTP one
	// (with --allow-private-endpoints, which the test bots need anyway on
	// loopback) and two Lambda functions.
	const arn = "arn:aws:lambda:us-east-1:111122223333:function:chime-bot"
	const alias = "arn:aws:lambda:eu-west-2:111122223333:function:bot:live"
	secure, plain, lambda := startTestBot(t, true), startTestBot(t, false), startTestLambda(t, arn, alias)
	e := start(t, secure.trusted, lambda.configure)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	bot := collabBot(t, e, keyA, acct, "helper", "")
	get := func() (*types.EventsConfiguration, error) {
		out, err := c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId})
		if err != nil {
			return nil, err
		}
		return out.EventsConfiguration, nil
	}
	put := func(endpoint, arn *string) (*types.EventsConfiguration, error) {
		out, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId,
			OutboundEventsHTTPSEndpoint: endpoint, LambdaFunctionArn: arn})
		if err != nil {
			return nil, err
		}
		return out.EventsConfiguration, nil
	}

	_, err := get()
	wantError(t, err, "NotFoundException")

	endpoint := secure.url()
	cfg, err := put(aws.String(endpoint), nil)
	noErr(t, err)
	if aws.ToString(cfg.BotId) != aws.ToString(bot.BotId) || aws.ToString(cfg.OutboundEventsHTTPSEndpoint) != endpoint || cfg.LambdaFunctionArn != nil {
		t.Fatalf("put %+v", cfg)
	}
	cfg, err = get()
	noErr(t, err)
	if aws.ToString(cfg.OutboundEventsHTTPSEndpoint) != endpoint || cfg.LambdaFunctionArn != nil {
		t.Fatalf("got %+v", cfg)
	}

	// A Lambda function replaces the endpoint.
	_, err = put(nil, aws.String(arn))
	noErr(t, err)
	cfg, err = get()
	noErr(t, err)
	if aws.ToString(cfg.LambdaFunctionArn) != arn || cfg.OutboundEventsHTTPSEndpoint != nil {
		t.Fatalf("got %+v after putting a Lambda function", cfg)
	}

	for _, tc := range []struct {
		name          string
		endpoint, arn *string
		ok            bool
	}{
		{"http for a development bot", aws.String(plain.url()), nil, true},
		{"Lambda alias", nil, aws.String(alias), true},
		{"endpoint that does not answer", aws.String("https://127.0.0.1:1/events"), nil, false},
		{"Lambda function that does not exist", nil, aws.String("arn:aws:lambda:us-east-1:111122223333:function:missing"), false},
		{"both", aws.String(endpoint), aws.String(arn), false},
		{"neither", nil, nil, false},
		{"no scheme", aws.String("bots.example.com/events"), nil, false},
		{"no host", aws.String("https:///events"), nil, false},
		{"not http", aws.String("ftp://bots.example.com/events"), nil, false},
		{"not a URL", aws.String("https://bots example com"), nil, false},
		{"ARN of another service", nil, aws.String("arn:aws:sns:us-east-1:111122223333:topic"), false},
		{"ARN with a short account", nil, aws.String("arn:aws:lambda:us-east-1:1111:function:bot"), false},
		{"ARN without a function name", nil, aws.String("arn:aws:lambda:us-east-1:111122223333:function:"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := put(tc.endpoint, tc.arn)
			if tc.ok {
				noErr(t, err)
			} else {
				wantError(t, err, "BadRequestException")
			}
		})
	}

	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	_, err = get()
	wantError(t, err, "NotFoundException")
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err) // nothing left to delete is not an error

	// Without a configuration the bot cannot join a room.
	room := collabRoom(t, e, keyA, acct, "ops")
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: bot.BotId})
	wantError(t, err, "BadRequestException")

	missing := aws.String(collabMissingID)
	_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: missing, OutboundEventsHTTPSEndpoint: aws.String(endpoint)})
	wantError(t, err, "NotFoundException")
	_, err = c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(acct), BotId: missing})
	wantError(t, err, "NotFoundException")
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: aws.String(acct), BotId: missing})
	wantError(t, err, "NotFoundException")
	// Its model lists no NotFoundException, but the SDK types it (the
	// README says so).
	if nf := (*types.NotFoundException)(nil); !errors.As(err, &nf) {
		t.Errorf("DeleteEventsConfiguration's 404 is a %T, not a *types.NotFoundException", err)
	}
	_, err = e.client(keyB).PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId, OutboundEventsHTTPSEndpoint: aws.String(endpoint)})
	wantError(t, err, "NotFoundException")
}

// PutEventsConfiguration keeps an HTTPS endpoint only if it answers the
// challenge with 200 and the very JSON body it was sent: a 200 with another
// body is refused, and nothing is stored.
func TestEventsEndpointMustEchoTheChallenge(t *testing.T) {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			w.Write(body)
		case "/other-challenge":
			w.Write([]byte(`{"Challenge": "not-the-one-sent"}`))
		case "/text":
			w.Write([]byte("ok"))
		case "/echo-404":
			w.WriteHeader(http.StatusNotFound)
			w.Write(body)
		} // "/empty": 200 with no body
	}))
	t.Cleanup(endpoint.Close)
	e := start(t, func(c *server.Config) { c.AllowPrivateEndpoints = true })
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	bot := collabBot(t, e, keyA, acct, "helper", "")
	put := func(path string) error {
		_, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId,
			OutboundEventsHTTPSEndpoint: aws.String(endpoint.URL + path)})
		return err
	}
	for _, path := range []string{"/other-challenge", "/empty", "/text", "/echo-404"} {
		t.Run(path, func(t *testing.T) {
			err := put(path)
			wantError(t, err, "BadRequestException")
			if !strings.Contains(err.Error(), "did not answer the challenge") && !strings.Contains(err.Error(), "must answer 200 with the JSON body") {
				t.Fatalf("refusal does not say why: %v", err)
			}
			_, err = c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId})
			wantError(t, err, "NotFoundException")
		})
	}
	noErr(t, put("/echo"))
}
