// Package bench measures chimed under SigV4-signed load: it seeds a database
// at a given scale, starts chimed as a process of its own, drives it and a
// bare net/http baseline with the same client loop, and reports throughput,
// latency, CPU and memory. cmd/chimebench is its command line.
package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Fixture is the data a benchmark runs against: one AWS account holding one
// Chime account with Scale users. Every identifier is derived from the scale
// and the user's index, so a cached database can be reused without reading
// its identifiers back.
type Fixture struct {
	Scale        int
	AwsAccountID string
	AccessKeyID  string
	SecretKey    string
	AccountID    string
	// SeededAt is the creation time written into every seeded record.
	SeededAt time.Time
	// ListStarts are where each ListUsers worker starts in the listing:
	// NextTokens spread over it ("" is the first page). Run sets them.
	ListStarts []string
}

// NewFixture returns the fixture of a scale.
func NewFixture(scale int) Fixture {
	return Fixture{
		Scale:        scale,
		AwsAccountID: "111122223333",
		AccessKeyID:  "AKIACHIMEBENCH",
		SecretKey:    "chimebench-secret-access-key",
		AccountID:    uuidOf("account", 0),
		SeededAt:     time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// UserID is the ID of seeded user i (0 ≤ i < Scale). The first four bytes are
// i itself, so the seeder appends to the primary-key index instead of
// scattering writes over it; the rest is a hash, as random as a real UUID.
func (f Fixture) UserID(i int) string { return uuidOf("user", i) }

// Email is the address of seeded user i, also in index order.
func (f Fixture) Email(i int) string { return fmt.Sprintf("user%08d@bench.example.com", i) }

// uuidOf formats a version 4 UUID for the i-th record of a kind.
func uuidOf(kind string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "chimebench/%s/%d", kind, i))
	b := sum[:16]
	binary.BigEndian.PutUint32(b[:4], uint32(i))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
