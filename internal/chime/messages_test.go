package chime

import (
	"testing"
	"time"
)

// KeysAt bounds exactly the keys of one millisecond's messages, tie
// numbers and all, and orders below and above the others.
func TestKeysAtBoundsAMillisecond(t *testing.T) {
	at := time.UnixMilli(1_795_000_000_123)
	from, to := KeysAt(at)
	tests := []struct {
		m    Message
		want bool
	}{
		{Message{CreatedAt: at, MessageID: "0000"}, true},
		{Message{CreatedAt: at, MessageID: "ffff"}, true},
		{Message{CreatedAt: at, MessageID: "ffff", Tie: 999_999_999_999}, true},
		{Message{CreatedAt: at.Add(-time.Millisecond), MessageID: "ffff", Tie: 7}, false},
		{Message{CreatedAt: at.Add(time.Millisecond), MessageID: "0000"}, false},
	}
	for _, tt := range tests {
		key := tt.m.Key()
		if got := from <= key && key < to; got != tt.want {
			t.Errorf("key %q in [%q, %q): %v, want %v", key, from, to, got, tt.want)
		}
	}
}
