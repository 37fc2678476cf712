package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

var _ chime.AuditStore = (*DB)(nil)

// InsertAuditEvents writes a batch of events in one transaction. An event
// already stored is skipped: the recorder writes a batch again when the
// answer to its commit was lost.
func (db *DB) InsertAuditEvents(ctx context.Context, events []chime.AuditEvent) error {
	return db.rawUpdate(ctx, func(tx *sql.Tx) error {
		for _, ev := range events {
			doc, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (event_id, aws_account_id, event_time, operation, doc) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (event_id) DO NOTHING`,
				ev.EventId, ev.AwsAccountId, ev.EventTime.UnixMilli(), ev.Operation, string(doc))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListAuditEvents pages by (event_time, seq); f.After is the key of the
// last event of the previous page, as AuditKey makes it.
func (db *DB) ListAuditEvents(ctx context.Context, awsAccountID string, f chime.AuditFilter) ([]chime.AuditEvent, error) {
	q := query{sql: `SELECT seq, doc FROM audit_events WHERE aws_account_id = $1`, args: []any{awsAccountID}}
	if !f.Start.IsZero() {
		q.add(` AND event_time >= `+q.next(), f.Start.UnixMilli())
	}
	if !f.End.IsZero() {
		q.add(` AND event_time < `+q.next(), f.End.UnixMilli())
	}
	if f.Operation != "" {
		q.add(` AND operation = `+q.next(), f.Operation)
	}
	if f.After != "" {
		ms, seq, err := parseAuditKey(f.After)
		if err != nil {
			return nil, err
		}
		q.add(` AND (event_time > `+q.next(), ms)
		q.add(` OR (event_time = `+q.next(), ms)
		q.add(` AND seq > `+q.next()+`))`, seq)
	}
	q.sql += ` ORDER BY event_time, seq LIMIT ` + strconv.Itoa(f.Limit)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chime.AuditEvent
	for rows.Next() {
		var seq int64
		var doc string
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, err
		}
		var ev chime.AuditEvent
		if err := json.Unmarshal([]byte(doc), &ev); err != nil {
			return nil, err
		}
		ev.Seq = seq
		out = append(out, ev)
	}
	return out, rows.Err()
}

// AuditKey is an event's position in the trail, for paging.
func AuditKey(ev chime.AuditEvent) string {
	return strconv.FormatInt(ev.EventTime.UnixMilli(), 10) + "/" + strconv.FormatInt(ev.Seq, 10)
}

// parseAuditKey reads an AuditKey. Keys reach the store from tokens the
// service signed (Service.PageAfter), so the listing's callers have already
// refused a foreign one, including a key from before migration 0011.
func parseAuditKey(key string) (ms, seq int64, err error) {
	msText, seqText, ok := strings.Cut(key, "/")
	ms, msErr := strconv.ParseInt(msText, 10, 64)
	seq, seqErr := strconv.ParseInt(seqText, 10, 64)
	if !ok || msErr != nil || seqErr != nil {
		return 0, 0, chime.BadRequest("NextToken: not a token issued by this server")
	}
	return ms, seq, nil
}

// PruneAuditEvents deletes a batch of the events from before the given
// time, oldest first; the job calls it again until none is left, so no
// transaction holds the writer for long. The batch is found through the
// event_time index and deleted by event_id, unique on both engines (on
// PostgreSQL seq has no index of its own: deleting by it read the whole
// table, 326 ms a batch of 5,000 at 1M events, against 31 ms this way).
func (db *DB) PruneAuditEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.rawUpdate(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_events WHERE event_id IN
			(SELECT event_id FROM audit_events WHERE event_time < $1 ORDER BY event_time LIMIT `+strconv.Itoa(limit)+`)`, before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
