package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/server"
)

// delivery is an event as GET .../bots/{botId}/deliveries lists it.
type delivery struct {
	EventId, EventType, RoomId, Status string
	// NextAttemptTimestamp is for Pending events only; FinishedTimestamp
	// for the others. Both are left out (nil here) when they do not apply.
	NextAttemptTimestamp, FinishedTimestamp any
	Attempts                                []struct {
		Outcome, Error    string
		StatusCode        int
		RetryAfterSeconds int
	}
}

func deliveries(t *testing.T, e *env, key, accountID, botID string) []delivery {
	t.Helper()
	resp := collabCall(t, e, key, "GET", "/_chimed/accounts/"+accountID+"/bots/"+botID+"/deliveries", nil)
	resp.want(t, http.StatusOK, "")
	var out struct{ Deliveries []delivery }
	resp.decode(t, &out)
	return out.Deliveries
}

// eventTimestamp is the form of Chime-Request-Timestamp and EventTimestamp.
var eventTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// wantEvent checks a received event: signed with token, of the type, about
// the room, with an answer URL of the endpoint type ("" for none).
func wantEvent(t *testing.T, r botRequest, token, eventType, roomID, endpointType string) {
	t.Helper()
	ev := r.event
	if !r.signedWith(token) {
		t.Fatalf("%s event not signed with the bot's token: timestamp %q signature %q", eventType, r.timestamp, r.signature)
	}
	if ev.EventType != eventType || ev.Discussion.DiscussionId != roomID || ev.Discussion.DiscussionType != "Room" ||
		ev.Sender.SenderIdType != "EmailId" || ev.Sender.SenderId == "" || !collabIDPattern.MatchString(ev.EventId) ||
		!eventTimestamp.MatchString(ev.EventTimestamp) || !eventTimestamp.MatchString(r.timestamp) {
		t.Fatalf("want a %s event about room %s, got %s", eventType, roomID, r.body)
	}
	switch {
	case endpointType == "" && ev.InboundHttpsEndpoint != nil:
		t.Fatalf("%s event has an InboundHttpsEndpoint: %s", eventType, r.body)
	case endpointType != "" && (ev.InboundHttpsEndpoint == nil || ev.InboundHttpsEndpoint.EndpointType != endpointType):
		t.Fatalf("%s event wants a %s InboundHttpsEndpoint: %s", eventType, endpointType, r.body)
	}
}

// reply posts content into the room through an event's answer URL.
func reply(t *testing.T, e *env, r botRequest, content string) collabResponse {
	t.Helper()
	return collabCall(t, e, "", "POST", r.event.InboundHttpsEndpoint.Url, map[string]string{"Content": content})
}

// botRoom sets up an Enterprise account with a room, a webhook into it and a
// bot whose events go to endpoint.
func botRoom(t *testing.T, e *env, endpoint string) (acct, room string, hook collabWebhook, bot *types.Bot) {
	t.Helper()
	acct = collabAccount(t, e, keyA, "example.com")
	room = collabRoom(t, e, keyA, acct, "ops")
	hook = createWebhook(t, e, keyA, acct, room, "alerts")
	bot = collabBot(t, e, keyA, acct, "helper", endpoint)
	return acct, room, hook, bot
}

func addBot(t *testing.T, e *env, acct, room, botID string) {
	t.Helper()
	_, err := e.client(keyA).CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(botID)})
	noErr(t, err)
}

// invitedBot starts a server and a bot's endpoint, and sets up a room whose
// bot has been told of its Invite.
func invitedBot(t *testing.T) (e *env, endpoint *testBot, acct, room string, hook collabWebhook, bot *types.Bot) {
	t.Helper()
	endpoint = startTestBot(t, false)
	e = start(t, endpoint.trusted)
	acct, room, hook, bot = botRoom(t, e, endpoint.url())
	addBot(t, e, acct, room, aws.ToString(bot.BotId))
	e.runJobs(0)
	return e, endpoint, acct, room, hook, bot
}

func TestBotEventsSignedAndAnswered(t *testing.T) {
	endpoint := startTestBot(t, true)
	e := start(t, endpoint.trusted)
	c := e.client(keyA)
	acct, room, hook, bot := botRoom(t, e, endpoint.url())
	token := aws.ToString(bot.SecurityToken)
	if challenges := endpoint.challenged(); len(challenges) != 1 || !challenges[0].signedWith(token) {
		t.Fatalf("PutEventsConfiguration must challenge the endpoint once, signed: got %d challenges", len(challenges))
	}

	// Added to the room: an Invite, with a Persistent answer URL.
	addBot(t, e, acct, room, aws.ToString(bot.BotId))
	if got := endpoint.events(); len(got) != 0 {
		t.Fatalf("events sent before the delivery job ran: %d", len(got))
	}
	e.runJobs(0)
	got := endpoint.events()
	if len(got) != 1 {
		t.Fatalf("got %d events, want the Invite", len(got))
	}
	invite := got[0]
	wantEvent(t, invite, token, "Invite", room, "Persistent")
	if invite.event.Sender.SenderId != principalA {
		t.Fatalf("Invite sender %q, want the caller %s", invite.event.Sender.SenderId, principalA)
	}
	reply(t, e, invite, "hello, I am here").want(t, http.StatusOK, "")

	// Mentioned through the webhook: a Mention with the text and a
	// ShortLived answer URL; a message that names no bot sends nothing.
	postToRoom(t, e, hook, "nothing for bots here, helper")
	postToRoom(t, e, hook, "@helper what is the status?")
	e.runJobs(0)
	got = endpoint.events()
	if len(got) != 2 {
		t.Fatalf("got %d events, want the Invite and one Mention", len(got))
	}
	mention := got[1]
	wantEvent(t, mention, token, "Mention", room, "ShortLived")
	if mention.event.Message != "@helper what is the status?" || mention.event.Sender.SenderId != hook.WebhookId {
		t.Fatalf("Mention %s", mention.body)
	}
	reply(t, e, mention, "all green").want(t, http.StatusOK, "")

	messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50)
	var fromBot []string
	for _, m := range messages {
		if m.Sender.SenderType == "Bot" {
			if m.Sender.SenderId != aws.ToString(bot.BotId) || m.Sender.Name != "helper (Bot)" {
				t.Fatalf("bot message sender %+v", m.Sender)
			}
			fromBot = append(fromBot, aws.ToString(m.Content))
		}
	}
	if !slices.Equal(fromBot, []string{"hello, I am here", "all green"}) {
		t.Fatalf("bot's messages in the room: %q", fromBot)
	}

	// The ShortLived URL lapses after two minutes; the Persistent one does
	// not. Neither works with another token.
	e.clock.Advance(2*time.Minute + time.Second)
	reply(t, e, mention, "too late").want(t, http.StatusForbidden, "ForbiddenException")
	reply(t, e, invite, "still here").want(t, http.StatusOK, "")
	forged := invite
	forged.event.InboundHttpsEndpoint = &struct{ EndpointType, Url string }{"Persistent", invite.event.InboundHttpsEndpoint.Url + "x"}
	reply(t, e, forged, "forged").want(t, http.StatusForbidden, "ForbiddenException")

	// The bot's own email mentions it too; after the token is regenerated,
	// events are signed with the new one.
	regenerated, err := c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: aws.String(acct), BotId: bot.BotId})
	noErr(t, err)
	newToken := aws.ToString(regenerated.Bot.SecurityToken)
	postToRoom(t, e, hook, "ping @"+aws.ToString(bot.BotEmail))
	e.runJobs(0)
	got = endpoint.events()
	if len(got) != 3 {
		t.Fatalf("got %d events, want a second Mention", len(got))
	}
	wantEvent(t, got[2], newToken, "Mention", room, "ShortLived")
	if got[2].signedWith(token) {
		t.Fatal("an event after RegenerateSecurityToken is signed with the old token")
	}

	// The reply URLs are credentials of their own: the new token leaves
	// the Persistent one working.
	reply(t, e, invite, "after the new token").want(t, http.StatusOK, "")

	// A disabled bot receives nothing, and none of its reply URLs works.
	_, err = c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(true)})
	noErr(t, err)
	postToRoom(t, e, hook, "@helper are you there?")
	e.runJobs(0)
	if n := len(endpoint.events()); n != 3 {
		t.Fatalf("a disabled bot received %d events, want none", n-3)
	}
	reply(t, e, invite, "while disabled").want(t, http.StatusForbidden, "ForbiddenException")
	_, err = c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(false)})
	noErr(t, err)

	// Removed: a Remove without an answer URL, and the Persistent URL
	// stops working.
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: bot.BotId})
	noErr(t, err)
	e.runJobs(0)
	got = endpoint.events()
	if len(got) != 4 {
		t.Fatalf("got %d events, want a Remove", len(got))
	}
	wantEvent(t, got[3], newToken, "Remove", room, "")
	reply(t, e, invite, "after removal").want(t, http.StatusNotFound, "NotFoundException")

	// Every event is listed as delivered at the first attempt, in order.
	listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
	var types []string
	for i, d := range listed {
		types = append(types, d.EventType)
		if d.Status != "Delivered" || len(d.Attempts) != 1 || d.Attempts[0].Outcome != "Delivered" || d.Attempts[0].StatusCode != 200 ||
			d.EventId != got[i].event.EventId || d.RoomId != room {
			t.Fatalf("delivery %d: %+v", i, d)
		}
		if d.NextAttemptTimestamp != nil || d.FinishedTimestamp == nil {
			t.Fatalf("delivered event %d has NextAttemptTimestamp %v, FinishedTimestamp %v: want only the finish", i, d.NextAttemptTimestamp, d.FinishedTimestamp)
		}
	}
	if strings.Join(types, ",") != "Invite,Mention,Mention,Remove" {
		t.Fatalf("deliveries %s", strings.Join(types, ","))
	}
	collabCall(t, e, keyB, "GET", "/_chimed/accounts/"+acct+"/bots/"+aws.ToString(bot.BotId)+"/deliveries", nil).want(t, http.StatusNotFound, "NotFoundException")
}

// Adding a bot with BatchCreateRoomMembership invites it; deleting the room
// removes it, and erases the room's messages from the Mentions too.
func TestBotEventsBatchAndRoomDeletion(t *testing.T) {
	endpoint := startTestBot(t, false)
	e := start(t, endpoint.trusted)
	acct, room, hook, bot := botRoom(t, e, endpoint.url())
	out, err := e.client(keyA).BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room),
		MembershipItemList: []types.MembershipItem{{MemberId: bot.BotId}, {MemberId: aws.String(collabMissingID)}}})
	noErr(t, err)
	if len(out.Errors) != 1 {
		t.Fatalf("batch errors %+v", out.Errors)
	}
	postToRoom(t, e, hook, "@helper (Bot) the vault code is 1234")
	e.runJobs(0)
	_, err = e.client(keyA).DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	e.runJobs(0)
	got := endpoint.events()
	if len(got) != 3 {
		t.Fatalf("got %d events, want an Invite, a Mention and a Remove", len(got))
	}
	wantEvent(t, got[0], aws.ToString(bot.SecurityToken), "Invite", room, "Persistent")
	wantEvent(t, got[1], aws.ToString(bot.SecurityToken), "Mention", room, "ShortLived")
	wantEvent(t, got[2], aws.ToString(bot.SecurityToken), "Remove", room, "")
	reply(t, e, got[0], "the room is gone").want(t, http.StatusNotFound, "NotFoundException")
	var n int
	noErr(t, e.rawDatabase(t).QueryRow(`SELECT COUNT(*) FROM bot_events WHERE doc LIKE '%vault code%'`).Scan(&n))
	if n != 0 {
		t.Fatalf("the deleted room's message is still in %d outbox rows", n)
	}
}

// A 500 and a timeout are retried later; the bot's next event waits for the
// one before it; an endpoint that keeps failing is given up.
func TestBotEventRetries(t *testing.T) {
	endpoint := startTestBot(t, true)
	e := start(t, endpoint.trusted)
	acct, room, hook, bot := botRoom(t, e, endpoint.url())
	botID := aws.ToString(bot.BotId)
	status := func() []string {
		var out []string
		for _, d := range deliveries(t, e, keyA, acct, botID) {
			out = append(out, d.EventType+":"+d.Status)
		}
		return out
	}

	endpoint.answerNext("500", "slow")
	addBot(t, e, acct, room, botID)
	postToRoom(t, e, hook, "@helper first question")
	e.runJobs(0)
	if n := len(endpoint.events()); n != 1 {
		t.Fatalf("%d requests after a 500, want 1: the Mention must wait for the Invite", n)
	}
	if got := status(); !slices.Equal(got, []string{"Invite:Pending", "Mention:Pending"}) {
		t.Fatalf("after a 500: %v", got)
	}
	e.runJobs(time.Minute) // the retry times out
	if n := len(endpoint.events()); n != 2 {
		t.Fatalf("%d requests after the retry, want 2", n)
	}
	e.runJobs(time.Minute) // the retry succeeds, then the Mention goes
	got := endpoint.events()
	if len(got) != 4 || got[2].event.EventType != "Invite" || got[3].event.EventType != "Mention" {
		t.Fatalf("%d requests, want the Invite three times then the Mention", len(got))
	}
	if got[0].event.EventId != got[2].event.EventId || string(got[0].body) != string(got[2].body) {
		t.Fatal("a retried event must carry the same body and EventId")
	}
	invite := deliveries(t, e, keyA, acct, botID)[0]
	if invite.Status != "Delivered" || len(invite.Attempts) != 3 ||
		invite.Attempts[0].Outcome != "Retry" || invite.Attempts[0].StatusCode != 500 ||
		invite.Attempts[1].Outcome != "Retry" || !strings.Contains(invite.Attempts[1].Error, "no answer within 2s") ||
		invite.Attempts[2].Outcome != "Delivered" {
		t.Fatalf("Invite delivery %+v", invite)
	}

	// Failing for over an hour: given up.
	endpoint.answerNext(slices.Repeat([]string{"500"}, 100)...)
	postToRoom(t, e, hook, "@helper second question")
	e.runJobs(0)
	for range 4 {
		e.runJobs(20 * time.Minute)
	}
	if got := status(); !slices.Equal(got, []string{"Invite:Delivered", "Mention:Delivered", "Mention:Failed"}) {
		t.Fatalf("after an hour of failures: %v", got)
	}
	given := deliveries(t, e, keyA, acct, botID)[2]
	last := given.Attempts[len(given.Attempts)-1]
	if given.Attempts[0].Outcome != "Retry" || last.Outcome != "Failed" || !strings.Contains(last.Error, "not retried") {
		t.Fatalf("the attempts of the given-up Mention: %+v", given.Attempts)
	}
}

// An event committed by a server that stops before delivering it is
// delivered by the next server on the same database.
func TestBotEventSurvivesRestart(t *testing.T) {
	endpoint := startTestBot(t, true)
	first := start(t, endpoint.trusted)
	acct, room, _, bot := botRoom(t, first, endpoint.url())
	addBot(t, first, acct, room, aws.ToString(bot.BotId))
	first.stop(t)
	if n := len(endpoint.events()); n != 0 {
		t.Fatalf("%d events delivered before the restart", n)
	}

	// The new server's own first run of its jobs may be the one that
	// delivers: wait for the event rather than expect it after runJobs.
	second := start(t, endpoint.trusted, func(c *server.Config) { c.DB = first.db })
	second.runJobs(0)
	got := endpoint.waitEvents(t, 1)
	if len(got) != 1 {
		t.Fatalf("%d events after the restart, want the Invite once", len(got))
	}
	wantEvent(t, got[0], aws.ToString(bot.SecurityToken), "Invite", room, "Persistent")
}

// Redacting a message, or deleting its room, erases its text from the
// Mentions about it too: one not yet delivered is skipped, saying why, and
// the text is gone from the database.
func TestRedactedMentionNotDelivered(t *testing.T) {
	tests := []struct {
		name   string
		remove func(c *chime.Client, acct, room, message string) error
		reason string
	}{
		{"redacted", redactRoom, "the message was redacted"},
		{"room deleted", func(c *chime.Client, acct, room, _ string) error {
			_, err := c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
			return err
		}, "the room was deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := startTestBot(t, false)
			e := start(t, endpoint.trusted)
			acct, room, hook, bot := botRoom(t, e, endpoint.url())
			addBot(t, e, acct, room, aws.ToString(bot.BotId))
			const secretText = "@helper the launch code is 0000"
			id := postToRoom(t, e, hook, secretText)
			noErr(t, tt.remove(e.client(keyA), acct, room, id))
			e.runJobs(0)

			for _, got := range endpoint.events() {
				if got.event.EventType == "Mention" {
					t.Fatalf("the Mention was delivered: %+v", got.event)
				}
			}
			listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
			if len(listed) < 2 || listed[1].EventType != "Mention" || listed[1].Status != "Skipped" ||
				len(listed[1].Attempts) != 1 || listed[1].Attempts[0].Error != tt.reason {
				t.Fatalf("deliveries %+v, want the Mention skipped: %s", listed, tt.reason)
			}
			var n int
			noErr(t, e.rawDatabase(t).QueryRow(`SELECT COUNT(*) FROM bot_events WHERE doc LIKE '%launch code%'`).Scan(&n))
			if n != 0 {
				t.Fatalf("the message's text is still in %d outbox rows", n)
			}
		})
	}
}

// A bot's answer can quote the message ("unknown command: ..."), and its
// delivery record keeps the start of an answer that refused the event: that
// goes with the message's text when it is redacted.
func TestRedactionErasesAnswersQuotingTheMessage(t *testing.T) {
	e, endpoint, acct, room, hook, bot := invitedBot(t)
	endpoint.answerNext("echo")
	id := postToRoom(t, e, hook, "@helper the launch code is 0000")
	e.runJobs(0) // a 500 quoting the message: a retry is due
	listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
	if a := listed[1].Attempts; len(a) != 1 || !strings.Contains(a[0].Error, "launch code") {
		t.Fatalf("attempts before the redaction %+v, want the answer quoted", a)
	}
	noErr(t, redactRoom(e.client(keyA), acct, room, id))

	listed = deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
	if a := listed[1].Attempts; len(a) != 2 || a[0].StatusCode != 500 || strings.Contains(a[0].Error, "launch code") {
		t.Fatalf("attempts after the redaction %+v, want the 500 without its answer", a)
	}
	var n int
	noErr(t, e.rawDatabase(t).QueryRow(`SELECT COUNT(*) FROM bot_events WHERE doc LIKE '%launch code%'`).Scan(&n))
	if n != 0 {
		t.Fatalf("the message's text is still in %d outbox rows", n)
	}
}

// A Mention carries its message's text; when the room's retention period
// deletes the message, the text goes from the outbox too, though the
// delivery stays listed for a week.
func TestRetentionErasesMentionText(t *testing.T) {
	endpoint := startTestBot(t, false)
	e := start(t, endpoint.trusted)
	acct, room, hook, bot := botRoom(t, e, endpoint.url())
	addBot(t, e, acct, room, aws.ToString(bot.BotId))
	noErr(t, putRetention(e.client(keyA), acct, aws.Int32(1), nil))
	e.runJobs(gracePeriod + time.Hour)
	postToRoom(t, e, hook, "@helper the launch code is 0000")
	e.runJobs(0)
	if got := endpoint.events(); len(got) != 2 || got[1].event.EventType != "Mention" {
		t.Fatalf("%d events, want the Invite and the Mention", len(got))
	}

	e.runJobs(2 * day)
	var n int
	noErr(t, e.rawDatabase(t).QueryRow(`SELECT COUNT(*) FROM bot_events WHERE doc LIKE '%launch code%'`).Scan(&n))
	if n != 0 {
		t.Fatalf("the deleted message's text is still in %d outbox rows", n)
	}
	if listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId)); len(listed) != 2 || listed[1].Status != "Delivered" {
		t.Fatalf("deliveries %+v", listed)
	}
}

// An event is taken when the bot answers 200 (CHIME-FACTS), not any 2xx, and
// a redirect must keep the POST and its body: a 301, 302 or 303 would make
// it a GET without the event, which the bot would answer 200 having got
// nothing. Both fail the event; a 307 delivers it.
func TestBotEventsNeed200AndABodyKeepingRedirect(t *testing.T) {
	e, endpoint, acct, _, hook, bot := invitedBot(t)
	for _, tt := range []struct {
		answer, status, why string
	}{
		{"204", "Failed", "answered HTTP 204, not 200"},
		{"302", "Failed", "a 302 redirect turns the POST into a GET without the event"},
		{"303", "Failed", "a 303 redirect turns the POST into a GET without the event"},
		{"307", "Delivered", ""},
	} {
		t.Run(tt.answer, func(t *testing.T) {
			endpoint.answerNext(tt.answer)
			postToRoom(t, e, hook, "@helper answer "+tt.answer)
			e.runJobs(0)
			listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
			last := listed[len(listed)-1]
			if last.Status != tt.status || len(last.Attempts) != 1 || !strings.Contains(last.Attempts[0].Error, tt.why) {
				t.Fatalf("delivery %+v, want %s saying %q", last, tt.status, tt.why)
			}
		})
	}
	got := endpoint.events()
	if redirected := got[len(got)-1]; redirected.event.EventType != "Mention" || !strings.Contains(redirected.event.Message, "answer 307") {
		t.Fatalf("after the 307 the bot got %q", redirected.body)
	}
}

// A Mention's ShortLived URL works for two minutes from its delivery, not
// from the message: a bot reached only after retries can still answer. It
// lapses at the very millisecond the two minutes are over, and a job run at
// that moment clears it.
func TestShortLivedReplyCountsFromDelivery(t *testing.T) {
	e, endpoint, _, _, hook, _ := invitedBot(t)
	e.clock.Stop()
	endpoint.answerNext("500")
	postToRoom(t, e, hook, "@helper are you up?")
	e.runJobs(0)               // a 500: retried later
	e.runJobs(3 * time.Minute) // delivered, three minutes after the message
	got := endpoint.events()
	if len(got) != 3 || got[2].event.EventType != "Mention" {
		t.Fatalf("%d requests, want the Invite, then the Mention twice", len(got))
	}
	reply(t, e, got[2], "yes").want(t, http.StatusOK, "")
	e.clock.Advance(2*time.Minute - time.Millisecond)
	reply(t, e, got[2], "just in time").want(t, http.StatusOK, "")
	e.clock.Advance(time.Millisecond)
	reply(t, e, got[2], "too late").want(t, http.StatusForbidden, "ForbiddenException")
	e.runJobs(0)
	reply(t, e, got[2], "cleared").want(t, http.StatusNotFound, "NotFoundException")
}

// A Mention waiting for its retry when its bot is disabled is not sent
// again but Skipped, and takes its ShortLived answer URL with it: the bot
// saw the URL in the failed attempt, and must not answer through it once
// enabled again (until then a disabled bot's URLs refuse it anyway).
func TestMentionSkippedOnceTheBotIsDisabled(t *testing.T) {
	e, endpoint, acct, _, hook, bot := invitedBot(t)
	c := e.client(keyA)
	endpoint.answerNext("500")
	postToRoom(t, e, hook, "@helper are you up?")
	e.runJobs(0) // a 500: retried later
	got := endpoint.events()
	if len(got) != 2 || got[1].event.EventType != "Mention" {
		t.Fatalf("%d requests, want the Invite, then the Mention", len(got))
	}
	_, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(true)})
	noErr(t, err)
	e.runJobs(time.Minute) // the Mention is skipped
	if n := len(endpoint.events()); n != 2 {
		t.Fatalf("a bot disabled while its Mention waited to be retried got it %d more times", n-2)
	}
	d := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
	if last := d[len(d)-1]; last.EventType != "Mention" || last.Status != "Skipped" {
		t.Fatalf("the waiting Mention is %s %s, want a Skipped Mention", last.EventType, last.Status)
	}
	_, err = c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: aws.String(acct), BotId: bot.BotId, Disabled: aws.Bool(false)})
	noErr(t, err)
	// Expired at the skip, and pruned as expired by the same run: gone.
	reply(t, e, got[1], "through a skipped Mention's URL").want(t, http.StatusNotFound, "NotFoundException")
}

// A server that stops cleanly while it delivers an event finishes the
// attempt and records it: the next server neither waits out the lease nor
// sends the event again.
func TestCleanStopRecordsDeliveryInFlight(t *testing.T) {
	endpoint := startTestBot(t, false)
	first := start(t, endpoint.trusted, func(c *server.Config) { c.JobInterval = 20 * time.Millisecond })
	acct, room, _, bot := botRoom(t, first, endpoint.url())
	endpoint.answerNext("late")
	addBot(t, first, acct, room, aws.ToString(bot.BotId))
	endpoint.waitEvents(t, 1) // the Invite is on its way; the bot answers in a second
	first.stop(t)

	second := start(t, endpoint.trusted, func(c *server.Config) { c.DB = first.db })
	second.runJobs(0)
	if n := len(endpoint.events()); n != 1 {
		t.Fatalf("the bot got %d requests, want the Invite once", n)
	}
	if listed := deliveries(t, second, keyA, acct, aws.ToString(bot.BotId)); len(listed) != 1 || listed[0].Status != "Delivered" || len(listed[0].Attempts) != 1 {
		t.Fatalf("deliveries %+v, want the Invite delivered at its one attempt", listed)
	}
}

// A Mention's ShortLived URL ends with its event. Given up (here on a 4xx),
// it works for two minutes from the last attempt, which told the bot; skipped
// because its message was redacted, not at all: no bot is to answer a
// message that is gone.
func TestShortLivedReplyEndsWithItsEvent(t *testing.T) {
	e, endpoint, acct, room, hook, bot := invitedBot(t)

	endpoint.answerNext("400")
	postToRoom(t, e, hook, "@helper first")
	e.runJobs(0) // refused: Failed at once
	failed := endpoint.events()[1]
	e.clock.Advance(time.Minute)
	reply(t, e, failed, "within two minutes").want(t, http.StatusOK, "")
	e.clock.Advance(time.Minute + time.Second)
	reply(t, e, failed, "too late").want(t, http.StatusForbidden, "ForbiddenException")

	endpoint.answerNext("500")
	id := postToRoom(t, e, hook, "@helper second")
	e.runJobs(0) // a 500: the bot has the Mention, and a retry is due
	told := endpoint.events()[2]
	noErr(t, redactRoom(e.client(keyA), acct, room, id))
	reply(t, e, told, "about a redacted message").want(t, http.StatusForbidden, "ForbiddenException")
	if listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId)); listed[2].Status != "Skipped" {
		t.Fatalf("deliveries %+v", listed)
	}
}

// A deleted account's bots hear nothing more: an event still pending when
// the account is deleted is skipped, as for a disabled bot, though the
// account and its bots stay in the database until the purge.
func TestDeletedAccountsBotsGetNoEvents(t *testing.T) {
	e, endpoint, acct, _, hook, _ := invitedBot(t)
	endpoint.answerNext("500")
	postToRoom(t, e, hook, "@helper still there?")
	e.runJobs(0) // a 500: retried later
	collabCall(t, e, keyA, "DELETE", "/_chimed/accounts/"+acct+"/domains/example.com", nil).want(t, http.StatusNoContent, "")
	_, err := e.client(keyA).DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(acct)})
	noErr(t, err)
	e.runJobs(time.Hour)
	if n := len(endpoint.events()); n != 2 {
		t.Fatalf("%d requests, want the Invite and the refused Mention only", n)
	}
	var status, doc string
	noErr(t, e.rawDatabase(t).QueryRow(`SELECT status, doc FROM bot_events WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`, acct).Scan(&status, &doc))
	if status != "Skipped" || !strings.Contains(doc, "the account was deleted") {
		t.Fatalf("the pending Mention is %s: %s", status, doc)
	}
}

// A slow target holds its own delivery slot, not everyone's: a fast bot's
// events go out while fifteen bots whose endpoint takes a second to answer
// each work through their own.
func TestSlowBotsDoNotHoldAFastBotBack(t *testing.T) {
	slowEndpoint, fastEndpoint := startTestBot(t, false), startTestBot(t, false)
	for range 100 {
		slowEndpoint.answerNext("late") // 1 s, within the deadline
	}
	e := start(t, slowEndpoint.trusted)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	hook := createWebhook(t, e, keyA, acct, room, "alerts")
	fast := collabBot(t, e, keyA, acct, "fast", fastEndpoint.url())
	addBot(t, e, acct, room, aws.ToString(fast.BotId))
	for i := range 15 {
		slow := collabBot(t, e, keyA, acct, fmt.Sprintf("slow%d", i), slowEndpoint.url())
		addBot(t, e, acct, room, aws.ToString(slow.BotId))
		for range 3 {
			postToRoom(t, e, hook, fmt.Sprintf("@slow%d (Bot) status?", i))
		}
	}
	const fastEvents = 20
	for i := range fastEvents - 1 { // and its Invite
		postToRoom(t, e, hook, fmt.Sprintf("@fast (Bot) question %d", i))
	}

	start := time.Now()
	jobs := make(chan struct{})
	go func() { e.runJobs(0); close(jobs) }()
	if got := len(fastEndpoint.waitEvents(t, fastEvents)); got != fastEvents {
		t.Fatalf("the fast bot got %d events, want %d", got, fastEvents)
	}
	// Each slow bot has four events of a second each.
	took := time.Since(start)
	t.Logf("the fast bot's %d events took %s", fastEvents, took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("the fast bot's %d events took %s beside the slow bots", fastEvents, took.Round(time.Millisecond))
	}
	<-jobs
	if got := len(slowEndpoint.events()); got != 15*4 {
		t.Fatalf("the slow bots got %d events, want %d", got, 15*4)
	}
}

// Running the jobs (the test API moving the clock) does what was due when
// it began, and ends though Mentions keep coming: other tests sharing the
// server, say. It used to run until a pass found nothing new, that is until
// the posts stopped.
func TestRunJobsEndsUnderSteadyMentions(t *testing.T) {
	e, endpoint, _, _, hook, _ := invitedBot(t)
	stop := make(chan struct{})
	var posters sync.WaitGroup
	for range 2 {
		posters.Go(func() {
			for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Post(hook.Url, "application/json", strings.NewReader(`{"Content": "@helper (Bot) status?"}`)); err == nil {
					resp.Body.Close()
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // a backlog
	start := time.Now()
	err := e.srv.RunJobs(context.Background())
	took := time.Since(start)
	close(stop)
	posters.Wait()
	noErr(t, err)
	t.Logf("RunJobs took %s under steady Mentions; the bot got %d events", took.Round(time.Millisecond), len(endpoint.events()))
	if took > 10*time.Second {
		t.Fatalf("RunJobs took %s: it ran until the Mentions stopped", took.Round(time.Millisecond))
	}
}

// A target that answers 429 or 503 with Retry-After is left alone that
// long (up to the longest back-off, 5 minutes) before the next attempt.
func TestBotEventRetryAfterIsKept(t *testing.T) {
	endpoint := startTestBot(t, false)
	e := start(t, endpoint.trusted)
	acct, room, _, bot := botRoom(t, e, endpoint.url())
	endpoint.answerNext("429/240")
	addBot(t, e, acct, room, aws.ToString(bot.BotId))
	e.runJobs(0)
	e.runJobs(3 * time.Minute)
	if n := len(endpoint.events()); n != 1 {
		t.Fatalf("%d requests within 3 minutes of a 429 asking for 4, want 1", n)
	}
	e.runJobs(2 * time.Minute)
	if n := len(endpoint.events()); n != 2 {
		t.Fatalf("%d requests after the 4 minutes, want 2", n)
	}
	invite := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))[0]
	if invite.Status != "Delivered" || invite.Attempts[0].StatusCode != 429 || invite.Attempts[0].RetryAfterSeconds != 240 {
		t.Fatalf("Invite delivery %+v", invite)
	}
}

// The test API's clock can jump past the leases of events being sent; a run
// still never sends an event again while it is sending it. The run is the
// ticker's (no cut-off at the clock's time, as RunJobs sets), so that the
// run's own record of what it is sending is what holds the event back.
func TestEventInFlightIsNotSentTwice(t *testing.T) {
	endpoint, other := startTestBot(t, false), startTestBot(t, false)
	endpoint.answerNext("slow", "slow", "slow") // past the 2 s deadline
	other.answerNext("late")                    // 1 s
	e := start(t, endpoint.trusted)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	a := collabBot(t, e, keyA, acct, "a", endpoint.url())
	b := collabBot(t, e, keyA, acct, "b", other.url())
	addBot(t, e, acct, room, aws.ToString(a.BotId)) // an Invite each
	addBot(t, e, acct, room, aws.ToString(b.BotId))

	jobs := make(chan struct{})
	go func() {
		if _, err := e.srv.Service.DeliverBotEvents(context.Background()); err != nil {
			t.Errorf("deliveries: %v", err)
		}
		close(jobs)
	}()
	time.Sleep(300 * time.Millisecond) // both Invites in flight
	e.clock.Advance(2 * time.Minute)   // as POST /_chimed/test/clock would
	<-jobs
	sent := map[string]int{}
	for _, r := range endpoint.events() {
		sent[r.event.EventId]++
	}
	if len(sent) == 0 {
		t.Fatal("no event reached the slow bot")
	}
	for id, n := range sent {
		if n > 1 {
			t.Errorf("event %s sent %d times at once", id, n)
		}
	}
}

// A bot's own message that mentions it is no Mention for it: a bot would
// otherwise answer itself for ever.
func TestBotGetsNoEventFromItself(t *testing.T) {
	e, endpoint, _, _, _, _ := invitedBot(t)
	invite := endpoint.events()[0]
	reply(t, e, invite, "@helper note to self").want(t, http.StatusOK, "")
	e.runJobs(0)
	if n := len(endpoint.events()); n != 1 {
		t.Fatalf("a bot that mentioned itself got %d events, want none", n-1)
	}
}
