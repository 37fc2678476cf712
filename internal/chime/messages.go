package chime

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/model"
)

// Where a message was posted: Message.ParentType.
const (
	MessageInRoom         = "Room"
	MessageInConversation = "Conversation"
)

// MaxMessageBytes bounds a message's content, as Chime bounds chat messages
// (4 KB).
const MaxMessageBytes = 4096

// Message is a chat message in a room or a conversation.
type Message struct {
	AccountID  string
	MessageID  string
	ParentType string
	ParentID   string
	Sender     MessageSender
	// Content is the text. Stores keep it apart from the rest of the record
	// so that redaction erases it and nothing else.
	Content   string `json:"-"`
	Redacted  bool
	CreatedAt time.Time
	// Tie is how many messages of the parent were posted before this one
	// in the same millisecond (insertMessage): it keeps them in the order
	// of posting.
	Tie int
}

// newMessage is a new message with text, posted now by sender in a room or
// conversation (parentType) of accountID.
func newMessage(accountID, parentType, parentID string, sender MessageSender, text string, now time.Time) *Message {
	return &Message{
		AccountID:  accountID,
		MessageID:  NewID(),
		ParentType: parentType,
		ParentID:   parentID,
		Sender:     sender,
		Content:    text,
		CreatedAt:  now,
	}
}

// MessageSender is who posted a message: a user, a bot or a webhook
// (SenderType is a MemberType).
type MessageSender struct {
	SenderID   string
	SenderType string
	Name       string
}

// Key orders a room's or a conversation's messages by time of posting; it
// is what listings continue after. Within a millisecond, the first
// message's key is the time and its ID, as before ties were numbered (so
// stored keys and snapshots stay valid), and a later one's has its tie
// number after a "~", which sorts after every character of an ID. The ID
// orders only messages that took the same tie number at once (PostgreSQL,
// concurrent posts).
func (m *Message) Key() string {
	if m.Tie == 0 {
		return keyPrefix(m.CreatedAt.UnixMilli()) + m.MessageID
	}
	return fmt.Sprintf("%s~%012d/%s", keyPrefix(m.CreatedAt.UnixMilli()), m.Tie, m.MessageID)
}

// KeysAt bounds the keys of the messages posted in at's millisecond, from
// (inclusive) to (exclusive): a store finds them in its key index.
func KeysAt(at time.Time) (from, to string) {
	return keyPrefix(at.UnixMilli()), keyPrefix(at.UnixMilli() + 1)
}

func keyPrefix(millis int64) string { return fmt.Sprintf("%015d/", millis) }

// insertMessage posts m after the messages of its parent: one posted in the
// same millisecond as others (a quick client, or a stopped test clock) takes
// the next tie number, where its random ID would have put it anywhere among
// them.
func insertMessage(tx Tx, m *Message) error {
	last, err := tx.LastMessageAt(m.ParentID, m.CreatedAt)
	switch {
	case errors.Is(err, ErrNoRows):
	case err != nil:
		return err
	default:
		m.Tie = last.Tie + 1
	}
	return tx.InsertMessage(m)
}

// MessageTx reads and writes messages, and the webhooks and conversations
// they are posted through.
type MessageTx interface {
	InsertMessage(m *Message) error
	// LastMessageAt returns the parent's message last in Key order of those
	// created in the millisecond of at; ErrNoRows when it has none.
	LastMessageAt(parentID string, at time.Time) (*Message, error)
	// GetMessage returns ErrNoRows when the message is not in that room or
	// conversation.
	GetMessage(parentID, messageID string) (*Message, error)
	// ListMessages lists a room's or a conversation's messages in Key order.
	ListMessages(parentID string, p Page) ([]*Message, error)
	// RedactMessage stores m, which is redacted: its content is erased
	// from the database, not hidden.
	RedactMessage(m *Message) error
	// DeleteMessagesBefore deletes the account's messages of one kind
	// (MessageInRoom, MessageInConversation) posted before the cutoff, and
	// says how many.
	DeleteMessagesBefore(accountID, parentType string, before time.Time) (int, error)

	InsertWebhook(w *Webhook) error
	// GetWebhook finds a webhook by its ID alone: its URL is its credential.
	GetWebhook(webhookID string) (*Webhook, error)
	ListWebhooks(roomID string) ([]*Webhook, error)
	DeleteWebhook(roomID, webhookID string) error

	InsertConversation(c *Conversation) error
	// GetConversation returns ErrNoRows when the conversation is not in the
	// account.
	GetConversation(accountID, conversationID string) (*Conversation, error)
}

const messagesWhat = "chat messages"

// checkContent applies Chime's limits on a message's text.
func checkContent(content *string) (string, error) {
	switch {
	case content == nil || blank(*content):
		return "", BadRequest("Content: required and must not be blank")
	case len(*content) > MaxMessageBytes:
		return "", BadRequest("Content: at most %d bytes, got %d", MaxMessageBytes, len(*content))
	case !utf8.ValidString(*content):
		return "", BadRequest("Content: must be UTF-8 text")
	}
	return *content, nil
}

// ListRoomMessages lists the messages of a room, oldest first.
func (s *Service) ListRoomMessages(ctx context.Context, caller Caller, accountID, roomID string, maxResults *int32, token *string) (*ListPage[Message], error) {
	return s.listMessages(ctx, caller, listingOf("room-messages", roomID), maxResults, token, func(tx Tx) (string, error) {
		_, r, err := accountRoom(tx, caller, accountID, roomID)
		if err != nil {
			return "", err
		}
		return r.RoomID, nil
	})
}

// ListConversationMessages lists the messages of a conversation, oldest
// first.
func (s *Service) ListConversationMessages(ctx context.Context, caller Caller, accountID, conversationID string, maxResults *int32, token *string) (*ListPage[Message], error) {
	return s.listMessages(ctx, caller, listingOf("conversation-messages", conversationID), maxResults, token, func(tx Tx) (string, error) {
		c, err := accountConversation(tx, caller, accountID, conversationID)
		if err != nil {
			return "", err
		}
		return c.ConversationID, nil
	})
}

// listMessages lists the messages of the room or conversation that parent
// finds (and checks the caller may see).
func (s *Service) listMessages(ctx context.Context, caller Caller, listing string, maxResults *int32, token *string, parent func(Tx) (string, error)) (*ListPage[Message], error) {
	list := func(tx Tx, after string, limit int) ([]*Message, error) {
		parentID, err := parent(tx)
		if err != nil {
			return nil, err
		}
		return tx.ListMessages(parentID, Page{After: after, Limit: limit})
	}
	return extensionPage(ctx, s, caller, listing, maxResults, token, list, (*Message).Key)
}

// RedactRoomMessage erases a room message's content; the message stays,
// marked redacted. Redacting it again changes nothing.
func (s *Service) RedactRoomMessage(ctx context.Context, caller Caller, in *model.RedactRoomMessageRequest) (*model.RedactRoomMessageResponse, error) {
	err := s.redact(ctx, *in.MessageId, "room", func(tx Tx) (string, error) {
		_, r, err := accountRoom(tx, caller, *in.AccountId, *in.RoomId)
		if err != nil {
			return "", err
		}
		return r.RoomID, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.RedactRoomMessageResponse{}, nil
}

// RedactConversationMessage erases a conversation message's content; the
// message stays, marked redacted.
func (s *Service) RedactConversationMessage(ctx context.Context, caller Caller, in *model.RedactConversationMessageRequest) (*model.RedactConversationMessageResponse, error) {
	err := s.redact(ctx, *in.MessageId, "conversation", func(tx Tx) (string, error) {
		c, err := accountConversation(tx, caller, *in.AccountId, *in.ConversationId)
		if err != nil {
			return "", err
		}
		return c.ConversationID, nil
	})
	if err != nil {
		return nil, err
	}
	return &model.RedactConversationMessageResponse{}, nil
}

// redact erases a message of the room or conversation (where) that parent
// finds, then scrubs the store's files so the content cannot be read back
// from them.
func (s *Service) redact(ctx context.Context, messageID, where string, parent func(Tx) (string, error)) error {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		parentID, err := parent(tx)
		if err != nil {
			return err
		}
		m, err := tx.GetMessage(parentID, messageID)
		if errors.Is(err, ErrNoRows) {
			return NotFound("Message %s not found in %s %s", messageID, where, parentID)
		}
		if err != nil || m.Redacted {
			return err
		}
		m.Redacted, m.Content = true, ""
		if err := tx.RedactMessage(m); err != nil {
			return err
		}
		// The copies in bots' Mention events go too.
		return eraseMentions(tx, MentionFilter{MessageID: m.MessageID}, now)
	})
	if err != nil {
		return err
	}
	// Scrubbed even when the message was redacted before: a retry after a
	// failed scrub must be able to finish the job.
	return s.store.Scrub(ctx)
}

// FinishScrub is a background job: it finishes a scrub that readers kept
// from finishing when a redaction or deletion asked for it (see Store.Scrub).
func (s *Service) FinishScrub(ctx context.Context) (int, error) {
	return s.store.FinishScrub(ctx)
}
