package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// everyMember is a user with every field set, so that its document has
// every member with a value that is not null.
func everyMember() *chime.User {
	at := time.Date(2026, 11, 23, 12, 30, 45, 123_000_000, time.UTC)
	enabled := false
	u := &chime.User{InboundCalling: true, OutboundCalling: false, SMS: true, AlexaForBusinessEnabled: &enabled,
		InvitedOn: &at, RegisteredOn: &at, LoggedOutAt: &at, CreatedAt: at}
	v := reflect.ValueOf(u).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(v.Type().Field(i).Name + ` "quoted" é \ <b>` + "\u2028")
		}
	}
	return u
}

// decodeUser reads every member encode writes without json.Unmarshal: a
// field added to chime.User and not to userDoc.member fails here.
func TestDecodeUserReadsEveryMember(t *testing.T) {
	tests := []*chime.User{everyMember(), {CreatedAt: time.Unix(0, 0).UTC()}, {UserID: "plain", Email: "a@example.com"}}
	for _, want := range tests {
		doc := encode(want)
		got := new(chime.User)
		if !(&userDoc{s: doc}).decode(got) {
			t.Fatalf("the fast path refused %s", doc)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decoded %s\n as %+v\nwant %+v", doc, got, want)
		}
	}
}

// decodeUser agrees with json.Unmarshal on any input: the same user, or
// an error from both.
func FuzzDecodeUser(f *testing.F) {
	f.Add([]byte(encode(everyMember())))
	for _, doc := range []string{
		`{}`, `{"Email":"x"}`, `{ "Email":"x"}`, `{"Email":null}`, `{"email":"x"}`, `{"Unknown":1,"Email":"x"}`,
		`{"CreatedAt":"2026-11-23T12:00:00+01:00"}`, `{"CreatedAt":"yesterday"}`, `{"InvitedOn":null,"SMS":true}`,
		`{"Email":"\u00e9\ud83d\ude00"}`, "{\"Email\":\"\xff\"}", "{\"Email\":\"a\x01\"}", `{"Email":"x"`, `{"Email":"x"}x`,
		`{"SMS":1}`, `{"AlexaForBusinessEnabled":true}`, `[]`, ``, `{"Email":"x",}`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		want := new(chime.User)
		wantErr := json.Unmarshal(doc, want)
		got := new(chime.User)
		err := decodeUser(string(doc), got)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeUser(%q): error %v, json.Unmarshal: %v", doc, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeUser(%q) = %+v, json.Unmarshal gives %+v", doc, got, want)
		}
	})
}

// A user as CreateUser makes one, decoded by decodeUser and by
// json.Unmarshal.
func BenchmarkDecodeUser(b *testing.B) {
	at := time.Now().UTC()
	doc := encode(&chime.User{AwsAccountID: "111122223333", AccountID: chime.NewID(), UserID: chime.NewUserID(),
		Email: "jane.doe@example.com", DisplayName: "Jane Doe", UserType: "PrivateUser", LicenseType: "Pro",
		RegistrationStatus: "Registered", PersonalPIN: "0123456789", InboundCalling: true, OutboundCalling: true,
		SMS: true, RegisteredOn: &at, CreatedAt: at})
	for name, decode := range map[string]func(string, *chime.User) error{
		"decodeUser":     decodeUser,
		"json.Unmarshal": func(doc string, u *chime.User) error { return json.Unmarshal([]byte(doc), u) },
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := decode(doc, new(chime.User)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
