package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

var _ chime.AuditStore = (*DB)(nil)

// InsertAuditEvents writes a batch of events in one transaction.
func (db *DB) InsertAuditEvents(ctx context.Context, events []chime.AuditEvent) error {
	return db.rawUpdate(ctx, func(tx *sql.Tx) error {
		for _, ev := range events {
			doc, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (event_id, aws_account_id, event_time, operation, doc) VALUES ($1, $2, $3, $4, $5)`,
				ev.EventId, ev.AwsAccountId, ev.EventTime.UnixMilli(), ev.Operation, string(doc))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListAuditEvents pages by (event_time, event_id); f.After is the key of the
// last event of the previous page, as AuditKey makes it.
func (db *DB) ListAuditEvents(ctx context.Context, awsAccountID string, f chime.AuditFilter) ([]chime.AuditEvent, error) {
	q := query{sql: `SELECT doc FROM audit_events WHERE aws_account_id = $1`, args: []any{awsAccountID}}
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
		ms, id, err := parseAuditKey(f.After)
		if err != nil {
			return nil, err
		}
		q.add(` AND (event_time > `+q.next(), ms)
		q.add(` OR (event_time = `+q.next(), ms)
		q.add(` AND event_id > `+q.next()+`))`, id)
	}
	q.sql += ` ORDER BY event_time, event_id LIMIT ` + strconv.Itoa(f.Limit)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chime.AuditEvent
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var ev chime.AuditEvent
		if err := json.Unmarshal([]byte(doc), &ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// AuditKey is an event's position in the trail, for paging.
func AuditKey(ev chime.AuditEvent) string {
	return strconv.FormatInt(ev.EventTime.UnixMilli(), 10) + "/" + ev.EventId
}

func parseAuditKey(key string) (int64, string, error) {
	msText, id, ok := strings.Cut(key, "/")
	ms, err := strconv.ParseInt(msText, 10, 64)
	if !ok || err != nil {
		return 0, "", chime.BadRequest("NextToken: not a token issued by this server")
	}
	return ms, id, nil
}
