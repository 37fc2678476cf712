package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func millisOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// InsertBotEvent takes the bot's next number by incrementing its counter:
// a write to the bot's row, which orders this transaction against any other
// adding an event for the same bot.
func (t *tx) InsertBotEvent(ev *chime.BotEvent) error {
	err := t.inTx().QueryRowContext(t.ctx, `UPDATE bots SET event_seq = event_seq + 1 WHERE account_id = $1 AND bot_id = $2 RETURNING event_seq`,
		ev.AccountID, ev.BotID).Scan(&ev.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return chime.ErrNoRows
	}
	if err != nil {
		return t.check(err)
	}
	_, err = t.exec(`INSERT INTO bot_events (event_id, aws_account_id, account_id, bot_id, room_id, seq, status, due_at, message_id, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		ev.EventID, ev.AwsAccountID, ev.AccountID, ev.BotID, ev.RoomID, ev.Seq, ev.Status, ev.DueAt.UnixMilli(), nullString(ev.MessageID), encode(ev))
	return err
}

// DueBotEvents takes the AWS accounts in turns: each one's oldest due event,
// then each one's second, and so on. In due order alone, a tenant with
// thousands of events queued for slow bots held every other tenant's events
// back for as long as its own took to deliver.
func (t *tx) DueBotEvents(now time.Time, limit int) ([]*chime.BotEvent, error) {
	return listDocs[chime.BotEvent](t, `SELECT doc FROM (
			SELECT e.doc, e.due_at, e.bot_id,
				ROW_NUMBER() OVER (PARTITION BY e.aws_account_id ORDER BY e.due_at, e.bot_id) AS turn
			FROM bot_events e
			WHERE e.status = $1 AND e.due_at <= $2 AND (e.lease_until IS NULL OR e.lease_until <= $2)
			AND NOT EXISTS (SELECT 1 FROM bot_events p WHERE p.bot_id = e.bot_id AND p.status = $1 AND p.seq < e.seq)
		) due
		ORDER BY turn, due_at, bot_id LIMIT `+strconv.Itoa(limit),
		chime.BotEventPending, now.UnixMilli())
}

func (t *tx) LeaseBotEvent(eventID, leaseID string, now, until time.Time) error {
	err := mustAffect(t.exec(`UPDATE bot_events SET lease_id = $1, lease_until = $2
		WHERE event_id = $3 AND status = $4 AND (lease_until IS NULL OR lease_until <= $5)`,
		leaseID, until.UnixMilli(), eventID, chime.BotEventPending, now.UnixMilli()))
	if errors.Is(err, chime.ErrNoRows) {
		return chime.ErrStale
	}
	return err
}

func (t *tx) SaveBotEvent(ev *chime.BotEvent, leaseID string) error {
	err := mustAffect(t.exec(`UPDATE bot_events SET status = $1, due_at = $2, finished_at = $3, lease_id = NULL, lease_until = NULL, doc = $4
		WHERE event_id = $5 AND lease_id = $6`,
		ev.Status, ev.DueAt.UnixMilli(), millisOrNull(ev.FinishedAt), encode(ev), ev.EventID, leaseID))
	if errors.Is(err, chime.ErrNoRows) {
		return chime.ErrStale
	}
	return err
}

func (t *tx) ListBotEvents(botID string, afterSeq int64, limit int) ([]*chime.BotEvent, error) {
	return listDocs[chime.BotEvent](t, `SELECT doc FROM bot_events WHERE bot_id = $1 AND seq > $2 ORDER BY seq LIMIT `+strconv.Itoa(limit),
		botID, afterSeq)
}

func (t *tx) EraseBotEventMessages(f chime.MentionFilter, now time.Time) ([]string, error) {
	q := query{sql: `SELECT doc FROM bot_events WHERE message_id IS NOT NULL`}
	if f.MessageID != "" {
		q.add(` AND message_id = `+q.next(), f.MessageID)
	}
	if f.RoomID != "" {
		q.add(` AND room_id = `+q.next(), f.RoomID)
	}
	if f.DeletedIn != "" {
		q.add(` AND account_id = `+q.next(), f.DeletedIn)
		q.sql += ` AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.message_id = bot_events.message_id)`
	}
	events, err := listDocs[chime.BotEvent](t, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	var skipped []string
	for _, ev := range events {
		var payload map[string]any
		if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil {
			return nil, err
		}
		delete(payload, "Message")
		ev.Payload, ev.MessageID = encode(payload), ""
		ev.EraseAnswers()
		if ev.Status == chime.BotEventPending {
			ev.Status, ev.FinishedAt = chime.BotEventSkipped, &now
			ev.Attempts = append(ev.Attempts, chime.DeliveryAttempt{At: now, Outcome: chime.AttemptSkipped, Error: f.SkipReason()})
			if ev.ReplyEndpointID != "" {
				skipped = append(skipped, ev.ReplyEndpointID)
			}
		}
		// A lease in progress loses the event: the attempt it makes is
		// not recorded.
		if _, err := t.exec(`UPDATE bot_events SET status = $1, finished_at = $2, lease_id = NULL, lease_until = NULL, message_id = NULL, doc = $3 WHERE event_id = $4`,
			ev.Status, millisOrNull(ev.FinishedAt), encode(ev), ev.EventID); err != nil {
			return nil, err
		}
	}
	return skipped, nil
}

func (t *tx) DeleteFinishedBotEvents(before time.Time) (int, error) {
	return affected(t.exec(`DELETE FROM bot_events WHERE finished_at < $1`, before.UnixMilli()))
}

func (t *tx) InsertBotReplyEndpoint(e *chime.BotReplyEndpoint) error {
	_, err := t.exec(`INSERT INTO bot_reply_endpoints (endpoint_id, aws_account_id, account_id, room_id, bot_id, expires_at, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.EndpointID, e.AwsAccountID, e.AccountID, e.RoomID, e.BotID, millisOrNull(e.ExpiresAt), encode(e))
	return err
}

func (t *tx) SaveBotReplyEndpoint(e *chime.BotReplyEndpoint) error {
	return mustAffect(t.exec(`UPDATE bot_reply_endpoints SET expires_at = $1, doc = $2 WHERE endpoint_id = $3`,
		millisOrNull(e.ExpiresAt), encode(e), e.EndpointID))
}

func (t *tx) GetBotReplyEndpoint(endpointID string) (*chime.BotReplyEndpoint, error) {
	e := new(chime.BotReplyEndpoint)
	err := t.getDoc(e, `SELECT doc FROM bot_reply_endpoints WHERE endpoint_id = $1`, endpointID)
	return e, err
}

func (t *tx) DeleteBotReplyEndpoints(roomID, botID string) error {
	q := query{sql: `DELETE FROM bot_reply_endpoints WHERE room_id = $1`, args: []any{roomID}}
	if botID != "" {
		q.add(` AND bot_id = `+q.next(), botID)
	}
	_, err := t.exec(q.sql, q.args...)
	return err
}

func (t *tx) DeleteExpiredBotReplyEndpoints(now time.Time) (int, error) {
	return affected(t.exec(`DELETE FROM bot_reply_endpoints WHERE expires_at <= $1`, now.UnixMilli()))
}

func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
