package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/server"
	"github.com/chimed/chimed/internal/store/postgres/pgtest"
)

type collabWebhook struct {
	WebhookId, RoomId, Name, Url string
	CreatedTimestamp             time.Time
}

type collabMessage struct {
	MessageId string
	Content   *string
	Sender    struct{ SenderId, SenderType, Name string }
	Redacted  bool
	// CreatedTimestamp is read as text to check the wire format.
	CreatedTimestamp string
}

func createWebhook(t *testing.T, e *env, key, accountID, roomID, name string) collabWebhook {
	t.Helper()
	resp := collabCall(t, e, key, "POST", roomWebhooksPath(accountID, roomID), map[string]string{"Name": name})
	resp.want(t, http.StatusCreated, "")
	var out struct{ Webhook collabWebhook }
	resp.decode(t, &out)
	return out.Webhook
}

// postWebhook posts content to a webhook URL, unsigned, as a script would.
func postWebhook(t *testing.T, e *env, webhookURL, content string) collabResponse {
	t.Helper()
	return collabCall(t, e, "", "POST", webhookURL, map[string]string{"Content": content})
}

// postToRoom posts content through the webhook and returns the message ID.
func postToRoom(t *testing.T, e *env, hook collabWebhook, content string) string {
	t.Helper()
	resp := postWebhook(t, e, hook.Url, content)
	resp.want(t, http.StatusOK, "")
	var out struct{ MessageId, RoomId string }
	resp.decode(t, &out)
	if out.RoomId != hook.RoomId || !collabIDPattern.MatchString(out.MessageId) {
		t.Fatalf("posted: %s", resp.body)
	}
	return out.MessageId
}

// listMessages reads every message of a room or conversation
// (path .../rooms/{id}/messages or .../conversations/{id}/messages), pageSize
// at a time, and says how many pages that took.
func listMessages(t *testing.T, e *env, key, path string, pageSize int) ([]collabMessage, int) {
	t.Helper()
	var all []collabMessage
	pages := 0
	token := ""
	for {
		query := url.Values{"max-results": {fmt.Sprint(pageSize)}}
		if token != "" {
			query.Set("next-token", token)
		}
		resp := collabCall(t, e, key, "GET", path+"?"+query.Encode(), nil)
		resp.want(t, http.StatusOK, "")
		var page struct {
			Messages  []collabMessage
			NextToken string
		}
		resp.decode(t, &page)
		pages++
		if len(page.Messages) > pageSize {
			t.Fatalf("a page of %d messages, asked for %d", len(page.Messages), pageSize)
		}
		all = append(all, page.Messages...)
		if token = page.NextToken; token == "" {
			return all, pages
		}
	}
}

func roomWebhooksPath(accountID, roomID string) string {
	return "/_chimed/accounts/" + accountID + "/rooms/" + roomID + "/webhooks"
}

func conversationsPath(accountID string) string {
	return "/_chimed/accounts/" + accountID + "/conversations"
}

func roomMessagesPath(accountID, roomID string) string {
	return "/_chimed/accounts/" + accountID + "/rooms/" + roomID + "/messages"
}

func conversationMessagesPath(accountID, conversationID string) string {
	return "/_chimed/accounts/" + accountID + "/conversations/" + conversationID + "/messages"
}

func TestIncomingWebhooks(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "alerts")
	hooks := roomWebhooksPath(acct, room)

	hook := createWebhook(t, e, keyA, acct, room, "pager")
	u, err := url.Parse(hook.Url)
	noErr(t, err)
	token := u.Query().Get("token")
	if hook.Name != "pager" || hook.RoomId != room || !collabIDPattern.MatchString(hook.WebhookId) ||
		u.Scheme+"://"+u.Host != e.srv.URL || u.Path != "/incomingwebhooks/"+hook.WebhookId || len(token) < 40 {
		t.Fatalf("webhook %+v", hook)
	}

	postToRoom(t, e, hook, "Ticket 42 is **high** priority @All")
	largest := strings.Repeat("é", 2048) // 4096 bytes
	postToRoom(t, e, hook, largest)

	wrongToken := strings.Replace(hook.Url, token, strings.Repeat("A", len(token)), 1)
	noToken := e.srv.URL + u.Path
	for _, tc := range []struct {
		name, url, body string
		status          int
		errorType       string
	}{
		{"wrong token", wrongToken, `{"Content": "x"}`, http.StatusForbidden, "ForbiddenException"},
		{"no token", noToken, `{"Content": "x"}`, http.StatusForbidden, "ForbiddenException"},
		{"unknown webhook", e.srv.URL + "/incomingwebhooks/" + collabMissingID + "?token=" + token, `{"Content": "x"}`, http.StatusNotFound, "NotFoundException"},
		{"no content", hook.Url, `{}`, http.StatusBadRequest, "BadRequestException"},
		{"blank content", hook.Url, `{"Content": " \n "}`, http.StatusBadRequest, "BadRequestException"},
		{"content a byte-order mark only", hook.Url, `{"Content": "\ufeff "}`, http.StatusBadRequest, "BadRequestException"},
		{"content over 4 KB", hook.Url, `{"Content": "` + largest + `x"}`, http.StatusBadRequest, "BadRequestException"},
		{"not JSON", hook.Url, `Content=x`, http.StatusBadRequest, "BadRequestException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(tc.url, "application/json", bytes.NewReader([]byte(tc.body)))
			noErr(t, err)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("x-amzn-ErrorType") != tc.errorType {
				t.Fatalf("want %d %s, got %d %s", tc.status, tc.errorType, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
			}
		})
	}
	messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50)
	if len(messages) != 2 {
		t.Fatalf("want the 2 accepted messages, got %+v", messages)
	}

	// Up to 10 webhooks a room, as in Chime.
	for i := 2; i <= 10; i++ {
		createWebhook(t, e, keyA, acct, room, fmt.Sprintf("hook %d", i))
	}
	collabCall(t, e, keyA, "POST", hooks, map[string]string{"Name": "eleventh"}).want(t, http.StatusBadRequest, "ResourceLimitExceededException")
	var listed struct{ Webhooks []collabWebhook }
	resp := collabCall(t, e, keyA, "GET", hooks, nil)
	resp.want(t, http.StatusOK, "")
	resp.decode(t, &listed)
	if len(listed.Webhooks) != 10 {
		t.Fatalf("want 10 webhooks, got %d", len(listed.Webhooks))
	}

	collabCall(t, e, keyA, "DELETE", hooks+"/"+hook.WebhookId, nil).want(t, http.StatusNoContent, "")
	postWebhook(t, e, hook.Url, "still there?").want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyA, "DELETE", hooks+"/"+hook.WebhookId, nil).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyA, "POST", hooks, map[string]string{"Name": "replacement"}).want(t, http.StatusCreated, "")
	// The deleted webhook's messages stay.
	if messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50); len(messages) != 2 {
		t.Fatalf("messages after deleting their webhook: %+v", messages)
	}

	collabCall(t, e, keyA, "POST", hooks, map[string]string{"Name": " "}).want(t, http.StatusBadRequest, "BadRequestException")
	collabCall(t, e, keyA, "POST", hooks, map[string]string{}).want(t, http.StatusBadRequest, "BadRequestException")
	collabCall(t, e, keyA, "POST", roomWebhooksPath(acct, collabMissingID), map[string]string{"Name": "x"}).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyB, "GET", hooks, nil).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, "", "GET", hooks, nil).want(t, http.StatusForbidden, "MissingAuthenticationTokenException")

	// Deleting the room ends its webhooks.
	other := createWebhook(t, e, keyA, acct, collabRoom(t, e, keyA, acct, "short-lived"), "temp")
	_, err = e.client(keyA).DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(other.RoomId)})
	noErr(t, err)
	postWebhook(t, e, other.Url, "anyone?").want(t, http.StatusNotFound, "NotFoundException")
}

func TestRoomMessagesAndRedaction(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "incidents")
	hook := createWebhook(t, e, keyA, acct, room, "monitor")

	var ids []string
	for i := range 5 {
		ids = append(ids, postToRoom(t, e, hook, fmt.Sprintf("message %d", i)))
		e.clock.Advance(time.Second)
	}
	messages, pages := listMessages(t, e, keyA, roomMessagesPath(acct, room), 2)
	if pages != 3 || len(messages) != 5 {
		t.Fatalf("%d messages in %d pages, want 5 in 3", len(messages), pages)
	}
	for i, m := range messages {
		if m.MessageId != ids[i] || aws.ToString(m.Content) != fmt.Sprintf("message %d", i) || m.Redacted ||
			m.Sender.SenderId != hook.WebhookId || m.Sender.SenderType != "Webhook" || m.Sender.Name != "monitor" {
			t.Fatalf("message %d: %+v", i, m)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", m.CreatedTimestamp); err != nil {
			t.Fatalf("CreatedTimestamp %q: %v", m.CreatedTimestamp, err)
		}
	}

	redact := func(c *chime.Client, roomID, messageID string) error { return redactRoom(c, acct, roomID, messageID) }
	noErr(t, redact(c, room, ids[1]))
	noErr(t, redact(c, room, ids[1])) // again: nothing changes
	messages, _ = listMessages(t, e, keyA, roomMessagesPath(acct, room), 50)
	for i, m := range messages {
		if redacted := i == 1; m.Redacted != redacted || (m.Content == nil) != redacted || m.Sender.SenderId != hook.WebhookId {
			t.Fatalf("message %d after redacting message 1: %+v", i, m)
		}
	}

	otherRoom := collabRoom(t, e, keyA, acct, "elsewhere")
	wantError(t, redact(c, room, collabMissingID), "NotFoundException")
	wantError(t, redact(c, collabMissingID, ids[0]), "NotFoundException")
	wantError(t, redact(c, otherRoom, ids[0]), "NotFoundException")
	wantError(t, redact(e.client(keyB), room, ids[0]), "NotFoundException")

	// The refusals name the query parameter, and its rule. 2^32+1 is out of
	// range too, not read as the 1 that its low 32 bits make.
	for _, query := range []string{"?max-results=100", "?max-results=99999999999", "?max-results=4294967297", "?max-results=ten"} {
		r := collabCall(t, e, keyA, "GET", roomMessagesPath(acct, room)+query, nil)
		r.want(t, http.StatusBadRequest, "BadRequestException")
		if !strings.Contains(string(r.body), "max-results: must be") || !strings.Contains(string(r.body), "between 1 and 99") {
			t.Errorf("%s: %s", query, r.body)
		}
	}
	collabCall(t, e, keyA, "GET", roomMessagesPath(acct, room)+"?next-token=garbage", nil).want(t, http.StatusBadRequest, "BadRequestException")
	collabCall(t, e, keyA, "GET", roomMessagesPath(acct, collabMissingID), nil).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyB, "GET", roomMessagesPath(acct, room), nil).want(t, http.StatusNotFound, "NotFoundException")
}

// Messages posted within one millisecond (here a stopped clock) are listed
// in the order they were posted, across pages, not in their IDs' order.
func TestMessagesOfOneMillisecondKeepTheirOrder(t *testing.T) {
	e := start(t)
	e.clock.Stop()
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "incidents")
	hook := createWebhook(t, e, keyA, acct, room, "monitor")

	var ids []string
	for i := range 12 {
		ids = append(ids, postToRoom(t, e, hook, fmt.Sprintf("message %d", i)))
	}
	for _, pageSize := range []int{2, 5, 50} {
		messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), pageSize)
		var got []string
		for _, m := range messages {
			got = append(got, m.MessageId)
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("in pages of %d, listed %v, posted %v", pageSize, got, ids)
		}
	}
}

// TestRedactionErasesContentFromTheDatabaseFile reads the SQLite database
// and its write-ahead log as bytes: a redacted text must be in neither.
func TestRedactionErasesContentFromTheDatabaseFile(t *testing.T) {
	if pgtest.Configured() {
		t.Skip("reads the SQLite files; this run keeps its state in PostgreSQL")
	}
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "secrets")
	hook := createWebhook(t, e, keyA, acct, room, "leaky")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	conv := createConversation(t, e, keyA, acct, jane, zhang)

	// Texts that appear nowhere else. The long one spills into overflow
	// pages, so it is looked for by its two ends, which land on different
	// pages.
	unique := fmt.Sprint(time.Now().UnixNano())
	short := "short-secret-" + unique
	longStart, longEnd := "long-secret-start-"+unique, "long-secret-end-"+unique
	long := longStart + strings.Repeat("0123456789abcdef", 240) + longEnd
	inConversation := "conversation-secret-" + unique
	kept := "kept-message-" + unique
	shortID := postToRoom(t, e, hook, short)
	longID := postToRoom(t, e, hook, long)
	convID := postToConversation(t, e, keyA, acct, conv, jane, inConversation)
	keptID := postToRoom(t, e, hook, kept)

	stored := func(text string) bool { t.Helper(); return inDatabaseFiles(t, e, text) }
	for _, text := range []string{short, longStart, longEnd, inConversation, kept} {
		if !stored(text) {
			t.Fatalf("%.30s... is not in the database files before redaction: this test would prove nothing", text)
		}
	}

	noErr(t, redactRoom(c, acct, room, shortID))
	noErr(t, redactRoom(c, acct, room, longID))
	_, err := c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: aws.String(acct), ConversationId: aws.String(conv), MessageId: aws.String(convID)})
	noErr(t, err)

	for _, text := range []string{short, longStart, longEnd, inConversation} {
		if stored(text) {
			t.Fatalf("%.30s... is still in the database files after redaction", text)
		}
	}
	if !stored(kept) {
		t.Fatal("the message that was not redacted is gone from the database files")
	}
	messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50)
	if len(messages) != 3 || messages[2].MessageId != keptID || aws.ToString(messages[2].Content) != kept || !messages[0].Redacted || !messages[1].Redacted {
		t.Fatalf("messages after redaction: %+v", messages)
	}
}

// roomWithASecret starts a server and posts, in a room of a new account, a
// text found nowhere else, which the test then expects chimed to erase. It
// reads the SQLite files, so it skips a run on PostgreSQL, and fails unless
// the text is in the files to begin with: else the test would prove
// nothing.
func roomWithASecret(t *testing.T) (e *env, acct, room, secret string) {
	t.Helper()
	if pgtest.Configured() {
		t.Skip("reads the SQLite files; this run keeps its state in PostgreSQL")
	}
	e = start(t)
	acct = collabAccount(t, e, keyA, "example.com")
	room = collabRoom(t, e, keyA, acct, "secrets")
	secret = fmt.Sprint("secret-", time.Now().UnixNano())
	postToRoom(t, e, createWebhook(t, e, keyA, acct, room, "leaky"), secret)
	if !inDatabaseFiles(t, e, secret) {
		t.Fatal("the message is not in the database files before chimed is to erase it")
	}
	return e, acct, room, secret
}

// Messages retention deletes are erased from the database files too, as
// redacted ones are.
func TestRetentionErasesContentFromTheDatabaseFile(t *testing.T) {
	e, acct, room, secret := roomWithASecret(t)
	noErr(t, putRetention(e.client(keyA), acct, aws.Int32(1), aws.Int32(1)))
	e.runJobs(gracePeriod + 2*day)
	if messages, _ := listMessages(t, e, keyA, roomMessagesPath(acct, room), 50); len(messages) != 0 {
		t.Fatalf("room messages after their retention period: %+v", messages)
	}
	if inDatabaseFiles(t, e, secret) {
		t.Fatal("a message retention deleted is still in the database files")
	}
}

// With --sqlite-shared, another process reading the database keeps the
// write-ahead log from being truncated, and its snapshot still shows the
// text. The redaction, committed, answers at once instead of a 500 after
// ten seconds (during which every write waited), and the finish-scrub job
// erases the text once the reader has gone.
func TestRedactionBesideAnotherProcesssReader(t *testing.T) {
	if pgtest.Configured() {
		t.Skip("reads the SQLite files; this run keeps its state in PostgreSQL")
	}
	e := start(t, func(c *server.Config) { c.SQLiteShared = true })
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "secrets")
	secret := fmt.Sprint("read-elsewhere-", time.Now().UnixNano())
	id := postToRoom(t, e, createWebhook(t, e, keyA, acct, room, "leaky"), secret)

	reader, err := sql.Open("sqlite", "file:"+e.db+"?mode=ro")
	noErr(t, err)
	defer reader.Close()
	snapshot, err := reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	noErr(t, err)
	defer snapshot.Rollback()
	var n int
	noErr(t, snapshot.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n))

	began := time.Now()
	noErr(t, redactRoom(e.client(keyA), acct, room, id))
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("RedactRoomMessage took %v beside the reader", took)
	}
	if !inDatabaseFiles(t, e, secret) {
		t.Fatal("the text is gone while the reader holds the log: this test would prove nothing")
	}
	noErr(t, snapshot.Rollback())
	e.runJobs(0)
	if inDatabaseFiles(t, e, secret) {
		t.Fatal("the text is still in the database files after the reader left and the jobs ran")
	}
}

// inDatabaseFiles says whether text is in the SQLite database of e or in its
// write-ahead log, as bytes.
func inDatabaseFiles(t *testing.T, e *env, text string) bool {
	t.Helper()
	for _, name := range []string{"chimed.db", "chimed.db-wal"} {
		b, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(text)) {
			return true
		}
	}
	return false
}

// The purge of a deleted account takes its rooms' messages out of the
// database files too, as a redaction does.
func TestAccountPurgeErasesMessagesFromTheDatabaseFile(t *testing.T) {
	e, acct, _, secret := roomWithASecret(t)
	wantStatus(t, e.releaseDomainHTTP(t, keyA, acct, "example.com"), http.StatusNoContent)
	_, err := e.client(keyA).DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(acct)})
	noErr(t, err)
	e.runJobs(chimed.DeletedAccountRetention + time.Hour)
	_, err = e.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(acct)})
	wantError(t, err, "NotFoundException")
	if inDatabaseFiles(t, e, secret) {
		t.Fatal("the purged account's message is still in the database files")
	}
}

// DeleteRoom removes its messages, and their text leaves the database
// files as a redacted message's does.
func TestRoomDeletionErasesItsMessagesFromTheDatabaseFile(t *testing.T) {
	e, acct, room, secret := roomWithASecret(t)
	_, err := e.client(keyA).DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	if inDatabaseFiles(t, e, secret) {
		t.Fatal("the deleted room's message is still in the database files")
	}
}

func redactRoom(c *chime.Client, accountID, roomID, messageID string) error {
	_, err := c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: aws.String(accountID), RoomId: aws.String(roomID), MessageId: aws.String(messageID)})
	return err
}

// With --public-url, a webhook's URL is under it, as bot reply URLs and
// invitation links are: behind a proxy that terminates TLS, the URL the
// request reached says http and chimed's own host.
func TestWebhookURLUnderPublicURL(t *testing.T) {
	e := start(t, func(c *server.Config) { c.PublicURL = "https://chime.example.com/" })
	acct := collabAccount(t, e, keyA, "example.com")
	hook := createWebhook(t, e, keyA, acct, collabRoom(t, e, keyA, acct, "alerts"), "deploys")
	if want := "https://chime.example.com/incomingwebhooks/" + hook.WebhookId + "?token="; !strings.HasPrefix(hook.Url, want) {
		t.Fatalf("Url %s, want it under %s", hook.Url, want)
	}
}

// A webhook's name is at most 100 characters, counted as characters, not
// bytes.
func TestWebhookNameLength(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	hooks := roomWebhooksPath(acct, collabRoom(t, e, keyA, acct, "alerts"))
	for _, tc := range []struct {
		name, hookName string
		status         int
		errorType      string
	}{
		{"100 ASCII characters", strings.Repeat("x", 100), http.StatusCreated, ""},
		{"100 two-byte characters", strings.Repeat("é", 100), http.StatusCreated, ""},
		{"101 characters", strings.Repeat("x", 101), http.StatusBadRequest, "BadRequestException"},
		{"101 two-byte characters", strings.Repeat("é", 101), http.StatusBadRequest, "BadRequestException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			collabCall(t, e, keyA, "POST", hooks, map[string]string{"Name": tc.hookName}).want(t, tc.status, tc.errorType)
		})
	}
}

// A deleted account's webhooks post nothing more, though the account stays
// in the database until its purge.
func TestWebhookOfADeletedAccount(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	hook := createWebhook(t, e, keyA, acct, collabRoom(t, e, keyA, acct, "alerts"), "pager")
	postToRoom(t, e, hook, "before")
	wantStatus(t, e.releaseDomainHTTP(t, keyA, acct, "example.com"), http.StatusNoContent)
	_, err := e.client(keyA).DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(acct)})
	noErr(t, err)
	postWebhook(t, e, hook.Url, "after the account was deleted").want(t, http.StatusNotFound, "NotFoundException")
}
