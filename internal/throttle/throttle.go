// Package throttle limits the request rate of each access key with a token
// bucket, as AWS throttles each caller.
package throttle

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a sustained rate with a burst.
type Limit struct {
	PerSecond float64
	Burst     int
}

const maxPerSecond = 1e9

// ParseLimit reads "5/s", "300/m" or "10000/h" (the burst defaults to one
// second's worth, at least 1).
func ParseLimit(s string) (Limit, error) {
	n, unit, ok := strings.Cut(s, "/")
	count, err := strconv.ParseFloat(n, 64)
	// NaN and Inf parse as floats; either would turn throttling off.
	if !ok || err != nil || !(count > 0) || math.IsInf(count, 1) {
		return Limit{}, fmt.Errorf("rate limit %q: want N/s, N/m or N/h with a finite N > 0", s)
	}
	per := map[string]float64{"s": 1, "m": 60, "h": 3600}[unit]
	if per == 0 {
		return Limit{}, fmt.Errorf("rate limit %q: unit must be s, m or h", s)
	}
	l := Limit{PerSecond: count / per}
	if l.PerSecond > maxPerSecond {
		// Its burst, a second's worth, must be an int.
		return Limit{}, fmt.Errorf("rate limit %q: at most %g/s", s, float64(maxPerSecond))
	}
	l.Burst = max(1, int(math.Ceil(l.PerSecond)))
	return l, nil
}

// Limiter keeps one token bucket per key.
type Limiter struct {
	limit   Limit
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func New(limit Limit) *Limiter {
	return &Limiter{limit: limit, buckets: map[string]*rate.Limiter{}}
}

// Allow takes a token from key's bucket. When none is left it returns false
// and how long until one is.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
