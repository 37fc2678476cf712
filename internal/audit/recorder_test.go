package audit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// memoryStore keeps the events written to it; it refuses the first
// failures writes, as a database that is down does.
type memoryStore struct {
	mu       sync.Mutex
	events   []string
	failures int
}

func (m *memoryStore) InsertAuditEvents(_ context.Context, events []chime.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failures > 0 {
		m.failures--
		return errors.New("database unavailable")
	}
	for _, ev := range events {
		m.events = append(m.events, ev.EventId)
	}
	return nil
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

// A batch the store refuses is written again later, in order, once: a
// database that is down for a while loses no event of the trail.
func TestRefusedBatchIsWrittenLater(t *testing.T) {
	store := &memoryStore{failures: 3}
	r := NewRecorder(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var want []string
	for i := range 5 {
		id := strconv.Itoa(i)
		r.Record(chime.AuditEvent{EventId: id})
		want = append(want, id)
		time.Sleep(FlushInterval)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		store.mu.Lock()
		got := slices.Clone(store.events)
		store.mu.Unlock()
		if slices.Equal(got, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("written %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.Close()
}

// While the store refuses the trail, what waits is bounded by its size:
// the oldest events go first.
func TestBacklogIsBounded(t *testing.T) {
	r := &Recorder{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var b backlog
	input := json.RawMessage(`"` + strings.Repeat("x", 1<<20) + `"`) // a 1 MiB input
	for i := range 40 {
		r.keep(&b, chime.AuditEvent{EventId: strconv.Itoa(i), Request: input})
	}
	if b.bytes > maxUnwrittenBytes || len(b.events) == 0 || b.events[len(b.events)-1].EventId != "39" {
		t.Fatalf("backlog of %d bytes, %d events ending with %q: want at most %d bytes, ending with the newest",
			b.bytes, len(b.events), b.events[len(b.events)-1].EventId, maxUnwrittenBytes)
	}
	if len(b.events) == 40 {
		t.Fatal("no event was dropped")
	}
}
