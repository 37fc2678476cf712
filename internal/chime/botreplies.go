package chime

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// PostBotReply posts content into a room as the bot, through the
// InboundHttpsEndpoint an event gave it. The caller is whoever holds the
// endpoint's URL: token must be the endpoint's. The bot must still be in the
// room and enabled, and a ShortLived endpoint not expired. The caller it
// returns is the bot, once the token matched.
func (s *Service) PostBotReply(ctx context.Context, endpointID, token string, content *string) (*Message, Caller, error) {
	text, err := checkContent(content)
	if err != nil {
		return nil, Caller{}, err
	}
	var m *Message
	var holder Caller
	err = s.update(ctx, func(tx Tx, now time.Time) error {
		e, err := tx.GetBotReplyEndpoint(endpointID)
		if err := notFoundIfMissing(err, "InboundHttpsEndpoint", endpointID); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(e.Token)) != 1 {
			return Forbidden("the token does not match endpoint %s", endpointID)
		}
		holder = tokenHolder(e.AwsAccountID, "bot", e.BotID)
		if e.ExpiresAt != nil && !now.Before(*e.ExpiresAt) {
			return Forbidden("endpoint %s expired at %s: a ShortLived endpoint works for %s", endpointID, e.ExpiresAt.Format(time.RFC3339), shortLivedReply)
		}
		if _, _, err := accountRoom(tx, holder, e.AccountID, e.RoomID); err != nil {
			return err
		}
		b, err := tx.GetBot(e.AccountID, e.BotID)
		if err := notFoundIfMissing(err, "Bot", e.BotID); err != nil {
			return err
		}
		if b.Disabled {
			return Forbidden("bot %s is disabled", b.BotID)
		}
		_, err = tx.GetMembership(e.RoomID, b.BotID)
		if errors.Is(err, ErrNoRows) {
			return Forbidden("bot %s is no longer a member of room %s", b.BotID, e.RoomID)
		}
		if err != nil {
			return err
		}
		sender := MessageSender{SenderID: b.BotID, SenderType: model.MemberTypeBot, Name: b.DisplayName}
		m = newMessage(e.AccountID, MessageInRoom, e.RoomID, sender, text, now)
		return s.insertRoomMessage(tx, m, b.Email)
	})
	if err != nil {
		return nil, holder, err
	}
	return m, holder, nil
}
