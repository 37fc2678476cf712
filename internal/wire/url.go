package wire

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/chime"
)

// utf8Rule is the rule of text in a URL: PostgreSQL's text type stores only
// UTF-8 (other bytes fail the statement, an internal error), and no Chime
// ID or name is anything else.
const utf8Rule = "must be UTF-8 once percent-decoded"

// RefuseURL refuses, on every route, a URL that no Chime request has or
// that its signature does not pin down:
//   - text holding U+0000 or bytes that are not UTF-8, in the path or the
//     query string (nulRule; a body is refused for both too);
//   - a "." or ".." path segment: botocore signs a path with them
//     resolved, which the verifier accepts, while the router would read
//     them as IDs, so a signature for one operation would verify another;
//   - a query parameter given more than once: SigV4 sorts repeated values,
//     so which comes first, the one the handlers read, is not signed.
//
// No model member is a query list and no Chime ID is "." or "..".
func RefuseURL(r *http.Request) error {
	if hasNUL(r.URL.Path) {
		return chime.BadRequest("request path: %s", nulRule)
	}
	if notUTF8(r.URL.Path) {
		return chime.BadRequest("request path: %s", utf8Rule)
	}
	if path := r.URL.EscapedPath(); strings.Contains(path, "/.") {
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "." || seg == ".." {
				return chime.BadRequest("request path %q: a segment must not be %q", path, seg)
			}
		}
	}
	// A single parameter is not repeated, and without an escape holds
	// neither U+0000 nor other bytes than UTF-8's (nor a ';', which
	// net/url refuses): most query strings need no parsing here.
	raw := r.URL.RawQuery
	if notUTF8(raw) { // bytes a client sent unescaped
		return chime.BadRequest("query string: %s", utf8Rule)
	}
	if !strings.ContainsAny(raw, "&%;") {
		return nil
	}
	query, err := url.ParseQuery(raw)
	if err != nil {
		// A bad escape, a ';' or over 10,000 parameters: refused here for
		// every route, before the signature check would call it a bad
		// signature (or an extension saw no parameters at all).
		return chime.BadRequest("query string: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		switch vs := query[name]; {
		case hasNUL(name) || slices.ContainsFunc(vs, hasNUL):
			return chime.BadRequest("query parameter %q: %s", name, nulRule)
		case notUTF8(name) || slices.ContainsFunc(vs, notUTF8):
			return chime.BadRequest("query parameter %q: %s", name, utf8Rule)
		case len(vs) > 1:
			return chime.BadRequest("query parameter %q is given %d times; give it once", name, len(vs))
		}
	}
	return nil
}

func notUTF8(s string) bool { return !utf8.ValidString(s) }
