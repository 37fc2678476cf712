package server

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// newLogger builds the server's structured logger from the configuration.
func newLogger(cfg Config, stdout io.Writer) (*slog.Logger, error) {
	out := cfg.LogOutput
	if out == nil {
		out = stdout
	}
	level, err := parseLogLevel(defaultString(cfg.LogLevel, "info"))
	if err != nil {
		return nil, fmt.Errorf("log-level: %w", err)
	}
	format := defaultString(cfg.LogFormat, "json")
	if err := checkLogFormat(format); err != nil {
		return nil, fmt.Errorf("log-format: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(out, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(out, opts)), nil
}

func parseLogLevel(v string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(v)); err != nil {
		return level, fmt.Errorf("%q is not one of debug, info, warn, error", v)
	}
	return level, nil
}

func checkLogFormat(v string) error {
	if v != "json" && v != "text" {
		return fmt.Errorf("%q is not json or text", v)
	}
	return nil
}

func defaultString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// logBatchDelay is how long a log line may wait to go out with others.
const logBatchDelay = time.Millisecond

// maxLogBatch is how many bytes of lines go out at once at most.
const maxLogBatch = 64 << 10

// batchedWriter coalesces log lines. A Write only copies its line; the lines
// go out together in one write logBatchDelay after the first of them, or at
// once when maxLogBatch bytes wait. Under load one system call then carries
// many request lines instead of one each (writing each line was 4% of
// chimed's CPU on GetAccount); a crash loses at most the last
// millisecond's lines, never an acknowledged write, which is in the store.
type batchedWriter struct {
	out   io.Writer
	delay time.Duration
	// write orders the writes to out.
	write sync.Mutex
	mu    sync.Mutex
	buf   []byte
	// spare is the last batch's buffer, kept for the next batch: growing a
	// new one for every batch was a sixth of the bytes chimed allocated
	// per GetUser.
	spare []byte
}

func newBatchedWriter(out io.Writer, delay time.Duration) *batchedWriter {
	return &batchedWriter{out: out, delay: delay}
}

func (w *batchedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if len(w.buf) == 0 {
		// A failed write has no one to tell but the log itself.
		time.AfterFunc(w.delay, func() { w.Flush() })
		w.buf, w.spare = w.spare, nil
	}
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= maxLogBatch
	w.mu.Unlock()
	if full {
		return len(p), w.Flush()
	}
	return len(p), nil
}

// Flush writes the waiting lines.
func (w *batchedWriter) Flush() error {
	w.write.Lock()
	defer w.write.Unlock()
	w.mu.Lock()
	batch := w.buf
	w.buf = nil
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	_, err := w.out.Write(batch)
	w.mu.Lock()
	w.spare = batch[:0]
	w.mu.Unlock()
	return err
}
