package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/chimed/chimed/internal/chime"
)

// mismatch is a value of the wrong JSON type in a request body.
type mismatch struct {
	path string       // e.g. UpdateUserRequestItems[3].UserId
	want reflect.Type // what the member is
	got  string       // the JSON type sent: object, array, string, number or bool
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// typeError turns encoding/json's type error into a refusal in the terms of
// the JSON sent. encoding/json names the member without the list indexes on
// the way to it; the body is walked again, on this error path only, to name
// the item too.
func typeError(body []byte, t reflect.Type, typeErr *json.UnmarshalTypeError) error {
	if doc, ok := decodeAny(body); ok {
		if m, ok := findMismatch(doc, t, ""); ok {
			return m.refusal()
		}
	}
	// A number out of the member's range has the right JSON type.
	kind := jsonKind(typeErr.Type)
	switch t := deref(typeErr.Type); t.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		kind = integerKind(t.Bits())
	}
	return chime.BadRequest("%s: must be %s, got a JSON %s", typeErr.Field, kind, typeErr.Value)
}

// integerKind is jsonKind for an integer of so many bits, with its range:
// a number past it is refused as such, not as something else than an
// integer.
func integerKind(bits int) string {
	return fmt.Sprintf("an integer from %d to %d", int64(-1)<<(bits-1), int64(1)<<(bits-1)-1)
}

// refusal is the BadRequest that names the value and what it should be.
func (m mismatch) refusal() error {
	return chime.BadRequest("%s: must be %s, got a JSON %s", m.path, jsonKind(m.want), m.got)
}

// decodeAny decodes a JSON document as it was sent, numbers as written.
func decodeAny(body []byte) (doc any, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return doc, dec.Decode(&doc) == nil
}

// nullItem finds a null that stands as a list's item in doc, decoded JSON
// meant to be of type t. encoding/json reads such a null as the item's
// zero value, so a list of IDs with a null in it would act on an ID ("")
// nobody sent. A null member of an object is left alone: it means the
// member is absent, as in AWS's protocol.
func nullItem(doc any, t reflect.Type, path string) (mismatch, bool) {
	t = deref(t)
	switch v := doc.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			member, _ := memberOf(t, key)
			if m, ok := nullItem(v[key], member, memberPath(path, key)); ok {
				return m, true
			}
		}
	case []any:
		item := elemOf(t)
		if item == nil {
			return mismatch{}, false // not a list: findMismatch says so
		}
		for i, x := range v {
			if x == nil {
				return mismatch{itemPath(path, i), item, "null"}, true
			}
			if m, ok := nullItem(x, item, itemPath(path, i)); ok {
				return m, true
			}
		}
	}
	return mismatch{}, false
}

// findMismatch finds a value in doc, decoded JSON meant to be of type t, whose
// JSON type t cannot take. Object keys are visited in order, so the answer
// is the same for the same body.
func findMismatch(doc any, t reflect.Type, path string) (mismatch, bool) {
	t = deref(t)
	if doc == nil || t == nil || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return mismatch{}, false // null, an unknown member, or a type that reads itself
	}
	wrong := func(got string) (mismatch, bool) { return mismatch{path, t, got}, true }
	switch v := doc.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
			return wrong("object")
		}
		for _, key := range slices.Sorted(maps.Keys(v)) {
			member, _ := memberOf(t, key)
			if m, ok := findMismatch(v[key], member, memberPath(path, key)); ok {
				return m, true
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return wrong("array")
		}
		for i, item := range v {
			if m, ok := findMismatch(item, t.Elem(), itemPath(path, i)); ok {
				return m, true
			}
		}
	case string:
		if t.Kind() != reflect.String {
			return wrong("string")
		}
	case bool:
		if t.Kind() != reflect.Bool {
			return wrong("bool")
		}
	case json.Number:
		switch t.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		default:
			return wrong("number")
		}
	}
	return mismatch{}, false
}

// memberPath and itemPath name a value in a body for an error message:
// UpdateUserRequestItems[0].LicenseType.
func memberPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func itemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// jsonKind names what a member of type t is in a JSON body.
func jsonKind(t reflect.Type) string {
	t = deref(t)
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int32, reflect.Int64, reflect.Int:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
