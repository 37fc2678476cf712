package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// encoding/json matches an object key to a struct field ignoring case, so on
// its own it would read {"email": ...} as CreateUser's Email. AWS matches
// member names exactly: a key in another case is an unknown member, and
// unknown members are ignored. dropMiscased removes such keys before the
// body is decoded, so a client that sends them sees what AWS would do.

// dropMiscased returns body without the object keys that name a member of
// t's shape (at their place in the document) in another case. A body with
// none, which is every body an AWS SDK sends, is returned as it is; so is
// one that is not valid JSON, for json.Unmarshal to report.
func dropMiscased(body []byte, t reflect.Type) []byte {
	if !mayBeMiscased(body, memberNames(t)) {
		return body
	}
	doc, ok := decodeAny(body) // numbers kept exactly as sent
	if !ok || !pruneMiscased(doc, t) {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// mayBeMiscased is the cheap first look: it says whether some object key in
// body is, ignoring case but not exactly, one of names (every member name
// of the shape, at any depth), or is written with escapes. Only then is the
// body decoded to find where each key is. A key that is exactly a member
// name is trusted wherever it stands: no two member names of the model
// differ in case alone (TestNoMemberNamesDifferInCaseAlone).
func mayBeMiscased(body []byte, names map[string]bool) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		start, escaped := i+1, false
		for i++; i < len(body) && body[i] != '"'; i++ {
			if body[i] == '\\' {
				escaped = true
				i++
			}
		}
		key := body[start:min(i, len(body))]
		j := i + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		if j >= len(body) || body[j] != ':' || names[string(key)] {
			continue // a string value, or an exact member name
		}
		if escaped || foldsToOneOf(names, string(key)) {
			return true
		}
	}
	return false
}

// foldsToOneOf says whether key is one of names ignoring case.
func foldsToOneOf[V any](names map[string]V, key string) bool {
	for name := range names {
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}

// pruneMiscased removes the miscased member keys from doc, a decoded JSON
// value meant to be of type t, and says whether there were any.
func pruneMiscased(doc any, t reflect.Type) bool {
	t = deref(t)
	pruned := false
	switch v := doc.(type) {
	case map[string]any:
		for key, value := range v {
			member, miscased := memberOf(t, key)
			if miscased {
				delete(v, key)
				pruned = true
				continue
			}
			pruned = pruneMiscased(value, member) || pruned
		}
	case []any:
		for _, value := range v {
			pruned = pruneMiscased(value, elemOf(t)) || pruned
		}
	}
	return pruned
}

// memberOf says what type the value of an object key has when the object is
// of type t: a struct field's type for the field's exact JSON name, a map's
// element type, or nil when unknown. miscased is true when the key names a
// struct field only in another case.
func memberOf(t reflect.Type, key string) (member reflect.Type, miscased bool) {
	switch {
	case t == nil:
		return nil, false
	case t.Kind() == reflect.Map:
		return t.Elem(), false
	case t.Kind() != reflect.Struct:
		return nil, false
	}
	fields := jsonFields(t)
	if ft, ok := fields[key]; ok {
		return ft, false
	}
	return nil, foldsToOneOf(fields, key)
}

func elemOf(t reflect.Type) reflect.Type {
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		return t.Elem()
	}
	return nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldCache maps a struct type to its fields by JSON name.
var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields lists a struct's fields by the JSON name encoding/json gives
// them, promoted fields of embedded structs included; fields tagged "-" and
// unexported ones are not members.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && deref(f.Type).Kind() == reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		fields[name] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}

// nameCache maps a type to memberNames' answer.
var nameCache sync.Map // reflect.Type → map[string]bool

// memberNames lists the JSON names of every struct field reachable from t.
func memberNames(t reflect.Type) map[string]bool {
	if cached, ok := nameCache.Load(t); ok {
		return cached.(map[string]bool)
	}
	names := map[string]bool{}
	collectNames(t, names, map[reflect.Type]bool{})
	nameCache.Store(t, names)
	return names
}

func collectNames(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) {
	t = deref(t)
	if t == nil || seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		for name, ft := range jsonFields(t) {
			names[name] = true
			collectNames(ft, names, seen)
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		collectNames(t.Elem(), names, seen)
	}
}
