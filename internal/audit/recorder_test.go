package audit

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/chimed/chimed/internal/chime"
)

// memoryStore keeps the events written to it.
type memoryStore struct {
	mu     sync.Mutex
	events []string
}

func (m *memoryStore) InsertAuditEvents(_ context.Context, events []chime.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ev := range events {
		m.events = append(m.events, ev.EventId)
	}
	return nil
}

func (m *memoryStore) ListAuditEvents(context.Context, string, chime.AuditFilter) ([]chime.AuditEvent, error) {
	return nil, nil
}

// Close writes what was queued; a request that records after it (one a
// shutdown cut off past its deadline) loses its event instead of crashing
// the process.
func TestRecordAfterCloseIsDroppedNotAPanic(t *testing.T) {
	store := &memoryStore{}
	r := NewRecorder(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.Record(chime.AuditEvent{EventId: "1"})
	r.Record(chime.AuditEvent{EventId: "2"})
	r.Close()
	r.Record(chime.AuditEvent{EventId: "3"})
	if !slices.Equal(store.events, []string{"1", "2"}) {
		t.Fatalf("written %v, want the two recorded before Close", store.events)
	}
}
