package wire

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

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
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "", false // not JSON: the decoder says so
	}
	return findNUL(doc, "")
}

func findNUL(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, hasNUL(v)
	case []any:
		for i, item := range v {
			if p, ok := findNUL(item, itemPath(path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			p := memberPath(path, key)
			if hasNUL(key) {
				return p, true
			}
			if p, ok := findNUL(v[key], p); ok {
				return p, true
			}
		}
	}
	return "", false
}
