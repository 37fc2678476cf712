package e2e

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

const day = 24 * time.Hour

// gracePeriod is how long after a retention period is set deletion starts
// (Chime lets administrators restore messages for 30 days).
const gracePeriod = 30 * day

func putRetention(c *chime.Client, accountID string, roomDays, conversationDays *int32) error {
	settings := &types.RetentionSettings{}
	if roomDays != nil {
		settings.RoomRetentionSettings = &types.RoomRetentionSettings{RetentionDays: roomDays}
	}
	if conversationDays != nil {
		settings.ConversationRetentionSettings = &types.ConversationRetentionSettings{RetentionDays: conversationDays}
	}
	_, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: aws.String(accountID), RetentionSettings: settings})
	return err
}

// retentionOf answers the retention days (0 when off) and when deletion
// starts.
func retentionOf(t *testing.T, c *chime.Client, accountID string) (roomDays, conversationDays int32, initiate *time.Time) {
	t.Helper()
	out, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: aws.String(accountID)})
	noErr(t, err)
	if s := out.RetentionSettings.RoomRetentionSettings; s != nil {
		roomDays = aws.ToInt32(s.RetentionDays)
	}
	if s := out.RetentionSettings.ConversationRetentionSettings; s != nil {
		conversationDays = aws.ToInt32(s.RetentionDays)
	}
	return roomDays, conversationDays, out.InitiateDeletionTimestamp
}

// messageIDs lists the IDs of the messages at path (a room's or a
// conversation's messages), oldest first.
func messageIDs(t *testing.T, e *env, path string) []string {
	t.Helper()
	messages, _ := listMessages(t, e, keyA, path, 50)
	var ids []string
	for _, m := range messages {
		ids = append(ids, m.MessageId)
	}
	return ids
}

// near says whether got is want give or take a minute (the test clock
// follows real time).
func near(got *time.Time, want time.Time) bool {
	return got != nil && got.Sub(want).Abs() < time.Minute
}

func TestRetentionSettings(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")

	if room, conv, initiate := retentionOf(t, c, acct); room != 0 || conv != 0 || initiate != nil {
		t.Fatalf("a new account has retention: %d %d %v", room, conv, initiate)
	}

	set := e.clock.Now()
	noErr(t, putRetention(c, acct, aws.Int32(30), aws.Int32(10)))
	room, conv, initiate := retentionOf(t, c, acct)
	if room != 30 || conv != 10 || !near(initiate, set.Add(gracePeriod)) {
		t.Fatalf("retention %d %d starting %v, want 30 10 starting %v", room, conv, initiate, set.Add(gracePeriod))
	}

	// Putting the same periods again, or turning one off, keeps the start.
	e.clock.Advance(day)
	noErr(t, putRetention(c, acct, aws.Int32(30), aws.Int32(10)))
	noErr(t, putRetention(c, acct, aws.Int32(30), nil))
	room, conv, again := retentionOf(t, c, acct)
	if room != 30 || conv != 0 || !again.Equal(*initiate) {
		t.Fatalf("retention %d %d starting %v, want 30 0 starting %v", room, conv, again, initiate)
	}
	// Changing a period starts a new grace period.
	changed := e.clock.Now()
	noErr(t, putRetention(c, acct, aws.Int32(30), aws.Int32(5475)))
	if _, conv, initiate = retentionOf(t, c, acct); conv != 5475 || !near(initiate, changed.Add(gracePeriod)) {
		t.Fatalf("after a change: %d starting %v, want 5475 starting %v", conv, initiate, changed.Add(gracePeriod))
	}
	// Removing both turns retention off.
	noErr(t, putRetention(c, acct, nil, nil))
	if room, conv, initiate := retentionOf(t, c, acct); room != 0 || conv != 0 || initiate != nil {
		t.Fatalf("retention off: %d %d %v", room, conv, initiate)
	}

	for _, days := range []int32{0, 5476, -1} {
		wantError(t, putRetention(c, acct, aws.Int32(days), nil), "BadRequestException")
		wantError(t, putRetention(c, acct, nil, aws.Int32(days)), "BadRequestException")
	}
	noErr(t, putRetention(c, acct, aws.Int32(1), aws.Int32(5475)))
	// RetentionSettings is required (the SDK checks that before sending).
	collabCall(t, e, keyA, "PUT", "/accounts/"+acct+"/retention-settings", map[string]any{}).want(t, http.StatusBadRequest, "BadRequestException")

	wantError(t, putRetention(c, collabMissingID, aws.Int32(1), nil), "NotFoundException")
	b := e.client(keyB)
	wantError(t, putRetention(b, acct, aws.Int32(1), nil), "NotFoundException")
	_, err := b.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: aws.String(acct)})
	wantError(t, err, "NotFoundException")
}

// TestRetentionDeletesOldMessages drives the retention job with the clock:
// once deletion has started, exactly the messages older than their
// period are deleted, room and conversation periods apart. The clock is
// stopped, so the boundaries are met to the millisecond.
func TestRetentionDeletesOldMessages(t *testing.T) {
	e := start(t)
	e.clock.Stop()
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "history")
	hook := createWebhook(t, e, keyA, acct, room, "feed")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	conv := createConversation(t, e, keyA, acct, jane, zhang)
	// The same in an account without retention: never deleted.
	keep := collabAccount(t, e, keyA, "example.org")
	keepRoom := collabRoom(t, e, keyA, keep, "forever")
	keepHook := createWebhook(t, e, keyA, keep, keepRoom, "feed")

	roomIDs := func() []string { return messageIDs(t, e, roomMessagesPath(acct, room)) }
	convIDs := func() []string { return messageIDs(t, e, conversationMessagesPath(acct, conv)) }
	want := func(what string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}

	// at sets the clock to tm.
	at := func(tm time.Time) { e.clock.Advance(tm.Sub(e.clock.Now())) }

	// Day 0: the oldest messages.
	oldRoom := postToRoom(t, e, hook, "old")
	oldConv := postToConversation(t, e, keyA, acct, conv, jane, "old")
	oldElsewhere := postToRoom(t, e, keepHook, "old elsewhere")
	// Day 10: retention set, rooms 5 days, conversations 20; deletion
	// starts at the end of the grace period, on day 40.
	e.runJobs(10 * day)
	noErr(t, putRetention(c, acct, aws.Int32(5), aws.Int32(20)))
	start := e.clock.Now().Add(gracePeriod)
	if _, _, initiate := retentionOf(t, c, acct); !near(initiate, start) {
		t.Fatalf("deletion starts %v, want %v", initiate, start)
	}
	e.runJobs(0)
	e.runJobs(gracePeriod - time.Hour)
	want("room messages in the grace period", roomIDs(), oldRoom)
	want("conversation messages in the grace period", convIDs(), oldConv)

	// When deletion starts, one room message is just over 5 days old and
	// one just under; a conversation message is 14 days old.
	at(start.Add(-5*day - time.Hour))
	justOver := postToRoom(t, e, hook, "just over 5 days")
	at(start.Add(-5*day + time.Hour))
	justUnder := postToRoom(t, e, hook, "just under 5 days")
	at(start.Add(-14 * day))
	youngConv := postToConversation(t, e, keyA, acct, conv, zhang, "14 days old at the start")
	want("room messages before deletion starts", roomIDs(), oldRoom, justOver, justUnder)

	// Deletion starts, at the very end of the grace period.
	at(start.Add(-time.Millisecond))
	e.runJobs(0)
	want("room messages a millisecond before deletion starts", roomIDs(), oldRoom, justOver, justUnder)
	e.runJobs(time.Millisecond)
	want("room messages once deletion started", roomIDs(), justUnder)
	want("conversation messages once deletion started", convIDs(), youngConv)

	// From then on, messages go as they pass their period: once older
	// than it, not when just as old.
	recent := postToRoom(t, e, hook, "recent")
	e.runJobs(2 * time.Hour)
	want("room messages 2 hours later", roomIDs(), recent)
	e.runJobs(5*day - 2*time.Hour)
	want("room messages exactly 5 days old", roomIDs(), recent)
	e.runJobs(time.Millisecond)
	want("room messages just over 5 days old", roomIDs())
	e.runJobs(6 * day)
	want("conversation messages 6 days later", convIDs())
	want("room messages 6 days later", roomIDs())

	// The other account keeps everything; turning retention off keeps the rest.
	elsewhere, _ := listMessages(t, e, keyA, roomMessagesPath(keep, keepRoom), 50)
	if len(elsewhere) != 1 || elsewhere[0].MessageId != oldElsewhere {
		t.Fatalf("an account without retention lost messages: %+v", elsewhere)
	}
	noErr(t, putRetention(c, acct, nil, nil))
	last := postToRoom(t, e, hook, "kept for good")
	e.runJobs(100 * day)
	want("room messages with retention off", roomIDs(), last)
}

// Each kind of message has its own grace period: changing the conversation
// period does not hold back the deletion of room messages that has begun,
// and a conversation period set (or changed) later waits for a grace period
// of its own; conversations without a period are kept meanwhile.
func TestChangingOnePeriodKeepsTheOthersDeletion(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "history")
	hook := createWebhook(t, e, keyA, acct, room, "feed")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	conv := createConversation(t, e, keyA, acct, jane, zhang)
	convIDs := func() []string { return messageIDs(t, e, conversationMessagesPath(acct, conv)) }
	oldConv := postToConversation(t, e, keyA, acct, conv, jane, "kept: conversations have no period")
	noErr(t, putRetention(c, acct, aws.Int32(1), nil))
	e.runJobs(gracePeriod + time.Hour)
	if got := convIDs(); !slices.Equal(got, []string{oldConv}) {
		t.Fatalf("conversation messages while only rooms have a period: %v, want %s", got, oldConv)
	}

	old := postToRoom(t, e, hook, "three days old soon")
	changed := e.clock.Now()
	noErr(t, putRetention(c, acct, aws.Int32(1), aws.Int32(20)))
	if _, _, initiate := retentionOf(t, c, acct); !near(initiate, changed.Add(gracePeriod)) {
		t.Fatalf("deletion starts %v, want %v, when the new conversation period is in force", initiate, changed.Add(gracePeriod))
	}
	e.runJobs(3 * day)
	messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50)
	for _, m := range messages {
		if m.MessageId == old {
			t.Fatalf("room message %s, 3 days old under a 1-day period, was kept", old)
		}
	}
	if got := convIDs(); !slices.Equal(got, []string{oldConv}) {
		t.Fatalf("conversation messages in the new period's grace: %v, want %s (over 20 days old, but the grace period runs)", got, oldConv)
	}
	e.runJobs(gracePeriod)
	if got := convIDs(); len(got) != 0 {
		t.Fatalf("conversation messages after the grace period: %v, want none", got)
	}

	// A shorter period is a new period: it waits for a grace period too.
	tenDays := postToConversation(t, e, keyA, acct, conv, zhang, "ten days old at the change")
	e.runJobs(10 * day)
	noErr(t, putRetention(c, acct, aws.Int32(1), aws.Int32(5)))
	e.runJobs(day)
	if got := convIDs(); !slices.Equal(got, []string{tenDays}) {
		t.Fatalf("conversation messages a day after shortening the period: %v, want %s", got, tenDays)
	}
}
