package model

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeIsISO8601WithMilliseconds(t *testing.T) {
	pacific := time.FixedZone("PDT", -7*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2019, 9, 18, 17, 24, 39, 534_000_000, time.UTC), `"2019-09-18T17:24:39.534Z"`},
		{time.Date(2019, 9, 18, 17, 24, 39, 0, time.UTC), `"2019-09-18T17:24:39.000Z"`},
		// Sub-millisecond precision is dropped, never rounded up.
		{time.Date(2019, 9, 18, 17, 24, 39, 999_999_999, time.UTC), `"2019-09-18T17:24:39.999Z"`},
		// Always written in UTC.
		{time.Date(2019, 9, 18, 10, 24, 39, 534_000_000, pacific), `"2019-09-18T17:24:39.534Z"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(TimeOf(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%v encoded as %s, want %s", tt.in, b, tt.want)
		}
	}
}

func TestTimeDecodesWhatClientsSend(t *testing.T) {
	want := time.Date(2019, 9, 18, 17, 24, 39, 534_000_000, time.UTC)
	for _, in := range []string{
		`"2019-09-18T17:24:39.534Z"`,
		`"2019-09-18T10:24:39.534-07:00"`,
		`1568827479.534`,
	} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%s decoded as %v, want %v", in, got.Time, want)
		}
	}
	for _, in := range []string{`"yesterday"`, `"2019-09-18"`, `true`, `"\x"`} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("%s decoded as %v, want an error", in, got.Time)
		}
	}
}

// TestAbsentMembersAreOmitted: a member the server did not set is left out
// of the JSON, never written as null.
func TestAbsentMembersAreOmitted(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{&GetUserResponse{User: &User{UserId: String("u1")}}, `{"User":{"UserId":"u1"}}`},
		{&GetAccountResponse{Account: &Account{}}, `{"Account":{}}`},
		{&BatchSuspendUserResponse{}, `{}`},
		{&UserSettings{Telephony: &TelephonySettings{SMS: Bool(false)}}, `{"Telephony":{"SMS":false}}`},
		// Members bound to the path are never part of a body.
		{&UpdateUserRequest{AccountId: String("a1"), UserId: String("u1"), LicenseType: String(LicenseBasic)}, `{"LicenseType":"Basic"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%T encoded as %s, want %s", tt.v, b, tt.want)
		}
	}
}
