package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

func createConversation(t *testing.T, e *env, key, accountID string, memberIDs ...string) string {
	t.Helper()
	resp := collabCall(t, e, key, "POST", conversationsPath(accountID), map[string][]string{"MemberIds": memberIDs})
	resp.want(t, http.StatusCreated, "")
	var out struct {
		Conversation struct {
			ConversationId, AccountId string
			MemberIds                 []string
		}
	}
	resp.decode(t, &out)
	if c := out.Conversation; !collabIDPattern.MatchString(c.ConversationId) || c.AccountId != accountID || !slices.Equal(c.MemberIds, memberIDs) {
		t.Fatalf("created conversation: %s", resp.body)
	}
	return out.Conversation.ConversationId
}

func postToConversation(t *testing.T, e *env, key, accountID, conversationID, senderID, content string) string {
	t.Helper()
	resp := collabCall(t, e, key, "POST", conversationMessagesPath(accountID, conversationID), map[string]string{"SenderId": senderID, "Content": content})
	resp.want(t, http.StatusOK, "")
	var out struct{ MessageId string }
	resp.decode(t, &out)
	if !collabIDPattern.MatchString(out.MessageId) {
		t.Fatalf("posted: %s", resp.body)
	}
	return out.MessageId
}

func TestConversations(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	jane := collabUser(t, e, keyA, acct, "janed@example.com", "Jane Doe")
	zhang := collabUser(t, e, keyA, acct, "zhangw@example.com", "Zhang Wei")
	mary := collabUser(t, e, keyA, acct, "marym@example.com", "Mary Major")
	conversations := conversationsPath(acct)

	direct := createConversation(t, e, keyA, acct, jane, zhang)
	group := createConversation(t, e, keyA, acct, jane, zhang, mary)
	hello := postToConversation(t, e, keyA, acct, direct, jane, "hello Zhang")
	reply := postToConversation(t, e, keyA, acct, direct, zhang, "hi Jane")
	postToConversation(t, e, keyA, acct, group, mary, "hello all")

	messages, _ := listMessages(t, e, keyA, conversationMessagesPath(acct, direct), 1)
	if len(messages) != 2 || messages[0].MessageId != hello || messages[1].MessageId != reply ||
		messages[0].Sender.SenderId != jane || messages[0].Sender.SenderType != "User" || messages[0].Sender.Name != "Jane Doe" ||
		aws.ToString(messages[1].Content) != "hi Jane" {
		t.Fatalf("direct conversation: %+v", messages)
	}

	_, err := c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: aws.String(acct), ConversationId: aws.String(direct), MessageId: aws.String(hello)})
	noErr(t, err)
	messages, _ = listMessages(t, e, keyA, conversationMessagesPath(acct, direct), 10)
	if !messages[0].Redacted || messages[0].Content != nil || messages[1].Redacted || aws.ToString(messages[1].Content) != "hi Jane" {
		t.Fatalf("after redacting the first message: %+v", messages)
	}
	for _, tc := range []struct {
		name                      string
		conversationID, messageID string
	}{
		{"unknown message", direct, collabMissingID},
		{"unknown conversation", collabMissingID, reply},
		{"message of another conversation", group, reply},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: aws.String(acct), ConversationId: aws.String(tc.conversationID), MessageId: aws.String(tc.messageID)})
			wantError(t, err, "NotFoundException")
		})
	}
	_, err = e.client(keyB).RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: aws.String(acct), ConversationId: aws.String(direct), MessageId: aws.String(reply)})
	wantError(t, err, "NotFoundException")

	// 51 different IDs: the count is refused before any is looked up (51
	// times one ID would be refused as a repeat instead).
	fiftyOne := make([]string, 51)
	for i := range fiftyOne {
		fiftyOne[i] = fmt.Sprintf("member-%02d", i)
	}
	other := collabAccount(t, e, keyA, "example.org")
	stranger := collabUser(t, e, keyA, other, "stranger@example.org", "Stranger")
	for _, tc := range []struct {
		name      string
		members   []string
		status    int
		errorType string
	}{
		{"one member", []string{jane}, http.StatusBadRequest, "BadRequestException"},
		{"a member twice", []string{jane, zhang, jane}, http.StatusBadRequest, "BadRequestException"},
		{"over 50 members", fiftyOne, http.StatusBadRequest, "BadRequestException"},
		{"an empty member ID", []string{jane, ""}, http.StatusBadRequest, "BadRequestException"},
		{"a member ID longer than any", []string{jane, strings.Repeat("x", 2049)}, http.StatusBadRequest, "BadRequestException"},
		{"unknown user", []string{jane, collabMissingID}, http.StatusNotFound, "NotFoundException"},
		{"user of another account", []string{jane, stranger}, http.StatusNotFound, "NotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			collabCall(t, e, keyA, "POST", conversations, map[string][]string{"MemberIds": tc.members}).want(t, tc.status, tc.errorType)
		})
	}

	post := func(conversationID string, body map[string]string) collabResponse {
		return collabCall(t, e, keyA, "POST", conversationMessagesPath(acct, conversationID), body)
	}
	post(direct, map[string]string{"SenderId": mary, "Content": "let me in"}).want(t, http.StatusForbidden, "ForbiddenException")
	post(direct, map[string]string{"SenderId": collabMissingID, "Content": "x"}).want(t, http.StatusNotFound, "NotFoundException")
	post(direct, map[string]string{"Content": "x"}).want(t, http.StatusBadRequest, "BadRequestException")
	// A blank or over-long sender, or conversation, is no ID: a 400 naming
	// it, not a 404 echoing it.
	for _, r := range []collabResponse{
		post(direct, map[string]string{"SenderId": " ", "Content": "x"}),
		post(direct, map[string]string{"SenderId": strings.Repeat("x", 2049), "Content": "x"}),
		post(strings.Repeat("x", 2049), map[string]string{"SenderId": jane, "Content": "x"}),
	} {
		r.want(t, http.StatusBadRequest, "BadRequestException")
		if !strings.Contains(string(r.body), "SenderId: ") && !strings.Contains(string(r.body), "conversationId: length must be at most 2048") {
			t.Errorf("refusal %s names neither SenderId nor conversationId", r.body)
		}
	}
	post(direct, map[string]string{"SenderId": jane}).want(t, http.StatusBadRequest, "BadRequestException")
	post(direct, map[string]string{"SenderId": jane, "Content": strings.Repeat("x", 4097)}).want(t, http.StatusBadRequest, "BadRequestException")
	post(collabMissingID, map[string]string{"SenderId": jane, "Content": "x"}).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyB, "GET", conversationMessagesPath(acct, direct), nil).want(t, http.StatusNotFound, "NotFoundException")
	collabCall(t, e, keyB, "POST", conversations, map[string][]string{"MemberIds": {jane, zhang}}).want(t, http.StatusNotFound, "NotFoundException")

	// A suspended user cannot sign in, so cannot post.
	suspended, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: aws.String(acct), UserIdList: []string{mary}})
	noErr(t, err)
	if len(suspended.UserErrors) != 0 {
		t.Fatalf("suspend: %+v", suspended.UserErrors)
	}
	post(group, map[string]string{"SenderId": mary, "Content": "still here?"}).want(t, http.StatusForbidden, "ForbiddenException")
}

// The largest conversation has 50 members, and a room's memberships are
// listed 99 to a page by default: 51 members come back in one page.
func TestFiftyMemberConversationAndDefaultMembershipPage(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	users := make([]string, 51)
	items := make([]types.MembershipItem, len(users))
	for i := range users {
		users[i] = collabUser(t, e, keyA, acct, fmt.Sprintf("user%02d@example.com", i), fmt.Sprintf("User %02d", i))
		items[i] = types.MembershipItem{MemberId: aws.String(users[i])}
	}
	createConversation(t, e, keyA, acct, users[:50]...)

	c := e.client(keyA)
	room := collabRoom(t, e, keyA, acct, "everyone")
	for _, batch := range [][]types.MembershipItem{items[:50], items[50:]} { // at most 50 a batch
		added, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MembershipItemList: batch})
		noErr(t, err)
		if len(added.Errors) != 0 {
			t.Fatalf("batch errors %+v", added.Errors)
		}
	}
	listed, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: aws.String(acct), RoomId: aws.String(room)})
	noErr(t, err)
	if len(listed.RoomMemberships) != 51 || listed.NextToken != nil {
		t.Fatalf("default page: %d memberships, NextToken %v; want all 51 in one page", len(listed.RoomMemberships), listed.NextToken)
	}
}
