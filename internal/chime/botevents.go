package chime

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/model"
	"golang.org/x/text/unicode/norm"
)

// The events Chime sends a bot.
const (
	BotEventInvite  = "Invite"
	BotEventMention = "Mention"
	BotEventRemove  = "Remove"
)

// The states of an event in the outbox.
const (
	BotEventPending   = "Pending"
	BotEventDelivered = "Delivered"
	// BotEventFailed: given up, after a refusal or too long a time of
	// failed attempts.
	BotEventFailed = "Failed"
	// BotEventSkipped: not sent, because the bot was disabled or had no
	// target any more when its turn came.
	BotEventSkipped = "Skipped"
)

// The kinds of InboundHttpsEndpoint.
const (
	ReplyPersistent = "Persistent"
	ReplyShortLived = "ShortLived"
)

// shortLivedReply is how long a Mention's answer URL works (CHIME-FACTS).
const shortLivedReply = 2 * time.Minute

// BotEvent is an event for a bot in the outbox: written in the transaction
// of the change that causes it, delivered afterwards, at least once.
type BotEvent struct {
	EventID      string
	AwsAccountID string
	AccountID    string
	BotID        string
	RoomID       string
	EventType    string
	// MessageID is the room message a Mention is about ("" otherwise).
	MessageID string
	// ReplyEndpointID is the ShortLived endpoint a Mention hands the bot,
	// whose two minutes count from the delivery ("" otherwise).
	ReplyEndpointID string
	// Seq orders the bot's events; the store assigns it.
	Seq int64
	// Payload is the exact body sent, every attempt the same: EventId in
	// it is the idempotency key a bot can use to drop a repeat.
	Payload   string
	Status    string
	Attempts  []DeliveryAttempt
	CreatedAt time.Time
	// DueAt is when the next attempt may start.
	DueAt      time.Time
	FinishedAt *time.Time
}

// DeliveryAttempt is one try at delivering an event.
type DeliveryAttempt struct {
	At time.Time
	// Target is the endpoint URL or the Lambda function ARN tried.
	Target string
	// Outcome is Delivered, Retry (a timeout, a 5xx, a network failure) or
	// Failed (a refusal not worth repeating).
	Outcome    string
	StatusCode int    `json:",omitempty"`
	Error      string `json:",omitempty"`
	// Millis is how long the attempt took.
	Millis int64
	// RetryAfterSeconds is what the target asked to be left alone for, a
	// wait the next attempt keeps (up to the longest back-off).
	RetryAfterSeconds int64 `json:",omitempty"`
}

// BotReplyEndpoint is an InboundHttpsEndpoint: a URL on this server through
// which a bot posts into the room an event came from.
type BotReplyEndpoint struct {
	EndpointID   string
	AwsAccountID string
	AccountID    string
	RoomID       string
	BotID        string
	Token        string
	Type         string
	// ExpiresAt is nil for a Persistent endpoint.
	ExpiresAt *time.Time
	CreatedAt time.Time
}

// BotEventTx reads and writes the outbox and the reply endpoints.
type BotEventTx interface {
	// InsertBotEvent gives ev its bot's next Seq and stores it.
	InsertBotEvent(ev *BotEvent) error
	// DueBotEvents returns up to limit pending events due at now that no
	// live lease holds, each the oldest pending event of its bot.
	DueBotEvents(now time.Time, limit int) ([]*BotEvent, error)
	// LeaseBotEvent claims a pending event for leaseID until until, if no
	// other lease holds it at now; ErrStale otherwise.
	LeaseBotEvent(eventID, leaseID string, now, until time.Time) error
	// SaveBotEvent stores ev and ends its lease, if leaseID still holds
	// it; ErrStale otherwise.
	SaveBotEvent(ev *BotEvent, leaseID string) error
	// ListBotEvents lists up to limit of a bot's events in Seq order,
	// after the event numbered afterSeq (0: from the first).
	ListBotEvents(botID string, afterSeq int64, limit int) ([]*BotEvent, error)
	// EraseBotEventMessages blanks the text of the Mentions f selects, and
	// skips those still pending, whose reply endpoints it returns.
	EraseBotEventMessages(f MentionFilter, now time.Time) (skippedReplies []string, err error)
	// DeleteFinishedBotEvents deletes the events finished before cutoff.
	DeleteFinishedBotEvents(before time.Time) (int, error)

	InsertBotReplyEndpoint(e *BotReplyEndpoint) error
	// GetBotReplyEndpoint finds an endpoint by its ID alone: its URL is
	// its credential.
	GetBotReplyEndpoint(endpointID string) (*BotReplyEndpoint, error)
	// DeleteBotReplyEndpoints deletes a room's endpoints of one bot, or of
	// every bot when botID is "".
	DeleteBotReplyEndpoints(roomID, botID string) error
	// DeleteExpiredBotReplyEndpoints deletes the endpoints expired at now:
	// PostBotReply refuses one from its very expiry time.
	DeleteExpiredBotReplyEndpoints(now time.Time) (int, error)
	// SaveBotReplyEndpoint stores a changed endpoint; ErrNoRows when it is
	// gone.
	SaveBotReplyEndpoint(e *BotReplyEndpoint) error
}

// MentionFilter selects Mentions by the message they carry: one message, a
// room's messages, or an account's messages that are gone (deleted by its
// retention period, which may be shorter than botKeepFinished). Empty
// fields do not filter.
type MentionFilter struct {
	MessageID string
	RoomID    string
	// DeletedIn is an account whose Mentions of deleted messages are meant.
	DeletedIn string
}

// SkipReason says why the pending Mentions f selects are not delivered.
func (f MentionFilter) SkipReason() string {
	switch {
	case f.MessageID != "":
		return "the message was redacted"
	case f.RoomID != "":
		return "the room was deleted"
	}
	return "the message was deleted under the account's retention settings"
}

// botEventPayload is an event as CHIME-FACTS lists its fields, and EventId.
type botEventPayload struct {
	Sender struct {
		SenderId     string
		SenderIdType string
	}
	Discussion struct {
		DiscussionId   string
		DiscussionType string
	}
	EventType            string
	InboundHttpsEndpoint *inboundEndpoint `json:",omitempty"`
	EventTimestamp       string
	Message              string `json:",omitempty"`
	EventId              string
}

type inboundEndpoint struct {
	EndpointType string
	Url          string
}

// eventTimeFormat is how events and their signatures give times: ISO 8601
// in UTC with milliseconds.
const eventTimeFormat = "2006-01-02T15:04:05.000Z"

// SignBotEvent computes Chime-Signature: base64(HMAC-SHA256(key = the bot's
// SecurityToken, data = timestamp + "|" + raw body)).
func SignBotEvent(securityToken, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(securityToken))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("|"))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// botCause is what caused an event: who (an email, or the principal or
// webhook without one), in which room, and for a Mention the message.
type botCause struct {
	roomID    string
	sender    string
	messageID string
	message   string
}

// enqueueBotEvent writes an event for b in tx. A disabled bot, or one
// without an events target, receives nothing: no event is written.
func (s *Service) enqueueBotEvent(tx Tx, b *Bot, eventType string, cause botCause, now time.Time) error {
	if b.Disabled || !b.hasEventsEndpoint() {
		return nil
	}
	ev := &BotEvent{
		EventID:      NewID(),
		AwsAccountID: b.AwsAccountID,
		AccountID:    b.AccountID,
		BotID:        b.BotID,
		RoomID:       cause.roomID,
		EventType:    eventType,
		MessageID:    cause.messageID,
		Status:       BotEventPending,
		CreatedAt:    now,
		DueAt:        now,
	}
	p := botEventPayload{EventType: eventType, EventTimestamp: now.UTC().Format(eventTimeFormat), Message: cause.message, EventId: ev.EventID}
	p.Sender.SenderId, p.Sender.SenderIdType = cause.sender, "EmailId"
	p.Discussion.DiscussionId, p.Discussion.DiscussionType = cause.roomID, "Room"
	switch eventType {
	case BotEventInvite, BotEventMention:
		e, err := s.newReplyEndpoint(tx, b, cause.roomID, eventType, now)
		if err != nil {
			return err
		}
		p.InboundHttpsEndpoint = &inboundEndpoint{EndpointType: e.Type, Url: s.replyURL(e)}
		if e.Type == ReplyShortLived {
			ev.ReplyEndpointID = e.EndpointID
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	ev.Payload = string(body)
	return tx.InsertBotEvent(ev)
}

// newReplyEndpoint gives the bot a URL to answer into the room: a
// Persistent one for an Invite, a ShortLived one for a Mention.
func (s *Service) newReplyEndpoint(tx Tx, b *Bot, roomID, eventType string, now time.Time) (*BotReplyEndpoint, error) {
	e := &BotReplyEndpoint{
		EndpointID:   NewID(),
		AwsAccountID: b.AwsAccountID,
		AccountID:    b.AccountID,
		RoomID:       roomID,
		BotID:        b.BotID,
		Token:        newWebhookToken(),
		Type:         ReplyPersistent,
		CreatedAt:    now,
	}
	if eventType == BotEventMention {
		// Until the event is finished, when its two minutes start
		// (expireReply), it may be delivered as late as botGiveUp.
		expires := now.Add(botGiveUp + shortLivedReply)
		e.Type, e.ExpiresAt = ReplyShortLived, &expires
	}
	return e, tx.InsertBotReplyEndpoint(e)
}

// replyURL is the endpoint's URL on this server.
func (s *Service) replyURL(e *BotReplyEndpoint) string {
	return strings.TrimSuffix(s.integrations.PublicURL, "/") + "/botreplies/" + url.PathEscape(e.EndpointID) + "?token=" + url.QueryEscape(e.Token)
}

// botMemberEvent writes the event (Invite or Remove) for a membership that
// a member of the room's account was given or lost, when the member is a
// bot.
func (s *Service) botMemberEvent(tx Tx, caller Caller, m *Membership, eventType string, now time.Time) error {
	if m.MemberType != model.MemberTypeBot {
		return nil
	}
	if eventType == BotEventRemove {
		// Whatever URL the bot had to answer into the room stops working.
		if err := tx.DeleteBotReplyEndpoints(m.RoomID, m.MemberID); err != nil {
			return err
		}
	}
	b, err := tx.GetBot(m.AccountID, m.MemberID)
	if err != nil {
		return err
	}
	return s.enqueueBotEvent(tx, b, eventType, botCause{roomID: m.RoomID, sender: caller.PrincipalARN}, now)
}

// roomBots returns the bot members of a room, reading its memberships a
// page at a time.
func roomBots(tx Tx, roomID string) ([]*Membership, error) {
	const pageSize = 500
	var bots []*Membership
	after := ""
	for {
		page, err := tx.ListMemberships(roomID, Page{After: after, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if m.MemberType == model.MemberTypeBot {
				bots = append(bots, m)
			}
		}
		if len(page) < pageSize {
			return bots, nil
		}
		after = page[len(page)-1].MemberID
	}
}

// insertRoomMessage posts m into its room and writes a Mention for each bot
// of the room it @mentions (other than its sender). senderEmail is who the
// bots are told sent it.
func (s *Service) insertRoomMessage(tx Tx, m *Message, senderEmail string) error {
	if err := insertMessage(tx, m); err != nil {
		return err
	}
	members, err := roomBots(tx, m.ParentID)
	if err != nil {
		return err
	}
	for _, member := range mentioned(m.Content, members) {
		if member.MemberID == m.Sender.SenderID {
			continue
		}
		b, err := tx.GetBot(member.AccountID, member.MemberID)
		if err != nil {
			return err
		}
		cause := botCause{roomID: m.ParentID, sender: senderEmail, messageID: m.MessageID, message: m.Content}
		if err := s.enqueueBotEvent(tx, b, BotEventMention, cause, m.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// mentioned returns the bots that text @mentions: an "@" that starts a word
// (not the one inside an email address or a URL), then a bot's email, its
// display name ("helper (Bot)") or that name without " (Bot)", in any case,
// not followed by more of a name. Where names of several bots match at one
// "@" ("@Deploy" and "@Deploy Checker"), the longest is the one meant.
func mentioned(text string, bots []*Membership) []*Membership {
	lower := nameForm(text)
	var names []botName // made at the first "@": most messages have none
	var found []*Membership
	for at := 0; at < len(lower); at++ {
		if lower[at] == '@' && startsWord(lower, at) {
			if names == nil {
				names = botNames(bots)
			}
			found = appendNew(found, longestNamed(lower[at+1:], names)...)
		}
	}
	return found
}

// botName is a name a bot can be mentioned by, in nameForm.
type botName struct {
	bot  *Membership
	name string
}

// botNames lists the names each bot can be mentioned by: its email, its
// display name, and that name without " (Bot)". They are put in nameForm
// once per message, not once per "@".
func botNames(bots []*Membership) []botName {
	names := make([]botName, 0, 3*len(bots))
	for _, bot := range bots {
		for _, name := range []string{bot.Email, bot.FullName, strings.TrimSuffix(bot.FullName, " (Bot)")} {
			if name = nameForm(name); name != "" {
				names = append(names, botName{bot, name})
			}
		}
	}
	return names
}

// startsWord says whether the "@" at i is where a mention can start: at the
// start of the text, after white space, after an opening bracket or quote of
// any script ("(@x", "（@x", "«@x") or after markdown ("<@x>", "**@x**").
func startsWord(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isSpace(r) || unicode.In(r, unicode.Ps, unicode.Pi) || strings.ContainsRune("<*_~\"'", r)
}

// longestNamed returns the bots whose longest-matching name starts rest
// (in nameForm) and ends where a name may end.
func longestNamed(rest string, names []botName) []*Membership {
	var best []*Membership
	bestLen := 0
	for _, n := range names {
		if !strings.HasPrefix(rest, n.name) || !endsName(rest, len(n.name)) || len(n.name) < bestLen {
			continue
		}
		if len(n.name) > bestLen {
			best, bestLen = best[:0], len(n.name)
		}
		best = appendNew(best, n.bot)
	}
	return best
}

// endsName says whether a name may end at i in text: the text ends, or what
// follows is not more of a name (a mark, such as a Devanagari vowel sign, is
// part of the letter before it).
func endsName(text string, i int) bool {
	r, size := utf8.DecodeRuneInString(text[i:])
	return size == 0 || !(wordRune(r) || r == '_' || r == '-')
}

// nameForm is the form in which a mention and a bot's name are compared:
// composed (NFC), so that an "é" typed as "e" and a combining accent is the
// "é" of the name, and in lower case.
func nameForm(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// appendNew appends the bots not yet in list.
func appendNew(list []*Membership, bots ...*Membership) []*Membership {
	for _, b := range bots {
		if !slices.Contains(list, b) {
			list = append(list, b)
		}
	}
	return list
}

// eraseMentions blanks the text of the Mentions f selects. Those still
// pending are skipped, and their ShortLived endpoints expire: no bot is to
// answer a message that is gone.
func eraseMentions(tx Tx, f MentionFilter, now time.Time) error {
	replies, err := tx.EraseBotEventMessages(f, now)
	if err != nil {
		return err
	}
	for _, id := range replies {
		if err := expireReply(tx, id, now); err != nil {
			return err
		}
	}
	return nil
}
