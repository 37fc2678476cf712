package chime

import (
	"strings"
	"testing"
)

// Claimed domains are DNS names: at least two labels of letters, digits and
// inner hyphens, each at most 63 characters, 253 in all.
func TestValidDomain(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	for _, tc := range []struct {
		domain string
		valid  bool
	}{
		{"example.com", true},
		{"mail-1.example.co.uk", true},
		{label63 + ".com", true},
		{strings.Repeat(label63+".", 3) + strings.Repeat("b", 61), true}, // 253
		{"localhost", false},
		{"", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat(label63+".", 3) + strings.Repeat("b", 62), false}, // 254
		{"-bad.com", false},
		{"bad-.com", false},
		{"example..com", false},
		{"example.com.", false},
		{"exa_mple.com", false},
		{"bücher.de", false},
	} {
		if got := validDomain(tc.domain); got != tc.valid {
			t.Errorf("validDomain(%q) = %v, want %v", tc.domain, got, tc.valid)
		}
	}
}
