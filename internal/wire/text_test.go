package wire

import (
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// DecodeJSON on bodies escaping UTF-16 surrogates, halves alone or pairs,
// as JSON encoders write them.
func TestDecodeJSONSurrogates(t *testing.T) {
	tests := []struct {
		body string
		want string // "" = decoded, else the error message
	}{
		{`{"Name":"grin \ud83d\ude00"}`, ""},
		{`{"Name":"grin \uD83D\uDE00"}`, ""},
		{`{"Name":"an escaped backslash, then text: \\ud800"}`, ""},
		{`{"Name":"\\\ud83d\ude00"}`, ""},
		{`{"Name":"caf\u00e9 \ufffd"}`, ""},
		{`{"Name":"team\udc80x"}`, `Name: must be valid Unicode: \udc80 is half of a UTF-16 surrogate pair, without the other half`},
		{`{"Name":"end \ud83d"}`, `Name: must be valid Unicode: \ud83d is half`},
		{`{"Name":"\ud83d\u0041"}`, `Name: must be valid Unicode: \ud83d is half`},
		{`{"Name":"\ud83d\ud83d\ude00"}`, `Name: must be valid Unicode: \ud83d is half`},
		{`{"Name":"\\\udc80"}`, `Name: must be valid Unicode: \udc80 is half`},
		{`{"Name":"\ude00\ud83d"}`, `Name: must be valid Unicode: \ude00 is half`},
		{`{"Name\udc80":"x"}`, `Name\udc80: must be valid Unicode: \udc80 is half`},
		// The member named is the one holding the escape, not the first
		// holding U+FFFD (what a lone half decodes to).
		{`{"Name":"caf\u00e9 \ufffd","Other":"x\ud800"}`, `Other: must be valid Unicode: \ud800 is half`},
		{`{"Name":"\ufffd","Other":{"Key\ufffd":"\ud800"}}`, "Other.Key\ufffd: must be valid Unicode: \\ud800 is half"},
		{`{"Name":"\udc80"`, "request body is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var in model.CreateAccountRequest
			err := DecodeJSON([]byte(tt.body), &in)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.(*chime.Error).Message, tt.want)):
				t.Fatalf("got %v, want an error starting %q", err, tt.want)
			}
		})
	}
}
