// Package model holds the shapes of the Amazon Chime API as Go types, generated
// from api/chime-2018-05-01.model.json, with the model's constraint checks.
//
// Scalar members are pointers: on the wire a member is either absent or has a
// value, and "absent" must survive decoding (partial updates depend on it) and
// encoding (absent members are omitted, never null).
package model

import (
	"fmt"
	"strconv"
	"time"
)

// String returns a pointer to v, for filling optional members.
func String(v string) *string { return &v }

// Bool returns a pointer to v.
func Bool(v bool) *bool { return &v }

// Int32 returns a pointer to v.
func Int32(v int32) *int32 { return &v }

// Value returns what p points at, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Time is an ISO 8601 timestamp as the Chime API writes it: UTC with
// milliseconds, e.g. "2019-09-18T17:24:39.534Z".
type Time struct{ time.Time }

const timeLayout = "2006-01-02T15:04:05.000Z"

// TimeOf returns t truncated to the millisecond precision of the wire format.
func TimeOf(t time.Time) *Time {
	return &Time{t.UTC().Truncate(time.Millisecond)}
}

func (t Time) MarshalJSON() ([]byte, error) {
	return t.appendJSON(make([]byte, 0, len(timeLayout)+2)), nil
}

// UnmarshalJSON accepts what clients send for timestamps: ISO 8601 strings
// or epoch seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is not ISO 8601", s)
		}
		t.Time = v
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp must be an ISO 8601 string or epoch seconds")
	}
	t.Time = time.UnixMilli(int64(f * 1000)).UTC()
	return nil
}
