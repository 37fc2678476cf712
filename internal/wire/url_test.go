package wire

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/chime"
)

// RefuseURL on request targets as a client may send them, escaped or raw;
// a signed request reaches the handlers with whatever passes here.
func TestRefuseURL(t *testing.T) {
	tests := []struct {
		target string
		want   string // "" = accepted, else the start of the message
	}{
		{"/accounts", ""},
		{"/accounts?max-results=1", ""},
		{"/accounts?name=caf%C3%A9&max-results=1", ""},
		{"/accounts/a%00b", "request path: must not contain"},
		{"/accounts/a%FFb", "request path: must be UTF-8"},
		{"/accounts/a\xffb", "request path: must be UTF-8"},
		{"/accounts?name=a%00b", `query parameter "name": must not contain`},
		{"/accounts?name=a%FFb", `query parameter "name": must be UTF-8`},
		{"/accounts?name=a\xffb", "query string: must be UTF-8"},
		{"/accounts?max-results=1&max-results=2", `query parameter "max-results" is given 2 times`},
		{"/accounts/x/users/..", `request path "/accounts/x/users/..": a segment must not be ".."`},
		{"/_chimed/audit?max-results=%zz", `query string: invalid URL escape "%zz"`},
		{"/accounts?a=1;b=2", "query string: invalid semicolon separator"},
		{"/_chimed/audit?" + strings.Repeat("a=1&", 10000) + "max-results=0", "query string: number of URL query parameters exceeded limit"},
	}
	for _, tt := range tests {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + tt.target + " HTTP/1.1\r\nHost: x\r\n\r\n")))
		if err != nil {
			t.Fatalf("%q: %v", tt.target, err)
		}
		err = RefuseURL(r)
		var e *chime.Error
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.target, err)
		case tt.want != "" && (!errors.As(err, &e) || e.Code != "BadRequest" || !strings.HasPrefix(e.Message, tt.want)):
			t.Errorf("%q: got %v, want a BadRequest starting %q", tt.target, err, tt.want)
		}
	}
}
