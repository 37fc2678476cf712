package sqlite

import (
	"crypto/md5"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"modernc.org/sqlite"
)

// The users table's rowid is chimed_user_key(user_id) (migration 0010), so
// that a lookup by ID searches one B-tree. PostgreSQL has the same rule as
// a SQL function of the same name.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("chimed_user_key", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch id := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return userKey(id), nil
			default:
				return nil, fmt.Errorf("chimed_user_key: a user ID is text, not %T", id)
			}
		})
}

// userKey is the first 8 bytes of a UUID in lower-case hex, as chimed makes
// them: random, so keys spread as evenly as a hash's (and the benchmark's
// seed, numbered in its first bytes, appends). Any other ID takes the
// first 8 bytes of its MD5, which PostgreSQL has built in; nothing here
// needs it to be a secure hash.
func userKey(id string) int64 {
	if len(id) >= 18 && id[8] == '-' && id[13] == '-' {
		var b [8]byte
		if lowerHex(id[0:8]+id[9:13]+id[14:18], b[:]) {
			return int64(binary.BigEndian.Uint64(b[:]))
		}
	}
	sum := md5.Sum([]byte(id))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// lowerHex decodes s into dst when s is lower-case hex digits only.
func lowerHex(s string, dst []byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}
