package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chimed/chimed/api"
)

// The service model as the negative and not-found suites read it: only what
// they need to build requests that are valid but for one thing.

type svcModel struct {
	Operations map[string]svcOperation
	Shapes     map[string]svcShape
}

type svcOperation struct {
	Name string
	HTTP struct {
		Method     string
		RequestURI string `json:"requestUri"`
	}
	Input *struct{ Shape string }
}

type svcShape struct {
	Type     string
	Members  map[string]svcMember
	Required []string
	Member   *struct{ Shape string } // of a list
	Min, Max *int64
	Pattern  string
	Enum     []string
}

type svcMember struct {
	Shape        string
	Location     string // "uri", "querystring", or "" for the JSON body
	LocationName string
}

func loadModel(t *testing.T) *svcModel {
	t.Helper()
	var m svcModel
	if err := json.Unmarshal(api.Model, &m); err != nil {
		t.Fatalf("parse model: %v", err)
	}
	return &m
}

// operationNames returns every operation of the model, sorted.
func (m *svcModel) operationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for name := range m.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// memberNames returns a structure's members, sorted, so cases come out in a
// stable order.
func (s svcShape) memberNames() []string {
	names := make([]string, 0, len(s.Members))
	for name := range s.Members {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (s svcShape) isRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// satisfies reports whether v keeps every constraint of the string shape s.
// Patterns are matched against the whole value, as the server does.
func (s svcShape) satisfies(v string) bool {
	n := int64(utf8.RuneCountInString(v))
	if s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max {
		return false
	}
	if s.Pattern != "" && !regexp.MustCompile("^(?:"+s.Pattern+")$").MatchString(v) {
		return false
	}
	if len(s.Enum) > 0 && !contains(s.Enum, v) {
		return false
	}
	return true
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Valid values for string shapes whose pattern a generic value would not
// match, and for members whose meaning the server checks beyond the model
// (so that a request is valid but for the one thing a case breaks).
var (
	shapeSamples = map[string]string{
		"AccountName":        "negative suite",
		"Alpha2CountryCode":  "US",
		"CallingName":        "Chimed Test",
		"ClientRequestToken": "negative-suite-token",
		"E164PhoneNumber":    "+12065550100",
		"EmailAddress":       "ana@example.com",
		"GuidString":         "0b9a5f4e-5d52-4b8f-9d0e-2f1c3a4b5c6d",
		"JoinTokenString":    "am9pbi10b2tlbg",
		"NonEmptyString":     "example",
		"TollFreePrefix":     "800",
	}
	memberSamples = map[string]string{
		"Domain":                      "example.com",
		"LambdaFunctionArn":           "arn:aws:lambda:us-east-1:111122223333:function:bot",
		"OutboundEventsHTTPSEndpoint": "https://bot.example.com/events",
	}
)

// unknownID is the value given to every path label: the ID of nothing.
const unknownID = "6f1e7c2a-8d3b-4e5f-9a0b-1c2d3e4f5a6b"

// walker builds values for the shapes of one model.
type walker struct {
	t *testing.T
	m *svcModel
}

// sample returns a valid value of the shape: what a careful client sends.
// Structures get their required members only.
func (w walker) sample(member, shape string) any {
	s := w.m.Shapes[shape]
	switch s.Type {
	case "string":
		return w.sampleString(member, shape)
	case "integer", "long":
		if s.Min != nil {
			return *s.Min
		}
		return int64(1)
	case "boolean":
		return true
	case "list":
		n := int64(1)
		if s.Min != nil && *s.Min > n {
			n = *s.Min
		}
		items := make([]any, n)
		for i := range items {
			items[i] = w.sample("", s.Member.Shape)
		}
		return items
	case "structure":
		obj := map[string]any{}
		for _, name := range s.Required {
			obj[name] = w.sample(name, s.Members[name].Shape)
		}
		return obj
	}
	w.t.Fatalf("shape %s: type %s is not handled by the negative suite", shape, s.Type)
	return nil
}

func (w walker) sampleString(member, shape string) string {
	s := w.m.Shapes[shape]
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	candidates := []string{memberSamples[member], shapeSamples[shape], "example"}
	for _, v := range candidates {
		if v != "" && s.satisfies(v) {
			return v
		}
	}
	if s.Min != nil && s.Pattern == "" {
		return strings.Repeat("x", int(*s.Min))
	}
	w.t.Fatalf("no valid sample value for string shape %s (member %s): add one to shapeSamples", shape, member)
	return ""
}

// violation is one way to break one constraint of one member.
type violation struct {
	field  string // the member's path from the request root, as the server names it
	rule   string // which constraint: required, min-length, max-length, pattern, enum, min, max, min-items, max-items
	absent bool   // the member is left out
	value  any
}

// violations returns every way to break exactly one constraint of a member
// of the given shape at path, each as a value for that member (or absent).
func (w walker) violations(path, shape string, required bool) []violation {
	var out []violation
	if required {
		out = append(out, violation{field: path, rule: "required", absent: true})
	}
	s := w.m.Shapes[shape]
	switch s.Type {
	case "string":
		if s.Min != nil && *s.Min > 0 {
			out = append(out, violation{field: path, rule: "min-length", value: strings.Repeat("a", int(*s.Min-1))})
		}
		if s.Max != nil {
			out = append(out, violation{field: path, rule: "max-length", value: strings.Repeat("a", int(*s.Max+1))})
		}
		if s.Pattern != "" {
			out = append(out, violation{field: path, rule: "pattern", value: w.mismatch(path, s)})
		}
		if len(s.Enum) > 0 {
			out = append(out, violation{field: path, rule: "enum", value: "NotA" + s.Enum[0]})
		}
	case "integer", "long":
		if s.Min != nil {
			out = append(out, violation{field: path, rule: "min", value: *s.Min - 1})
		}
		if s.Max != nil {
			out = append(out, violation{field: path, rule: "max", value: *s.Max + 1})
		}
	case "list":
		if s.Min != nil && *s.Min > 0 {
			out = append(out, violation{field: path, rule: "min-items", value: w.items(s, int(*s.Min-1))})
		}
		if s.Max != nil {
			out = append(out, violation{field: path, rule: "max-items", value: w.items(s, int(*s.Max+1))})
		}
		// Break the first item; the others (if the list needs more) are valid.
		for _, v := range w.violations(path+"[0]", s.Member.Shape, false) {
			list := w.sample("", shape).([]any)
			list[0] = v.value
			out = append(out, violation{field: v.field, rule: v.rule, value: list})
		}
	case "structure":
		for _, name := range s.memberNames() {
			for _, v := range w.violations(path+"."+name, s.Members[name].Shape, s.isRequired(name)) {
				obj := w.sample("", shape).(map[string]any)
				if v.absent {
					delete(obj, name)
				} else {
					obj[name] = v.value
				}
				out = append(out, violation{field: v.field, rule: v.rule, value: obj})
			}
		}
	case "boolean":
		// Nothing to break but presence.
	default:
		w.t.Fatalf("%s: shape %s of type %s is not handled by the negative suite", path, shape, s.Type)
	}
	return out
}

// items returns a list of n valid items of the list shape s.
func (w walker) items(s svcShape, n int) []any {
	items := make([]any, n)
	for i := range items {
		items[i] = w.sample("", s.Member.Shape)
	}
	return items
}

// mismatch returns a value of an allowed length that the pattern refuses.
func (w walker) mismatch(path string, s svcShape) string {
	n := int64(1)
	if s.Min != nil && *s.Min > n {
		n = *s.Min
	}
	for _, c := range []string{" ", "!", "a", "0"} {
		v := strings.Repeat(c, int(n))
		okLength := s.Max == nil || n <= *s.Max
		if okLength && !regexp.MustCompile("^(?:"+s.Pattern+")$").MatchString(v) && !contains(s.Enum, v) {
			return v
		}
	}
	w.t.Fatalf("%s: found no value that breaks pattern %s", path, s.Pattern)
	return ""
}

// opRequest is one operation's request, as member values by location.
type opRequest struct {
	op     svcOperation
	input  svcShape
	labels map[string]string // label name → value; "" is an empty segment
	query  map[string]string // query key → value
	body   map[string]any
}

// baseline returns a valid request for the operation: every path label an
// unknown ID, every required member a valid value.
func (w walker) baseline(op svcOperation) *opRequest {
	r := &opRequest{op: op, labels: map[string]string{}, query: map[string]string{}, body: map[string]any{}}
	if op.Input == nil {
		return r
	}
	r.input = w.m.Shapes[op.Input.Shape]
	for _, name := range r.input.memberNames() {
		mem := r.input.Members[name]
		switch {
		case mem.Location == "uri":
			r.labels[mem.LocationName] = unknownID
			if !w.m.Shapes[mem.Shape].satisfies(unknownID) {
				r.labels[mem.LocationName] = w.sampleString(name, mem.Shape)
			}
		case r.input.isRequired(name):
			r.set(name, w.sample(name, mem.Shape), false)
		}
	}
	return r
}

// set puts a member's value where the model binds it (or removes it).
func (r *opRequest) set(member string, value any, absent bool) {
	mem := r.input.Members[member]
	switch mem.Location {
	case "uri":
		if absent {
			value = ""
		}
		r.labels[mem.LocationName] = fmt.Sprint(value)
	case "querystring":
		if absent {
			delete(r.query, mem.LocationName)
		} else {
			r.query[mem.LocationName] = fmt.Sprint(value)
		}
	case "":
		if absent {
			delete(r.body, member)
		} else {
			r.body[member] = value
		}
	default:
		panic("member " + member + " bound to unsupported location " + mem.Location)
	}
}

func (r *opRequest) clone() *opRequest {
	c := &opRequest{op: r.op, input: r.input, labels: map[string]string{}, query: map[string]string{}, body: map[string]any{}}
	for k, v := range r.labels {
		c.labels[k] = v
	}
	for k, v := range r.query {
		c.query[k] = v
	}
	for k, v := range r.body {
		c.body[k] = v
	}
	return c
}

// raw renders the request for the wire: labels percent-encoded into the URI
// template, the template's literal query first, then the members'.
func (r *opRequest) raw(t *testing.T) rawRequest {
	t.Helper()
	path, literal, _ := strings.Cut(r.op.HTTP.RequestURI, "?")
	for name, v := range r.labels {
		path = strings.Replace(path, "{"+name+"}", escapeLabel(v), 1)
	}
	var params []string
	if literal != "" {
		params = append(params, literal)
	}
	keys := make([]string, 0, len(r.query))
	for k := range r.query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		params = append(params, url.QueryEscape(k)+"="+url.QueryEscape(r.query[k]))
	}
	req := rawRequest{method: r.op.HTTP.Method, path: path, query: strings.Join(params, "&")}
	if len(r.body) > 0 {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		req.body = b
	}
	return req
}
