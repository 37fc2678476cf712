package sqlstore

import (
	"crypto/md5"
	"encoding/binary"
)

// UserKey is the users table's key of a user ID (migration 0010): the first
// 8 bytes of a UUID in lower-case hex, as chimed makes them (time-ordered,
// so new users go at the table's end; the benchmark's seed is numbered in
// its first bytes). Any other ID takes the first 8 bytes of its MD5, which
// PostgreSQL has built in; nothing here needs it to be a secure hash.
//
// The store's statements take the key as a parameter computed here. The
// SQL function chimed_user_key is the same rule, for what SQL computes
// itself: migration 0010, restored snapshots taken before it, and
// PostgreSQL's trigger for instances not yet upgraded.
func UserKey(id string) int64 {
	if key, ok := uuidPrefix(id); ok {
		return key
	}
	sum := md5.Sum([]byte(id))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// uuidPrefix reads the first 8 bytes of id when it starts as a lower-case
// UUID does: 8, 4 and 4 hex digits between dashes.
func uuidPrefix(id string) (int64, bool) {
	if len(id) < 18 || id[8] != '-' || id[13] != '-' {
		return 0, false
	}
	var key uint64
	for i := range 18 {
		switch c := id[i]; {
		case i == 8 || i == 13:
		case '0' <= c && c <= '9':
			key = key<<4 | uint64(c-'0')
		case 'a' <= c && c <= 'f':
			key = key<<4 | uint64(c-'a'+10)
		default:
			return 0, false
		}
	}
	return int64(key), true
}
