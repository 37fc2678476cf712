package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the writer's timer goroutine.
type lockedBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func (b *lockedBuffer) read() (string, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.writes
}

func TestBatchedWriterKeepsEveryLineWholeAndInOrder(t *testing.T) {
	out := &lockedBuffer{}
	w := newBatchedWriter(out, time.Millisecond)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "writer %d line %d %s\n", g, i, strings.Repeat("x", i%100))
			}
		})
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, writes := out.read()
	next := make([]int, writers)
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		var g, i int
		if _, err := fmt.Sscanf(l, "writer %d line %d ", &g, &i); err != nil || l != fmt.Sprintf("writer %d line %d %s", g, i, strings.Repeat("x", i%100)) {
			t.Fatalf("line %q is not whole (%v)", l, err)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d came after line %d", g, i, next[g]-1)
		}
		next[g]++
	}
	for g, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d lines arrived, want %d", g, n, lines)
		}
	}
	if writes >= writers*lines/2 {
		t.Errorf("%d writes for %d lines: lines were not batched", writes, writers*lines)
	}
}

func TestBatchedWriterWritesALineSoonWithoutFlush(t *testing.T) {
	out := &lockedBuffer{}
	w := newBatchedWriter(out, time.Millisecond)
	fmt.Fprintln(w, "alone")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if got, _ := out.read(); got == "alone\n" {
			return
		}
	}
	got, _ := out.read()
	t.Fatalf("after 5 s the output is %q, want the line", got)
}

func TestBatchedWriterWritesAFullBatchAtOnce(t *testing.T) {
	out := &lockedBuffer{}
	w := newBatchedWriter(out, time.Hour)
	line := strings.Repeat("x", 1023) + "\n"
	for range maxLogBatch / len(line) {
		w.Write([]byte(line))
	}
	if got, writes := out.read(); writes != 1 || len(got) != maxLogBatch {
		t.Fatalf("%d writes of %d bytes in all, want one of %d", writes, len(got), maxLogBatch)
	}
}

// A Config built in code, with no level or format, logs as the flags'
// defaults do: JSON lines from info up.
func TestLoggerDefaults(t *testing.T) {
	var out bytes.Buffer
	log, err := newLogger(Config{}, &out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if log.Enabled(ctx, slog.LevelDebug) || !log.Enabled(ctx, slog.LevelInfo) {
		t.Errorf("debug enabled %v, info enabled %v; want info and up only", log.Enabled(ctx, slog.LevelDebug), log.Enabled(ctx, slog.LevelInfo))
	}
	log.Info("hello")
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil || line["msg"] != "hello" {
		t.Errorf("logged %q, want a JSON line (%v)", out.String(), err)
	}
}
