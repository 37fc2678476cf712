package wire

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

// RefuseURL refuses, on every route, a URL that no Chime request has or
// that its signature does not pin down:
//   - text holding U+0000, in the path or the query string (nulRule);
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
	if path := r.URL.EscapedPath(); strings.Contains(path, "/.") {
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "." || seg == ".." {
				return chime.BadRequest("request path %q: a segment must not be %q", path, seg)
			}
		}
	}
	// A single parameter is not repeated, and without %00 holds no U+0000:
	// most query strings need no parsing here.
	raw := r.URL.RawQuery
	if !strings.Contains(raw, "&") && !strings.Contains(raw, "%00") {
		return nil
	}
	query, err := url.ParseQuery(raw)
	if err != nil {
		return nil // the handlers refuse a malformed query string themselves
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		switch vs := query[name]; {
		case hasNUL(name) || slices.ContainsFunc(vs, hasNUL):
			return chime.BadRequest("query parameter %q: %s", name, nulRule)
		case len(vs) > 1:
			return chime.BadRequest("query parameter %q is given %d times; give it once", name, len(vs))
		}
	}
	return nil
}
