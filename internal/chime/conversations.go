package chime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/model"
)

// Conversation is a direct or group chat between users of one Enterprise
// account.
type Conversation struct {
	AccountID      string
	ConversationID string
	MemberIDs      []string
	CreatedAt      time.Time
}

// A conversation has 2 to 50 members: Chime's group chats take "up to 50
// users".
const (
	minConversationMembers = 2
	maxConversationMembers = 50
)

// accountConversation loads a conversation of one of the caller's
// Enterprise accounts.
func accountConversation(tx Tx, caller Caller, accountID, conversationID string) (*Conversation, error) {
	a, err := enterpriseAccount(tx, caller, accountID, messagesWhat)
	if err != nil {
		return nil, err
	}
	c, err := tx.GetConversation(a.AccountID, conversationID)
	if err := notFoundIfMissing(err, "Conversation", conversationID); err != nil {
		return nil, err
	}
	return c, nil
}

// checkUserID refuses, naming field, what cannot be a user's ID: a blank
// one, or one longer than the API takes.
func checkUserID(field, id string) error {
	switch n := utf8.RuneCountInString(id); {
	case blank(id):
		return BadRequest("%s: must be a user ID", field)
	case n > model.MaxUnboundedString:
		return BadRequest("%s: length must be at most %d, got %d", field, model.MaxUnboundedString, n)
	}
	return nil
}

// CreateConversation starts a conversation between users of the account.
func (s *Service) CreateConversation(ctx context.Context, caller Caller, accountID string, memberIDs []string) (*Conversation, error) {
	if n := len(memberIDs); n < minConversationMembers || n > maxConversationMembers {
		return nil, BadRequest("MemberIds: a conversation has %d to %d members, got %d", minConversationMembers, maxConversationMembers, n)
	}
	for i, id := range memberIDs {
		if err := checkUserID(fmt.Sprintf("MemberIds[%d]", i), id); err != nil {
			return nil, err
		}
		if slices.Contains(memberIDs[:i], id) {
			return nil, BadRequest("MemberIds: %s is listed twice", id)
		}
	}
	var c *Conversation
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := enterpriseAccount(tx, caller, accountID, messagesWhat)
		if err != nil {
			return err
		}
		for _, id := range memberIDs {
			_, err := tx.GetUser(a.AccountID, id)
			if err := notFoundIfMissing(err, "User", id); err != nil {
				return err
			}
		}
		c = &Conversation{
			AccountID:      a.AccountID,
			ConversationID: NewID(),
			MemberIDs:      memberIDs,
			CreatedAt:      now,
		}
		return tx.InsertConversation(c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// PostConversationMessage posts content to a conversation on behalf of one
// of its members.
func (s *Service) PostConversationMessage(ctx context.Context, caller Caller, accountID, conversationID, senderID string, content *string) (*Message, error) {
	if err := checkUserID("SenderId", senderID); err != nil {
		return nil, err
	}
	text, err := checkContent(content)
	if err != nil {
		return nil, err
	}
	var m *Message
	err = s.update(ctx, func(tx Tx, now time.Time) error {
		c, err := accountConversation(tx, caller, accountID, conversationID)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(c.AccountID, senderID)
		if errors.Is(err, ErrNoRows) {
			return NotFound("User %s not found", senderID)
		}
		if err != nil {
			return err
		}
		if !slices.Contains(c.MemberIDs, u.UserID) {
			return Forbidden("user %s is not a member of conversation %s", u.UserID, c.ConversationID)
		}
		// A suspended user cannot sign in, so cannot post either (as a
		// disabled bot cannot reply).
		if u.RegistrationStatus == model.RegistrationStatusSuspended {
			return Forbidden("user %s is suspended", u.UserID)
		}
		sender := MessageSender{SenderID: u.UserID, SenderType: model.MemberTypeUser, Name: u.DisplayName}
		m = newMessage(c.AccountID, MessageInConversation, c.ConversationID, sender, text, now)
		return insertMessage(tx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
