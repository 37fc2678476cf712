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

// A batch the store refuses (the database is down, or restarting) is kept
// and written again, FlushInterval later and then less and less often, up
// to maxRetryInterval; beyond maxUnwrittenBytes of events (each carries its
// call's input) the oldest are dropped, so that an outage cannot take the
// server's memory.
const (
	maxRetryInterval  = 5 * time.Second
	maxUnwrittenBytes = 16 << 20
)

// Store is what a Recorder writes the trail to: the writing part of
// chime.AuditStore.
type Store interface {
	InsertAuditEvents(ctx context.Context, events []chime.AuditEvent) error
}

// Recorder writes events in batches.
type Recorder struct {
	store  Store
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
func NewRecorder(store Store, stream io.Writer, log *slog.Logger) *Recorder {
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
	var unwritten backlog
	var retryAt time.Time
	retry := FlushInterval
	for {
		select {
		case ev, ok := <-r.queue:
			if !ok {
				if err := r.write(&unwritten); err != nil {
					r.log.Error("audit events lost at shutdown: the store refused them", "events", len(unwritten.events), "err", err)
				}
				return
			}
			r.streamEvent(ev)
			r.keep(&unwritten, ev)
			if len(unwritten.events) < maxBatch {
				continue
			}
		case <-ticker.C:
		}
		if len(unwritten.events) == 0 || time.Now().Before(retryAt) {
			continue
		}
		if err := r.write(&unwritten); err != nil {
			r.log.Error("audit trail write failed; trying again", "events", len(unwritten.events), "in", retry.String(), "err", err)
			retryAt = time.Now().Add(retry)
			retry = min(2*retry, maxRetryInterval)
			continue
		}
		retryAt, retry = time.Time{}, FlushInterval
	}
}

// backlog is the events not yet in the store, oldest first, and about how
// much memory they hold.
type backlog struct {
	events []chime.AuditEvent
	bytes  int
}

// size is about what ev holds in memory: its input, and the rest.
func size(ev chime.AuditEvent) int { return len(ev.Request) + 512 }

// keep adds ev to the backlog, dropping the oldest events past
// maxUnwrittenBytes.
func (r *Recorder) keep(b *backlog, ev chime.AuditEvent) {
	for len(b.events) > 0 && b.bytes+size(ev) > maxUnwrittenBytes {
		lost := b.events[0]
		r.log.Error("audit event lost: the store has refused the trail for too long", "event_id", lost.EventId, "operation", lost.Operation)
		b.events, b.bytes = b.events[1:], b.bytes-size(lost)
	}
	b.events, b.bytes = append(b.events, ev), b.bytes+size(ev)
}

// write stores the backlog, a batch at a time, and removes what it wrote. A
// batch written before but not acknowledged (the connection broke at its
// commit) is not written twice: the store skips event IDs it has.
func (r *Recorder) write(b *backlog) error {
	for len(b.events) > 0 {
		n := min(len(b.events), maxBatch)
		if err := r.store.InsertAuditEvents(context.Background(), b.events[:n]); err != nil {
			return err
		}
		for _, ev := range b.events[:n] {
			b.bytes -= size(ev)
		}
		b.events = b.events[n:]
	}
	b.events = nil
	return nil
}

// streamEvent writes ev to the stream, when there is one.
func (r *Recorder) streamEvent(ev chime.AuditEvent) {
	if r.stream == nil {
		return
	}
	if err := json.NewEncoder(r.stream).Encode(ev); err != nil {
		r.log.Error("audit stream write failed", "err", err)
	}
}
