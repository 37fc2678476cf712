package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

// U+0000 is refused wherever a request can carry text. No Chime name, ID,
// email or message holds one, and PostgreSQL's text type cannot store it:
// it would fail the statement, an internal error, after the SDK's retries.

const nulRule = "must not contain the character U+0000 (NUL)"

// RefuseNULInURL refuses a request whose path or query string decodes to
// text holding U+0000.
func RefuseNULInURL(r *http.Request) error {
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return chime.BadRequest("request path: %s", nulRule)
	}
	if !strings.Contains(r.URL.RawQuery, "%00") {
		return nil
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil // the handlers refuse a malformed query string themselves
	}
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range append(query[name], name) {
			if strings.IndexByte(v, 0) >= 0 {
				return chime.BadRequest("query parameter %q: %s", name, nulRule)
			}
		}
	}
	return nil
}

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
		return path, strings.IndexByte(v, 0) >= 0
	case []any:
		for i, item := range v {
			if p, ok := findNUL(item, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return p, true
			}
			if p, ok := findNUL(v[k], p); ok {
				return p, true
			}
		}
	}
	return "", false
}
