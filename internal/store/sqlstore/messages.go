package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// A message's content lives in its own column, NULL once redacted; the doc
// never holds it (chime.Message.Content is not encoded).

func (t *tx) InsertMessage(m *chime.Message) error {
	_, err := t.exec(`INSERT INTO messages (message_id, account_id, parent_type, parent_id, sort_key, created_at, content, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		m.MessageID, m.AccountID, m.ParentType, m.ParentID, m.Key(), m.CreatedAt.UnixMilli(), m.Content, encode(m))
	return err
}

// LastMessageAt looks in the key range of at's millisecond: with created_at
// instead, the parent's index was walked back over every older message, and
// a post to a room cost more the more the room held.
func (t *tx) LastMessageAt(parentID string, at time.Time) (*chime.Message, error) {
	from, to := chime.KeysAt(at)
	found, err := t.messages(`SELECT doc, content FROM messages WHERE parent_id = $1 AND sort_key >= $2 AND sort_key < $3 ORDER BY sort_key DESC LIMIT 1`,
		parentID, from, to)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, chime.ErrNoRows
	}
	return found[0], nil
}

func (t *tx) GetMessage(parentID, messageID string) (*chime.Message, error) {
	found, err := t.messages(`SELECT doc, content FROM messages WHERE parent_id = $1 AND message_id = $2`, parentID, messageID)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, chime.ErrNoRows
	}
	return found[0], nil
}

func (t *tx) ListMessages(parentID string, p chime.Page) ([]*chime.Message, error) {
	return t.messages(`SELECT doc, content FROM messages WHERE parent_id = $1 AND sort_key > $2 ORDER BY sort_key LIMIT `+strconv.Itoa(p.Limit),
		parentID, p.After)
}

func (t *tx) RedactMessage(m *chime.Message) error {
	if !m.Redacted {
		return errors.New("RedactMessage: message is not marked redacted")
	}
	return mustAffect(t.exec(`UPDATE messages SET content = NULL, doc = $1 WHERE parent_id = $2 AND message_id = $3`,
		encode(m), m.ParentID, m.MessageID))
}

func (t *tx) DeleteMessagesBefore(accountID, parentType string, before time.Time) (int, error) {
	res, err := t.exec(`DELETE FROM messages WHERE account_id = $1 AND parent_type = $2 AND created_at < $3`,
		accountID, parentType, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// messages runs a query of (doc, content) rows.
func (t *tx) messages(query string, args ...any) ([]*chime.Message, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, t.check(err)
	}
	defer rows.Close()
	var out []*chime.Message
	for rows.Next() {
		var doc []byte
		var content sql.NullString
		if err := rows.Scan(&doc, &content); err != nil {
			return nil, t.check(err)
		}
		m := new(chime.Message)
		if err := json.Unmarshal(doc, m); err != nil {
			return nil, err
		}
		m.Content = content.String
		out = append(out, m)
	}
	return out, t.check(rows.Err())
}

func (t *tx) InsertWebhook(w *chime.Webhook) error {
	_, err := t.exec(`INSERT INTO webhooks (webhook_id, room_id, account_id, doc) VALUES ($1, $2, $3, $4)`,
		w.WebhookID, w.RoomID, w.AccountID, encode(w))
	return err
}

func (t *tx) GetWebhook(webhookID string) (*chime.Webhook, error) {
	w := new(chime.Webhook)
	err := t.getDoc(w, `SELECT doc FROM webhooks WHERE webhook_id = $1`, webhookID)
	return w, err
}

func (t *tx) ListWebhooks(roomID string) ([]*chime.Webhook, error) {
	return listDocs[chime.Webhook](t, `SELECT doc FROM webhooks WHERE room_id = $1 ORDER BY webhook_id`, roomID)
}

func (t *tx) DeleteWebhook(roomID, webhookID string) error {
	return mustAffect(t.exec(`DELETE FROM webhooks WHERE room_id = $1 AND webhook_id = $2`, roomID, webhookID))
}

func (t *tx) InsertConversation(c *chime.Conversation) error {
	_, err := t.exec(`INSERT INTO conversations (conversation_id, account_id, doc) VALUES ($1, $2, $3)`,
		c.ConversationID, c.AccountID, encode(c))
	return err
}

func (t *tx) GetConversation(accountID, conversationID string) (*chime.Conversation, error) {
	c := new(chime.Conversation)
	err := t.getDoc(c, `SELECT doc FROM conversations WHERE account_id = $1 AND conversation_id = $2`, accountID, conversationID)
	return c, err
}
