package chime

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestIDFormats(t *testing.T) {
	tests := []struct {
		name string
		new  func() string
		want *regexp.Regexp
	}{
		{"NewID", NewID, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
		{"NewUserID", NewUserID, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
	}
	for _, tc := range tests {
		seen := map[string]bool{}
		for range 1000 {
			id := tc.new()
			if !tc.want.MatchString(id) || seen[id] {
				t.Fatalf("%s() = %q: malformed or repeated", tc.name, id)
			}
			seen[id] = true
		}
	}
}

// A user ID starts with the time in milliseconds, so IDs made one after
// another sort in that order.
func TestNewUserIDStartsWithTheTime(t *testing.T) {
	before := time.Now().UnixMilli()
	first := NewUserID()
	time.Sleep(2 * time.Millisecond)
	second := NewUserID()
	after := time.Now().UnixMilli()
	ms, err := strconv.ParseInt(first[0:8]+first[9:13], 16, 64)
	if err != nil || ms < before || ms > after {
		t.Errorf("NewUserID() = %s: time %d, want between %d and %d", first, ms, before, after)
	}
	if second <= first {
		t.Errorf("NewUserID() made %s, then %s: not in order", first, second)
	}
}
