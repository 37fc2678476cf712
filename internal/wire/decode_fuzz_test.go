package wire

import (
	"errors"
	"testing"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// validatable is every generated input shape.
type validatable interface{ Validate() error }

// fuzzInputs are input shapes covering every kind of member a body can hold:
// strings with length and pattern rules, enums, booleans, integers with a
// range, nested required structures, and lists of strings and of structures.
// Path labels are set as the binder would, so validation gets past them.
var fuzzInputs = []func() validatable{
	func() validatable { return &model.CreateAccountRequest{} },
	func() validatable { return &model.UpdateAccountRequest{AccountId: model.String("a")} },
	func() validatable { return &model.UpdateAccountSettingsRequest{AccountId: model.String("a")} },
	func() validatable {
		return &model.UpdateUserSettingsRequest{AccountId: model.String("a"), UserId: model.String("u")}
	},
	func() validatable { return &model.BatchUpdateUserRequest{AccountId: model.String("a")} },
	func() validatable { return &model.InviteUsersRequest{AccountId: model.String("a")} },
	func() validatable {
		return &model.AssociateSigninDelegateGroupsWithAccountRequest{AccountId: model.String("a")}
	},
	func() validatable { return &model.PutRetentionSettingsRequest{AccountId: model.String("a")} },
}

// FuzzDecodeInput feeds arbitrary bytes as a request body through the decoder
// and the model's validation: it must never panic, and every refusal must be
// one the wire layer answers with a 400 naming the problem, never an
// internal error.
func FuzzDecodeInput(f *testing.F) {
	for _, seed := range []string{
		``,
		`{}`,
		`   {"Name": "Example Corp"}  `,
		`{"Name": ""}`,
		`{"Name": 42}`,
		`{"Name": null}`,
		`{"Name": "a", "Name": "b"}`,
		`{"DefaultLicense": "Pro", "Unknown": [1, {"x": null}]}`,
		`{"AccountSettings": {"DisableRemoteControl": true, "EnableDialOut": "yes"}}`,
		`{"UserSettings": {"Telephony": {"InboundCalling": true, "OutboundCalling": false, "SMS": true}}}`,
		`{"UserSettings": {"Telephony": {}}}`,
		`{"UpdateUserRequestItems": [{"UserId": "u1", "LicenseType": "Basic"}, {"LicenseType": "Gold"}]}`,
		`{"UpdateUserRequestItems": [null]}`,
		`{"UserEmailList": ["a@example.com", "nope"], "UserType": "SharedDevice"}`,
		`{"SigninDelegateGroups": [{"GroupName": "admins"}, {}]}`,
		`{"RetentionSettings": {"RoomRetentionSettings": {"RetentionDays": 99999999999}}}`,
		`{"RetentionSettings": {"ConversationRetentionSettings": {"RetentionDays": 1.5}}}`,
		`[]`,
		`"string"`,
		`{"name": "miscased", "Name": "exact"}`,
		`{"UpdateUserRequestItems": [{"userid": "u1", "UserId": "u2"}], "updateUserRequestItems": []}`,
		`{"N\u0061me": "escaped", "\u006eame": "escaped and miscased"}`,
		`{"Name": "unterminated`,
		`{"Name": "\ud800"}`,
		"{\"Name\": \"\xff\xfe\"}",
		`{} trailing`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newInput := range fuzzInputs {
			in := newInput()
			err := DecodeJSON(body, in)
			if err == nil {
				err = in.Validate()
			}
			if err == nil {
				continue
			}
			var domainErr *chime.Error
			var validErr *model.ValidationError
			switch {
			case errors.As(err, &validErr):
				if validErr.Field == "" || validErr.Rule == "" {
					t.Fatalf("%T: validation error without member or rule: %v", in, err)
				}
			case errors.As(err, &domainErr):
				if domainErr.Code != model.ErrorCodeBadRequest || domainErr.Message == "" {
					t.Fatalf("%T: body %q refused with %v, want a BadRequest naming the problem", in, body, err)
				}
			default:
				t.Fatalf("%T: body %q refused with %T %v, which would be an internal error", in, body, err, err)
			}
			if we := toWire(err); we.status != 400 {
				t.Fatalf("%T: body %q answered %d %s", in, body, we.status, we.shape)
			}
		}
	})
}
