package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/chime"
)

// call is one request being served: what the binders read the input from and
// write the output to.
type call struct {
	ctx      context.Context
	caller   chime.Caller
	w        http.ResponseWriter
	op       *operation
	body     []byte
	labels   []string // name, value pairs
	params   url.Values
	exchange *Exchange
}

// bound records the input the request was bound to, for the observers.
func (c *call) bound(in any) { c.exchange.Input = in }

func (c *call) label(name string) *string {
	for i := 0; i < len(c.labels); i += 2 {
		if c.labels[i] == name {
			v := c.labels[i+1]
			return &v
		}
	}
	return nil
}

// query returns the first value of a query parameter, or nil when absent.
func (c *call) query(name string) *string {
	vs, ok := c.params[name]
	if !ok || len(vs) == 0 {
		return nil
	}
	v := vs[0]
	return &v
}

func (c *call) queryInt32(member, name string) (*int32, error) {
	s := c.query(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*s, 10, 32)
	if err != nil {
		return nil, chime.BadRequest("%s: query parameter %s must be %s, got %q", member, name, integerKind(32), *s)
	}
	v := int32(n)
	return &v, nil
}

func (c *call) decodeBody(in any) error { return DecodeJSON(c.body, in) }

// DecodeJSON reads a JSON request body into in. An empty body means no
// members; member names are matched exactly and unknown members are
// ignored, as the AWS services do.
func DecodeJSON(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return chime.BadRequest("request body must be a JSON object")
	}
	// encoding/json would store invalid bytes as U+FFFD; JSON is UTF-8
	// (RFC 8259), and a refused body changes nothing.
	if !utf8.Valid(body) {
		return chime.BadRequest("request body is not valid UTF-8")
	}
	if member, ok := nulMember(body); ok {
		return chime.BadRequest("%s: %s", member, nulRule)
	}
	if digits, at, ok := loneSurrogate(body); ok {
		if member, ok := surrogateMember(body, at, digits); ok {
			return chime.BadRequest("%s: "+surrogateRule, member, digits)
		}
	}
	if bytes.Contains(body, []byte("null")) {
		if doc, ok := decodeAny(body); ok {
			if m, ok := nullItem(doc, reflect.TypeOf(in), ""); ok {
				return m.refusal()
			}
		}
	}
	err := json.Unmarshal(dropMiscased(body, reflect.TypeOf(in)), in)
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntaxErr):
		return chime.BadRequest("request body is not valid JSON: %v (at byte %d)", syntaxErr, syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return typeError(body, reflect.TypeOf(in), typeErr)
	default:
		return chime.BadRequest("request body: %v", err)
	}
}

// DecodeStrictJSON is DecodeJSON for bodies of chimed's own design (the test
// API's): a member that in does not have, spelt otherwise or in another
// case, is refused rather than ignored, so that a misspelt one fails loudly
// instead of leaving out what it meant.
func DecodeStrictJSON(body []byte, in any) error {
	if err := DecodeJSON(body, in); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil // an empty body, which DecodeJSON took as no members
	}
	fields := jsonFields(deref(reflect.TypeOf(in)))
	for _, name := range slices.Sorted(maps.Keys(members)) {
		if _, ok := fields[name]; !ok {
			return chime.BadRequest("%s: not a member of this request (its members: %s)", name, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		}
	}
	return nil
}

// reply writes the operation's success status and output. A 204 carries no
// body.
func (c *call) reply(out any) error {
	if out == nil {
		out = struct{}{}
	}
	WriteResult(c.w, c.op.status, out)
	return nil
}

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	if out, ok := v.(interface{ AppendJSON([]byte) []byte }); ok {
		b = out.AppendJSON(make([]byte, 0, 512)) // generated from the model: see internal/model/encode_gen.go
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			panic(fmt.Sprintf("encode %T: %v", v, err)) // outputs are plain structs
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
