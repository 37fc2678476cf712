package wire

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"
)

// Text that a request carries and chimed could not keep as sent is refused,
// naming the member, rather than stored altered.

// U+0000 is refused wherever a request can carry text. No Chime name, ID,
// email or message holds one, and PostgreSQL's text type cannot store it:
// it would fail the statement, an internal error, after the SDK's retries.

const nulRule = "must not contain the character U+0000 (NUL)"

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// nulMember names the first member of a JSON body whose name or text holds
// U+0000, which JSON can only carry escaped.
func nulMember(body []byte) (string, bool) {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return "", false
	}
	return memberWhere(body, hasNUL)
}

// A JSON string may escape half of a UTF-16 surrogate pair without the
// other half (Python writes one for bytes it decoded with
// surrogateescape). That is no character: encoding/json would store U+FFFD
// in its place, and the caller would read back a value it did not send.

const surrogateRule = "must be valid Unicode: \\u%s is half of a UTF-16 surrogate pair, without the other half"

// loneSurrogate finds in a JSON text the first escaped surrogate without
// its other half, and returns its four hex digits and where its escape
// starts.
func loneSurrogate(body []byte) (digits string, at int, found bool) {
	for i := 0; i+1 < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++ // the escaped character: a backslash escaped is passed over whole
		if body[i] != 'u' {
			continue
		}
		r, ok := escapedRune(body[i-1:])
		if !ok || !utf16.IsSurrogate(r) {
			continue // not JSON, which the decoder reports, or a character
		}
		digits := string(body[i+1 : i+5])
		if r >= 0xDC00 {
			return digits, i - 1, true // a second half first
		}
		if low, ok := escapedRune(body[i+5:]); !ok || low < 0xDC00 || low > 0xDFFF {
			return digits, i - 1, true
		}
		i += 10 // the pair
	}
	return "", 0, false
}

// surrogateMember names the member whose name or text holds the escape at
// at. Both halves decode to U+FFFD, as a caller's own U+FFFD does, so the
// escape is swapped for \u0000, which no member holds (nulMember refused
// the body otherwise), and the member holding U+0000 is the one. In a
// member's name the escape is shown as sent.
func surrogateMember(body []byte, at int, digits string) (string, bool) {
	marked := slices.Clone(body)
	copy(marked[at:], `\u0000`)
	member, ok := memberWhere(marked, hasNUL)
	return strings.ReplaceAll(member, "\x00", `\u`+digits), ok
}

// escapedRune reads the \uXXXX escape that b begins with.
func escapedRune(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// memberWhere names the first member of a JSON body whose name or text
// satisfies bad.
func memberWhere(body []byte, bad func(string) bool) (string, bool) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "", false // not JSON: the decoder says so
	}
	return findString(doc, "", bad)
}

func findString(v any, path string, bad func(string) bool) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, bad(v)
	case []any:
		for i, item := range v {
			if p, ok := findString(item, itemPath(path, i), bad); ok {
				return p, true
			}
		}
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			p := memberPath(path, key)
			if bad(key) {
				return p, true
			}
			if p, ok := findString(v[key], p, bad); ok {
				return p, true
			}
		}
	}
	return "", false
}
