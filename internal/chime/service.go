package chime

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Service implements every operation of the API on top of a Store. It owns the
// rules (tenancy, account types, lifecycles); the store only persists.
type Service struct {
	store Store
	now   Clock
	// tokenKey signs NextTokens; see ConfigureTokens.
	tokenKey []byte
	// telephony is set by ConfigureTelephony (dialout.go).
	telephony TelephonyConfig
	// integrations is set by ConfigureIntegrations (bottargets.go).
	integrations Integrations
	// quotas limit chat rooms (quotas.go).
	quotas Quotas
}

var _ API = (*Service)(nil)

// NewService returns a Service that keeps its state in store and reads the
// time from now.
func NewService(store Store, now Clock) *Service {
	return &Service{store: store, now: now, quotas: DefaultQuotas}
}

// ConfigureTokens sets the key that signs pagination tokens. Every instance
// on one database must use the same key, so that any of them can continue a
// listing another started.
func (s *Service) ConfigureTokens(key []byte) { s.tokenKey = key }

// update and view run fn in a transaction with the time of the call fixed, so
// every timestamp written by one operation is the same instant.
func (s *Service) update(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.store.Update(ctx, func(tx Tx) error { return fn(tx, now) })
}

type dueByKey struct{}

// WithDueBy marks ctx for a run of the background jobs that takes the work
// due by t and none that falls due later. A run until nothing is due (the
// test API moving the clock) then ends however steadily new work arrives:
// each Mention posted meanwhile is an event due at once.
func WithDueBy(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, dueByKey{}, t)
}

// dueBy is the time up to which a background job takes work: now, or the
// earlier time ctx was marked with.
func dueBy(ctx context.Context, now time.Time) time.Time {
	if t, ok := ctx.Value(dueByKey{}).(time.Time); ok && t.Before(now) {
		return t
	}
	return now
}

func (s *Service) view(ctx context.Context, fn func(tx Tx) error) error {
	return s.store.View(ctx, fn)
}

// NewID returns a random (version 4) UUID.
func NewID() string {
	b := randomBytes()
	b[6] = b[6]&0x0f | 0x40
	return formatUUID(b)
}

// NewUserID returns a version 7 UUID: its first 48 bits are the time in
// milliseconds, the rest random. The users table's key is an ID's first 8
// bytes, so each new user goes at the table's end. Random IDs scattered
// inserts over the table, and CreateUser took a quarter longer.
func NewUserID() string {
	b := randomBytes()
	binary.BigEndian.PutUint64(b[0:8], uint64(time.Now().UnixMilli())<<16|binary.BigEndian.Uint64(b[0:8])&0xffff)
	b[6] = b[6]&0x0f | 0x70
	return formatUUID(b)
}

func randomBytes() [16]byte {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[8] = b[8]&0x3f | 0x80 // the RFC 9562 variant
	return b
}

func formatUUID(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// randomDigits returns n random decimal digits, e.g. for a personal meeting PIN.
func randomDigits(n int) string {
	b := make([]byte, n)
	ten := big.NewInt(10)
	for i := range b {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

// notFoundIfMissing turns a store's ErrNoRows into the API's NotFound refusal.
func notFoundIfMissing(err error, what, id string) error {
	if errors.Is(err, ErrNoRows) {
		return NotFound("%s %s not found", what, id)
	}
	if err != nil {
		return fmt.Errorf("load %s %s: %w", what, id, err)
	}
	return nil
}
