package wire

import (
	"net/url"
	"strings"

	"github.com/chimed/chimed/internal/chime"
)

// operation is one row of the generated table in operations_gen.go.
type operation struct {
	name   string
	method string
	path   string   // URI template, e.g. /accounts/{accountId}/users
	query  string   // literal query that selects the operation, e.g. operation=create
	status int      // success status
	errors []string // the error shapes the model lists for it
	serve  func(api chime.API, c *call) error
}

// route is an operation with its template split for matching.
type route struct {
	op         *operation
	segments   []string // literal segments, or "" where a label is
	labels     []string // label names, by segment index ("" for literals)
	queryKey   string
	queryValue string
}

// router finds the operation for a method, an encoded path and a query.
// Several operations share a method and path and differ only by a literal
// query (?operation=create vs ?operation=add, ...): the one whose literal is
// present wins; the one without a literal matches only when none of its
// siblings' literal keys is present at all.
type router struct {
	byMethod map[string][]route
}

func newRouter(ops []operation) *router {
	r := &router{byMethod: map[string][]route{}}
	for i := range ops {
		op := &ops[i]
		rt := route{op: op}
		for _, seg := range strings.Split(strings.TrimPrefix(op.path, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				rt.segments = append(rt.segments, "")
				rt.labels = append(rt.labels, seg[1:len(seg)-1])
			} else {
				rt.segments = append(rt.segments, seg)
				rt.labels = append(rt.labels, "")
			}
		}
		rt.queryKey, rt.queryValue, _ = strings.Cut(op.query, "=")
		r.byMethod[op.method] = append(r.byMethod[op.method], rt)
	}
	return r
}

// match returns the operation and its decoded labels. A path label arrives
// percent-encoded (%2B for the + of an E.164 number, %2F for a slash inside
// a label); it is matched encoded and decoded afterwards, so an encoded slash
// never splits a label.
func (r *router) match(method, escapedPath string, query url.Values) (*operation, []string, bool) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var fallback *route
	literalKeyPresent := false
	for i := range r.byMethod[method] {
		rt := &r.byMethod[method][i]
		if !rt.matchPath(segs) {
			continue
		}
		if rt.queryKey == "" {
			fallback = rt
			continue
		}
		if _, ok := query[rt.queryKey]; ok {
			literalKeyPresent = true
		}
		if query.Get(rt.queryKey) == rt.queryValue {
			return rt.bind(segs)
		}
	}
	if fallback != nil && !literalKeyPresent {
		return fallback.bind(segs)
	}
	return nil, nil, false
}

func (rt *route) matchPath(segs []string) bool {
	if len(segs) != len(rt.segments) {
		return false
	}
	for i, seg := range segs {
		if rt.labels[i] != "" {
			if seg == "" {
				return false
			}
			continue
		}
		if seg != rt.segments[i] {
			return false
		}
	}
	return true
}

// bind returns the decoded label values as name, value pairs.
func (rt *route) bind(segs []string) (*operation, []string, bool) {
	var labels []string
	for i, name := range rt.labels {
		if name == "" {
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, nil, false
		}
		labels = append(labels, name, v)
	}
	return rt.op, labels, true
}

// ModelledErrors maps every operation of the model to the error shapes the
// model lists for it: those the SDKs turn into the operation's typed errors.
func ModelledErrors() map[string][]string {
	errs := make(map[string][]string, len(operations))
	for _, op := range operations {
		errs[op.name] = op.errors
	}
	return errs
}
