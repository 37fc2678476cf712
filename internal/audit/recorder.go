// Package audit records mutating API calls in the audit trail: in the store,
// and optionally as JSON lines to a stream.
package audit

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// FlushInterval bounds how long an event waits before it is written. The
// trail is written in batches off the request path, so auditing does not
// double the cost of a write; a crash can lose at most the events of the
// last interval, never API state.
const FlushInterval = 50 * time.Millisecond

const maxBatch = 512

// Recorder writes events in batches.
type Recorder struct {
	store  chime.AuditStore
	stream io.Writer
	log    *slog.Logger
	queue  chan chime.AuditEvent
	done   chan struct{}
	// mu guards closed: a request cut off by a shutdown past its deadline
	// may still record after Close, and a send on the closed queue would
	// panic.
	mu     sync.RWMutex
	closed bool
}

// NewRecorder starts a recorder writing to store and, when stream is not
// nil, one JSON line per event to stream.
func NewRecorder(store chime.AuditStore, stream io.Writer, log *slog.Logger) *Recorder {
	r := &Recorder{store: store, stream: stream, log: log, queue: make(chan chime.AuditEvent, 4*maxBatch), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record queues an event. It blocks only when the writer is far behind.
// After Close the event is logged as lost.
func (r *Recorder) Record(ev chime.AuditEvent) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.log.Error("audit event after shutdown not written", "event_id", ev.EventId, "operation", ev.Operation)
		return
	}
	r.queue <- ev
}

// Close writes what is queued and stops.
func (r *Recorder) Close() {
	r.mu.Lock()
	r.closed = true
	close(r.queue)
	r.mu.Unlock()
	<-r.done
}

func (r *Recorder) loop() {
	defer close(r.done)
	ticker := time.NewTicker(FlushInterval)
	defer ticker.Stop()
	var batch []chime.AuditEvent
	for {
		select {
		case ev, ok := <-r.queue:
			if !ok {
				r.flush(batch)
				return
			}
			batch = append(batch, ev)
			if len(batch) < maxBatch {
				continue
			}
		case <-ticker.C:
		}
		r.flush(batch)
		batch = batch[:0]
	}
}

func (r *Recorder) flush(batch []chime.AuditEvent) {
	if len(batch) == 0 {
		return
	}
	if err := r.store.InsertAuditEvents(context.Background(), batch); err != nil {
		r.log.Error("audit trail write failed", "events", len(batch), "err", err)
	}
	if r.stream == nil {
		return
	}
	enc := json.NewEncoder(r.stream)
	for _, ev := range batch {
		if err := enc.Encode(ev); err != nil {
			r.log.Error("audit stream write failed", "err", err)
			return
		}
	}
}
