package chime

import (
	"testing"
	"time"
)

// The wait before a retry doubles with each failed attempt, from 2 s to at
// most 5 minutes, and takes off a random half; a Retry-After the target
// asked for is kept, up to the same 5 minutes.
func TestRetryDelay(t *testing.T) {
	retries := func(n int, retryAfter int64) []DeliveryAttempt {
		a := make([]DeliveryAttempt, n)
		for i := range a {
			a[i].Outcome = AttemptRetry
		}
		a[n-1].RetryAfterSeconds = retryAfter
		return a
	}
	for _, tc := range []struct {
		name     string
		attempts []DeliveryAttempt
		min, max time.Duration
	}{
		{"first failure", retries(1, 0), time.Second, 2 * time.Second},
		{"third failure", retries(3, 0), 4 * time.Second, 8 * time.Second},
		{"twentieth failure", retries(20, 0), 150 * time.Second, 5 * time.Minute},
		{"Retry-After 240", retries(1, 240), 240 * time.Second, 240 * time.Second},
		{"Retry-After of an hour", retries(1, 3600), 5 * time.Minute, 5 * time.Minute},
	} {
		for range 20 { // the random half
			if d := retryDelay(tc.attempts); d < tc.min || d > tc.max {
				t.Fatalf("%s: waits %v, want %v to %v", tc.name, d, tc.min, tc.max)
			}
		}
	}
}
