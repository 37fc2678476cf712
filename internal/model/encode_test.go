package model

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// Every generated AppendJSON writes what json.Marshal writes, on values
// with members absent and present, lists nil, empty and full, and strings
// that need escaping.
func TestAppendJSONIsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, shape := range encodedShapes {
		for range 200 {
			v := reflect.New(reflect.TypeOf(shape).Elem())
			fill(r, v.Elem(), 0)
			want, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			got := v.Interface().(interface{ AppendJSON([]byte) []byte }).AppendJSON(nil)
			if string(got) != string(want) {
				t.Fatalf("%T.AppendJSON:\n%s\njson.Marshal:\n%s", shape, got, want)
			}
		}
		nilValue := reflect.Zero(reflect.TypeOf(shape)).Interface()
		if got := nilValue.(interface{ AppendJSON([]byte) []byte }).AppendJSON(nil); string(got) != "null" {
			t.Errorf("(%T)(nil).AppendJSON = %s, want null as json.Marshal writes", shape, got)
		}
	}
}

var sampleStrings = []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\b\f\x00\x1f\x7f",
	"é 漢字 😀", "\u2028\u2029", "bad \xff\xfe utf-8 \xe2\x82", "arn:aws:iam::111122223333:root"}

// fill sets v (and what it points to) to random values.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 || depth > 4 {
			return // absent
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Slice:
		if r.IntN(4) == 0 || depth > 4 {
			return // nil
		}
		v.Set(reflect.MakeSlice(v.Type(), r.IntN(3), r.IntN(3)+2))
		for i := range v.Len() {
			fill(r, v.Index(i), depth+1)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Time]() {
			v.Set(reflect.ValueOf(Time{time.UnixMilli(r.Int64N(4e12) - 1e12)}))
			return
		}
		for i := range v.NumField() {
			fill(r, v.Field(i), depth+1)
		}
	case reflect.String:
		v.SetString(sampleStrings[r.IntN(len(sampleStrings))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int32:
		v.SetInt(int64(r.Int32()) - 1<<30)
	default:
		panic("fill: no random " + v.Type().String())
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range sampleStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, json.Marshal: %s", s, got, want)
		}
	})
}

// A time is encoded in UTC, whatever its location: the layout's Z says so.
func TestTimeIsEncodedInUTC(t *testing.T) {
	at := Time{time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.FixedZone("UTC+1", 3600))}
	got, err := at.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"2024-01-02T02:04:05.006Z"`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
