package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

var everyMemberAt = time.Date(2026, 11, 23, 12, 30, 45, 123_000_000, time.UTC)

// fillStrings gives every string and string-list field of the struct v
// points to a value that needs escapes, so a document has every such
// member with a value that is not null.
func fillStrings(v any) {
	e := reflect.ValueOf(v).Elem()
	for i := range e.NumField() {
		text := e.Type().Field(i).Name + ` "quoted" é \ <b>` + "\u2028"
		switch f := e.Field(i); f.Interface().(type) {
		case string:
			f.SetString(text)
		case []string:
			f.Set(reflect.ValueOf([]string{text, "", "plain"}))
		}
	}
}

// everyUserMember is a user with every field set.
func everyUserMember() *chime.User {
	enabled := false
	u := &chime.User{InboundCalling: true, OutboundCalling: false, SMS: true, AlexaForBusinessEnabled: &enabled,
		InvitedOn: &everyMemberAt, RegisteredOn: &everyMemberAt, LoggedOutAt: &everyMemberAt, CreatedAt: everyMemberAt}
	fillStrings(u)
	return u
}

// everyAccountMember is an account with every field set.
func everyAccountMember() *chime.Account {
	a := &chime.Account{DisableRemoteControl: true, EnableDialOut: false, CreatedAt: everyMemberAt, DeletedAt: &everyMemberAt}
	fillStrings(a)
	return a
}

// The fast paths read every member encode writes without json.Unmarshal:
// a field added to chime.User or chime.Account and not to the reader's
// member switch fails here.
func TestDecodeReadsEveryMember(t *testing.T) {
	for _, want := range []*chime.User{everyUserMember(), {CreatedAt: time.Unix(0, 0).UTC()},
		{UserID: "plain", Email: "a@example.com"}} {
		readsEveryMember(t, want, (*docReader).userMember)
	}
	for _, want := range []*chime.Account{everyAccountMember(), {CreatedAt: time.Unix(0, 0).UTC()},
		{AccountID: "plain", SupportedLicenses: []string{}, Domains: []string{"example.com"}}} {
		readsEveryMember(t, want, (*docReader).accountMember)
	}
}

// readsEveryMember fails t unless the document encode makes of want reads
// back, through member alone, as want.
func readsEveryMember[T any](t *testing.T, want *T, member func(*docReader, *T, string) bool) {
	t.Helper()
	doc := encode(want)
	got := new(T)
	d := &docReader{s: doc}
	if !d.object(func(name string) bool { return member(d, got, name) }) {
		t.Fatalf("the fast path refused %s", doc)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %s\n as %+v\nwant %+v", doc, got, want)
	}
}

// Documents both fuzz tests start from: each a case the reader must read
// or hand to json.Unmarshal.
var seedDocs = []string{
	`{}`, `[]`, ``, `{"x":1`, `{}x`, `{"CreatedAt":"2026-11-23T12:00:00+01:00"}`, `{"CreatedAt":"yesterday"}`,
	`{"Unknown":1}`, `{ }`,
}

// decodeUser agrees with json.Unmarshal on any input: the same user, or
// an error from both.
func FuzzDecodeUser(f *testing.F) {
	f.Add([]byte(encode(everyUserMember())))
	for _, doc := range append([]string{
		`{"Email":"x"}`, `{ "Email":"x"}`, `{"Email":null}`, `{"email":"x"}`, `{"Unknown":1,"Email":"x"}`,
		`{"InvitedOn":null,"SMS":true}`, `{"Email":"\u00e9\ud83d\ude00"}`, "{\"Email\":\"\xff\"}",
		"{\"Email\":\"a\x01\"}", `{"Email":"x"`, `{"Email":"x"}x`, `{"SMS":1}`, `{"AlexaForBusinessEnabled":true}`,
		`{"Email":"x",}`,
	}, seedDocs...) {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		agrees(t, doc, decodeUser)
	})
}

// decodeAccount agrees with json.Unmarshal on any input.
func FuzzDecodeAccount(f *testing.F) {
	f.Add([]byte(encode(everyAccountMember())))
	for _, doc := range append([]string{
		`{"Domains":null}`, `{"Domains":[]}`, `{"Domains":["a"]}`, `{"Domains":["a","b"],"Domains":["c"]}`,
		`{"Domains":["a"],"Domains":null}`, `{"Domains":[ "a"]}`, `{"Domains":["a",]}`, `{"Domains":[1]}`,
		`{"Domains":[null]}`, `{"Domains":"a"}`, `{"Domains":["\u00e9"]}`, `{"DeletedAt":null}`,
		`{"DisableRemoteControl":true,"EnableDialOut":false}`, `{"name":"x"}`,
	}, seedDocs...) {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		agrees(t, doc, decodeAccount)
	})
}

// agrees fails t unless decode reads doc into what json.Unmarshal reads,
// or both refuse it.
func agrees[T any](t *testing.T, doc []byte, decode func(string, *T) error) {
	want := new(T)
	wantErr := json.Unmarshal(doc, want)
	got := new(T)
	err := decode(string(doc), got)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("decode(%q): error %v, json.Unmarshal: %v", doc, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) = %+v, json.Unmarshal gives %+v", doc, got, want)
	}
}

// Records as CreateUser and CreateAccount make them, decoded by the fast
// paths and by json.Unmarshal.
func BenchmarkDecode(b *testing.B) {
	at := time.Now().UTC()
	user := encode(&chime.User{AwsAccountID: "111122223333", AccountID: chime.NewID(), UserID: chime.NewUserID(),
		Email: "jane.doe@example.com", DisplayName: "Jane Doe", UserType: "PrivateUser", LicenseType: "Pro",
		RegistrationStatus: "Registered", PersonalPIN: "0123456789", InboundCalling: true, OutboundCalling: true,
		SMS: true, RegisteredOn: &at, CreatedAt: at})
	account := encode(&chime.Account{AwsAccountID: "111122223333", AccountID: chime.NewID(), Name: "Example Corp",
		AccountType: "Team", DefaultLicense: "Pro", SupportedLicenses: []string{"Basic", "Pro"}, CreatedAt: at})
	benchmarks := map[string]func() error{
		"User/decodeUser":        func() error { return decodeUser(user, new(chime.User)) },
		"User/json.Unmarshal":    func() error { return json.Unmarshal([]byte(user), new(chime.User)) },
		"Account/decodeAccount":  func() error { return decodeAccount(account, new(chime.Account)) },
		"Account/json.Unmarshal": func() error { return json.Unmarshal([]byte(account), new(chime.Account)) },
	}
	for name, decode := range benchmarks {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
