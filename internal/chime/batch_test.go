package chime

import (
	"errors"
	"slices"
	"testing"
)

// A batch touches its items in key order, whatever order they are listed
// in, and reports their refusals in the listed order.
func TestEachInLockOrder(t *testing.T) {
	listed := []string{"u3", "u1", "u2", "u1"}
	var touched []string
	refusals, err := eachInLockOrder(len(listed), func(i int) string { return listed[i] },
		func(i int) error {
			touched = append(touched, listed[i])
			if listed[i] != "u2" {
				return NotFound("User %s not found", listed[i])
			}
			return nil
		},
		func(i int, err error) (string, bool) {
			var e *Error
			if !errors.As(err, &e) {
				return "", false
			}
			return listed[i], true
		})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"u1", "u1", "u2", "u3"}; !slices.Equal(touched, want) {
		t.Errorf("touched %v, want %v", touched, want)
	}
	if want := []string{"u3", "u1", "u1"}; !slices.Equal(refusals, want) {
		t.Errorf("refusals %v, want %v (the listed order)", refusals, want)
	}

	none, err := eachInLockOrder(2, func(int) string { return "" }, func(int) error { return nil },
		func(int, error) (string, bool) { return "", false })
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("no refusals: %#v, %v; want an empty list", none, err)
	}

	broken := errors.New("disk on fire")
	if _, err := eachInLockOrder(2, func(int) string { return "" }, func(int) error { return broken },
		func(int, error) (string, bool) { return "", false }); !errors.Is(err, broken) {
		t.Errorf("an internal failure gave %v, want it to end the batch", err)
	}
}
