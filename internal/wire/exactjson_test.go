package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/chimed/chimed/api"
	"github.com/chimed/chimed/internal/model"
)

// Member names match exactly: a key in another case is an unknown member,
// ignored wherever it appears, and the rest of the body is read as sent.
func TestDecodeJSONMatchesMemberNamesExactly(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		body string
		want string // in, encoded after decoding
	}{
		{"exact", &model.CreateUserRequest{}, `{"Email":"a@example.com","Username":"ana"}`,
			`{"Email":"a@example.com","Username":"ana"}`},
		{"miscased ignored", &model.CreateUserRequest{}, `{"email":"a@example.com","Username":"ana"}`,
			`{"Username":"ana"}`},
		{"miscased next to exact", &model.CreateUserRequest{}, `{"EMAIL":"x@example.com","Email":"a@example.com"}`,
			`{"Email":"a@example.com"}`},
		{"unknown kept out", &model.CreateUserRequest{}, `{"Nickname":"x","Email":"a@example.com"}`,
			`{"Email":"a@example.com"}`},
		{"path member is not a body member", &model.CreateUserRequest{}, `{"accountid":"x","AccountId":"y"}`,
			`{}`},
		{"in list items", &model.BatchUpdateUserRequest{},
			`{"UpdateUserRequestItems":[{"userId":"u0","UserId":"u1","licenseType":"Basic"},{"UserId":"u2","LicenseType":"Pro"}]}`,
			`{"UpdateUserRequestItems":[{"UserId":"u1"},{"LicenseType":"Pro","UserId":"u2"}]}`},
		{"in nested structures", &model.UpdateUserSettingsRequest{},
			`{"UserSettings":{"Telephony":{"inboundCalling":false,"OutboundCalling":true,"SMS":false}}}`,
			`{"UserSettings":{"Telephony":{"OutboundCalling":true,"SMS":false}}}`},
		{"numbers kept as sent", &model.PutRetentionSettingsRequest{},
			`{"retentionSettings":{},"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":5475}}}`,
			`{"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":5475}}}`},
		{"untagged extension input", &struct{ Name string }{}, `{"name":"x"}`, `{"Name":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := DecodeJSON([]byte(tc.body), tc.in); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("decoded %s, want %s", got, tc.want)
			}
		})
	}
}

// A body an SDK sends, with exact names, is decoded without being rewritten.
func TestDropMiscasedLeavesExactBodiesAlone(t *testing.T) {
	body := []byte(`{"UpdateUserRequestItems":[{"UserId":"u1","AlexaForBusinessMetadata":{"IsAlexaForBusinessEnabled":true}}],"Extra":{"x":[1]}}`)
	var in model.BatchUpdateUserRequest
	if got := dropMiscased(body, reflect.TypeOf(&in)); &got[0] != &body[0] {
		t.Errorf("exact body was rewritten: %s", got)
	}
}

// mayBeMiscased trusts a key that is exactly some member name of the shape,
// wherever it stands. That is only sound while no two member names of the
// model differ in case alone.
func TestNoMemberNamesDifferInCaseAlone(t *testing.T) {
	var m struct {
		Shapes map[string]struct {
			Members map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(api.Model, &m); err != nil {
		t.Fatal(err)
	}
	byFolded := map[string]string{}
	for _, shape := range m.Shapes {
		for name := range shape.Members {
			folded := strings.ToLower(name)
			if other, ok := byFolded[folded]; ok && other != name {
				t.Errorf("member names %s and %s differ in case alone", other, name)
			}
			byFolded[folded] = name
		}
	}
	if len(byFolded) < 100 {
		t.Fatalf("read only %d member names from the model", len(byFolded))
	}
}

// A body that cannot be decoded is refused with a message in the terms of
// the JSON a client sent, naming the member.
func TestDecodeJSONRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		body string
		want string
	}{
		{"string for an integer", &model.PutRetentionSettingsRequest{},
			`{"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":"5"}}}`,
			"BadRequest: RetentionSettings.RoomRetentionSettings.RetentionDays: must be an integer, got a JSON string"},
		{"number for a string in a list item", &model.BatchUpdateUserRequest{}, `{"UpdateUserRequestItems":[{"UserId":"u0"},{"UserId":"u1"},{"UserId":5}]}`,
			"BadRequest: UpdateUserRequestItems[2].UserId: must be a string, got a JSON number"},
		{"object for a list", &model.BatchSuspendUserRequest{}, `{"UserIdList":{"a":"b"}}`,
			"BadRequest: UserIdList: must be a list, got a JSON object"},
		{"number out of an integer's range", &model.PutRetentionSettingsRequest{},
			`{"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":99999999999}}}`,
			"BadRequest: RetentionSettings.RoomRetentionSettings.RetentionDays: must be an integer from -2147483648 to 2147483647, got a JSON number 99999999999"},
		{"fraction for an integer", &model.PutRetentionSettingsRequest{},
			`{"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":1.5}}}`,
			"BadRequest: RetentionSettings.RoomRetentionSettings.RetentionDays: must be an integer from -2147483648 to 2147483647, got a JSON number 1.5"},
		{"null for a list's string", &model.DisassociateSigninDelegateGroupsFromAccountRequest{}, `{"GroupNames":["g2",null]}`,
			"BadRequest: GroupNames[1]: must be a string, got a JSON null"},
		{"null for a list's object", &model.BatchCreateRoomMembershipRequest{}, `{"MembershipItemList":[null]}`,
			"BadRequest: MembershipItemList[0]: must be an object, got a JSON null"},
		{"null in a nested list", &model.AssociateSigninDelegateGroupsWithAccountRequest{},
			`{"SigninDelegateGroups":[{"GroupName":"g"},{"GroupName":null}],"x":[null]}`, ""},
		{"string for a structure", &model.UpdateGlobalSettingsRequest{}, `{"BusinessCalling":"x"}`,
			"BadRequest: BusinessCalling: must be an object, got a JSON string"},
		{"invalid UTF-8", &model.CreateAccountRequest{}, "{\"Name\":\"bad\xff\xfe\"}",
			"BadRequest: request body is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeJSON([]byte(tc.body), tc.in)
			if tc.want == "" && err == nil {
				return // a null member, and a null in an unknown member, are absent members
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}
