package chime

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/model"
)

// Webhook is an incoming webhook of a chat room: whoever holds its URL (its
// ID and secret token) may post messages to the room.
type Webhook struct {
	AwsAccountID string
	AccountID    string
	RoomID       string
	WebhookID    string
	Name         string
	Token        string
	CreatedAt    time.Time
}

// MaxWebhooksPerRoom is Chime's limit: "up to 10 webhooks for each chat
// room".
const MaxWebhooksPerRoom = 10

// maxWebhookName bounds a webhook's name (our choice: Chime's console names
// are short labels).
const maxWebhookName = 100

// newWebhookToken returns 54 random bytes as 72 URL-safe characters, the
// length of the tokens in Chime's webhook URLs.
func newWebhookToken() string {
	var b [54]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateWebhook adds an incoming webhook to a room.
func (s *Service) CreateWebhook(ctx context.Context, caller Caller, accountID, roomID string, name *string) (*Webhook, error) {
	switch {
	case name == nil || blank(*name):
		return nil, BadRequest("Name: required and must not be blank")
	case utf8.RuneCountInString(*name) > maxWebhookName:
		return nil, BadRequest("Name: at most %d characters", maxWebhookName)
	}
	var w *Webhook
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, r, err := accountRoom(tx, caller, accountID, roomID)
		if err != nil {
			return err
		}
		existing, err := tx.ListWebhooks(r.RoomID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhooksPerRoom {
			return errorf(model.ErrorCodeResourceLimitExceeded, "room %s already has %d webhooks, the most a room may have", r.RoomID, len(existing))
		}
		w = &Webhook{
			AwsAccountID: a.AwsAccountID,
			AccountID:    a.AccountID,
			RoomID:       r.RoomID,
			WebhookID:    NewID(),
			Name:         *name,
			Token:        newWebhookToken(),
			CreatedAt:    now,
		}
		return tx.InsertWebhook(w)
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// ListWebhooks lists a room's webhooks (at most MaxWebhooksPerRoom: one page).
func (s *Service) ListWebhooks(ctx context.Context, caller Caller, accountID, roomID string) ([]*Webhook, error) {
	var found []*Webhook
	err := s.view(ctx, func(tx Tx) error {
		_, r, err := accountRoom(tx, caller, accountID, roomID)
		if err != nil {
			return err
		}
		found, err = tx.ListWebhooks(r.RoomID)
		return err
	})
	return found, err
}

// DeleteWebhook removes a webhook: its URL stops working. The messages it
// posted stay.
func (s *Service) DeleteWebhook(ctx context.Context, caller Caller, accountID, roomID, webhookID string) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		_, r, err := accountRoom(tx, caller, accountID, roomID)
		if err != nil {
			return err
		}
		err = tx.DeleteWebhook(r.RoomID, webhookID)
		if errors.Is(err, ErrNoRows) {
			return NotFound("Webhook %s not found in room %s", webhookID, r.RoomID)
		}
		return err
	})
}

// PostWebhookMessage posts content to the webhook's room. The caller is
// whoever holds the webhook's URL: token must be the webhook's. The caller it
// returns is that holder, once the token matched.
func (s *Service) PostWebhookMessage(ctx context.Context, webhookID, token string, content *string) (*Message, Caller, error) {
	text, err := checkContent(content)
	if err != nil {
		return nil, Caller{}, err
	}
	var m *Message
	var holder Caller
	err = s.update(ctx, func(tx Tx, now time.Time) error {
		w, err := tx.GetWebhook(webhookID)
		if err := notFoundIfMissing(err, "Webhook", webhookID); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(w.Token)) != 1 {
			return Forbidden("the token does not match webhook %s", webhookID)
		}
		// The webhook belongs to the room's account; the room and account
		// must still be there.
		holder = tokenHolder(w.AwsAccountID, "webhook", w.WebhookID)
		if _, _, err := accountRoom(tx, holder, w.AccountID, w.RoomID); err != nil {
			return err
		}
		sender := MessageSender{SenderID: w.WebhookID, SenderType: model.MemberTypeWebhook, Name: w.Name}
		m = newMessage(w.AccountID, MessageInRoom, w.RoomID, sender, text, now)
		// A webhook has no email: bots it mentions are told its ID.
		return s.insertRoomMessage(tx, m, w.WebhookID)
	})
	if err != nil {
		return nil, holder, err
	}
	return m, holder, nil
}
