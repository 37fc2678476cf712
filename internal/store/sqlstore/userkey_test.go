package sqlstore

import (
	"crypto/md5"
	"encoding/binary"
	"testing"
)

func TestUserKey(t *testing.T) {
	md5Key := func(id string) int64 {
		sum := md5.Sum([]byte(id))
		return int64(binary.BigEndian.Uint64(sum[:8]))
	}
	tests := []struct {
		id   string
		want int64
	}{
		{"00000000-d492-40ff-aad1-12b603e23a91", 0x00000000d49240ff},
		{"0193a1b2-c3d4-7e5f-8a00-000000000000", 0x0193a1b2c3d47e5f},
		{"ffffffff-ffff-ffff-bfff-ffffffffffff", -1},
		{"0193A1B2-C3D4-7E5F-8A00-000000000000", md5Key("0193A1B2-C3D4-7E5F-8A00-000000000000")},
		{"0193a1b2c3d47e5f8a00000000000000", md5Key("0193a1b2c3d47e5f8a00000000000000")},
		{"0193a1b2-c3d4-7e5", md5Key("0193a1b2-c3d4-7e5")},
		{"u1", md5Key("u1")},
	}
	for _, tc := range tests {
		if got := UserKey(tc.id); got != tc.want {
			t.Errorf("UserKey(%q) = %#x, want %#x", tc.id, got, tc.want)
		}
	}
}
