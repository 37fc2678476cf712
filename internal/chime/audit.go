package chime

import (
	"context"
	"encoding/json"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// AuditEvent is one mutating call in the audit trail, CloudTrail-style.
type AuditEvent struct {
	EventId string
	// EventTime is the real time of the call (not the test API's clock).
	EventTime    model.Time
	RequestId    string
	AwsAccountId string
	PrincipalArn string
	AccessKeyId  string
	SourceIp     string
	Operation    string
	// Resources are the IDs the call named in its path (accountId, userId, ...).
	Resources  map[string]string `json:",omitempty"`
	HttpStatus int
	ErrorCode  string `json:",omitempty"`
	// Request is the call's input with sensitive members redacted.
	Request json.RawMessage `json:",omitempty"`
	// Seq is the event's place in the trail, in the order the store wrote
	// it; it orders events of the same millisecond and is not part of the
	// record.
	Seq int64 `json:"-"`
}

// AuditFilter selects audit events of one AWS account: those at or after
// Start and before End (zero = unbounded), of Operation (empty = all), after
// the event key After, at most Limit.
type AuditFilter struct {
	Start, End time.Time
	Operation  string
	After      string
	Limit      int
}

// AuditStore keeps the audit trail.
type AuditStore interface {
	InsertAuditEvents(ctx context.Context, events []AuditEvent) error
	// ListAuditEvents returns events in time order; the key of an event for
	// paging is AuditKey(event).
	ListAuditEvents(ctx context.Context, awsAccountID string, f AuditFilter) ([]AuditEvent, error)
	// PruneAuditEvents deletes up to limit events, of every AWS account,
	// from before the time given, and says how many it deleted.
	PruneAuditEvents(ctx context.Context, before time.Time, limit int) (int, error)
}
