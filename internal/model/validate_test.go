package model

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestValidateNamesMemberAndRule checks the generated validation on real
// shapes, one case per kind of constraint, and the exact message a client
// gets: the member's path from the request root, then the rule.
func TestValidateNamesMemberAndRule(t *testing.T) {
	telephony := func(in, out, sms *bool) *UpdateUserSettingsRequest {
		return &UpdateUserSettingsRequest{AccountId: String("a"), UserId: String("u"),
			UserSettings: &UserSettings{Telephony: &TelephonySettings{InboundCalling: in, OutboundCalling: out, SMS: sms}}}
	}
	ids := func(n int) []string { return make([]string, n) }
	tests := []struct {
		name string
		in   interface{ Validate() error }
		want string // "" means valid
	}{
		{"valid", &CreateAccountRequest{Name: String("Example Corp")}, ""},
		{"required", &CreateAccountRequest{}, "Name: required member is missing"},
		{"min length", &CreateAccountRequest{Name: String("")}, "Name: length must be between 1 and 100"},
		{"max length", &CreateAccountRequest{Name: String(strings.Repeat("n", 101))}, "Name: length must be between 1 and 100"},
		{"length counts characters, not bytes", &CreateAccountRequest{Name: String(strings.Repeat("é", 100))}, ""},
		{"length counts characters past the limit", &CreateAccountRequest{Name: String(strings.Repeat("é", 101))}, "Name: length must be between 1 and 100"},
		{"pattern", &CreateAccountRequest{Name: String(" \t ")}, `Name: must match pattern .*\S.*`},
		// The model's patterns mean what they do in ECMAScript, whose \s
		// holds \v and the Unicode spaces and whose . stops at \r.
		{"pattern: vertical tab is white space", &CreateAccountRequest{Name: String("\v")}, `Name: must match pattern .*\S.*`},
		{"pattern: no-break space is white space", &CreateAccountRequest{Name: String("\u00a0\u3000")}, `Name: must match pattern .*\S.*`},
		{"pattern: . stops at a carriage return", &CreateAccountRequest{Name: String("a\rb")}, `Name: must match pattern .*\S.*`},
		{"pattern: . stops at a newline", &CreateAccountRequest{Name: String("a\nb")}, `Name: must match pattern .*\S.*`},
		{"pattern: any other character is not", &CreateAccountRequest{Name: String("\u00a0é\u0085")}, ""},
		{"email pattern: . stops at a line separator", &CreateUserRequest{AccountId: String("a"), Email: String("ana@example\u2028.com")}, "Email: must match pattern"},
		{"pattern matches the whole value", &CreateUserRequest{AccountId: String("a"), Email: String("@example.com")}, `Email: must match pattern .+@.+\..+`},
		{"enum", &UpdateUserRequest{AccountId: String("a"), UserId: String("u"), LicenseType: String("pro")},
			"LicenseType: must be one of Basic, Plus, Pro, ProTrial"},
		{"range low", &ListAccountsRequest{MaxResults: Int32(0)}, "MaxResults: must be between 1 and 200"},
		{"range high", &ListAccountsRequest{MaxResults: Int32(201)}, "MaxResults: must be between 1 and 200"},
		{"range edge", &ListAccountsRequest{MaxResults: Int32(200)}, ""},
		{"list max items", &BatchSuspendUserRequest{AccountId: String("a"), UserIdList: ids(51)}, "UserIdList: must contain at most 50 items"},
		{"list item", &BatchSuspendUserRequest{AccountId: String("a"), UserIdList: []string{"u1", " "}}, `UserIdList[1]: must match pattern .*\S.*`},
		{"list min items", &DisassociateSigninDelegateGroupsFromAccountRequest{AccountId: String("a"), GroupNames: []string{}},
			"GroupNames: must contain at least 1 item"},
		{"nested required", telephony(Bool(true), Bool(false), nil), "UserSettings.Telephony.SMS: required member is missing"},
		{"nested valid", telephony(Bool(true), Bool(false), Bool(false)), ""},
		{"list of structures", &BatchUpdateUserRequest{AccountId: String("a"), UpdateUserRequestItems: []UpdateUserRequestItem{
			{UserId: String("u1")}, {LicenseType: String(LicenseBasic)}}}, "UpdateUserRequestItems[1].UserId: required member is missing"},
		{"enum in a list of structures", &BatchUpdateUserRequest{AccountId: String("a"), UpdateUserRequestItems: []UpdateUserRequestItem{
			{UserId: String("u1"), UserType: String("Robot")}}}, "UpdateUserRequestItems[0].UserType: must be one of PrivateUser, SharedDevice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if !strings.HasPrefix(ve.Error(), tt.want) {
				t.Errorf("got %q, want %q", ve.Error(), tt.want)
			}
		})
	}
}

// TestFastPatternsAgreeWithTheirRegexp checks each plain function against
// the regular expression it stands for.
func TestFastPatternsAgreeWithTheirRegexp(t *testing.T) {
	values := []string{"", " ", "a", " a ", "\t\r\f", "\n", "a\n", "\na", " \n ", "\v", "\u00a0", "\u2028",
		"\xff", " \xff ", "a b", "\r\n", "x\r", "é", strings.Repeat(" ", 50) + "z", "\u3000", "\ufeff", "\u0085", "a\u2029"}
	for pattern, fast := range fastPatterns {
		re := compilePattern(pattern)
		for _, v := range values {
			if got, want := fast(v), re.MatchString(v); got != want {
				t.Errorf("pattern %s on %q: fast %v, regexp %v", pattern, v, got, want)
			}
		}
	}
}

func FuzzFastPatterns(f *testing.F) {
	for _, v := range []string{"", " a", "a\n", "\t", "\xff"} {
		f.Add(v)
	}
	compiled := map[string]*regexp.Regexp{}
	for pattern := range fastPatterns {
		compiled[pattern] = compilePattern(pattern)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for pattern, fast := range fastPatterns {
			if got, want := fast(v), compiled[pattern].MatchString(v); got != want {
				t.Errorf("pattern %s on %q: fast %v, regexp %v", pattern, v, got, want)
			}
		}
	})
}

// A string the model leaves unbounded takes up to MaxUnboundedString
// characters (not bytes) and says whose limit the next one breaks.
func TestUnboundedStringsAreLimited(t *testing.T) {
	name := func(n int) *string { s := strings.Repeat("é", n); return &s }
	if msg := ruleSensitiveString.check(name(MaxUnboundedString)); msg != "" {
		t.Fatalf("%d characters: %s", MaxUnboundedString, msg)
	}
	if msg := ruleSensitiveString.check(name(MaxUnboundedString + 1)); msg != "length must be at most 2048 (chimed's limit: the model sets none)" {
		t.Fatalf("%d characters: %q", MaxUnboundedString+1, msg)
	}
	if msg := ruleNonEmptyString.check(name(MaxUnboundedString + 1)); !strings.Contains(msg, "chimed's limit") {
		t.Fatalf("a patterned shape: %q", msg)
	}
}

// A list's item-count bounds are inclusive: a list of exactly the minimum
// or the maximum is valid.
func TestListCountEdgesAreValid(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "id"
		}
		return out
	}
	for _, tt := range []struct {
		name string
		in   interface{ Validate() error }
	}{
		{"exactly the minimum", &BatchDeletePhoneNumberRequest{PhoneNumberIds: ids(1)}},
		{"exactly the minimum, groups", &DisassociateSigninDelegateGroupsFromAccountRequest{AccountId: String("a"), GroupNames: ids(1)}},
		{"exactly the maximum", &BatchSuspendUserRequest{AccountId: String("a"), UserIdList: ids(50)}},
	} {
		if err := tt.in.Validate(); err != nil {
			t.Errorf("%s: valid input refused: %v", tt.name, err)
		}
	}
}
