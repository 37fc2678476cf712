package model

import (
	"reflect"
)

// Redacted is the placeholder that replaces a sensitive value.
const Redacted = "*** redacted ***"

// Redact returns a JSON-encodable copy of a generated shape in which every
// member the model marks sensitive is replaced by Redacted, at any depth.
func Redact(v any) any {
	return redact(reflect.ValueOf(v))
}

func redact(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return redact(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(Time); ok {
			return t
		}
		out := map[string]any{}
		typ := v.Type()
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Tag.Get("json") == "-" || !f.IsExported() || isEmpty(v.Field(i)) {
				continue
			}
			if sensitiveMembers[typ.Name()+"."+f.Name] {
				out[f.Name] = Redacted
				continue
			}
			out[f.Name] = redact(v.Field(i))
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = redact(v.Index(i))
		}
		return out
	default:
		return v.Interface()
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}
