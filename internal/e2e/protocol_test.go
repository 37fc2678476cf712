package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// Protocol edge cases: requests the official SDKs may send (or that other
// HTTP clients send) that a naive server gets wrong.

// newAccount creates a Team account for tenant A and returns its ID.
func newAccount(t *testing.T, e *env, name string) string {
	t.Helper()
	out, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
	noErr(t, err)
	return aws.ToString(out.Account.AccountId)
}

func newUser(t *testing.T, e *env, accountID, email string) string {
	t.Helper()
	out, err := e.client(keyA).CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(accountID), Email: aws.String(email)})
	noErr(t, err)
	return aws.ToString(out.User.UserId)
}

// encodeAll percent-encodes every byte, as a client may: the server must
// decode a label after routing, whatever the client chose to encode.
func encodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestProtocolReservedCharactersInLabels(t *testing.T) {
	e := start(t)
	accountID := newAccount(t, e, "labels")
	userID := newUser(t, e, accountID, "labels@example.com")
	users := "/accounts/" + accountID + "/users/"
	tests := []struct {
		name       string
		path       string
		wantStatus int
		// wantInMessage is the decoded label a NotFound message must quote.
		wantInMessage string
	}{
		{"%2F stays inside its label", users + "a%2Fb", 404, "a/b"},
		{"%2B decodes to a plus", users + "%2B12065550100", 404, "+12065550100"},
		{"a raw plus is a plus, not a space", users + "+12065550100", 404, "+12065550100"},
		{"%20 decodes to a space", users + "a%20b", 404, "a b"},
		{"%2F in the account label", "/accounts/" + escapeLabel(accountID+"/users"), 404, accountID + "/users"},
		{"every byte encoded", users + encodeAll(userID), 200, ""},
		{"lower-case escapes", users + strings.ToLower(encodeAll(userID)), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.send(t, keyA, rawRequest{method: "GET", path: tt.path})
			if resp.status != tt.wantStatus {
				t.Fatalf("GET %s: want %d, got %v", tt.path, tt.wantStatus, resp)
			}
			if tt.wantStatus == 404 {
				if resp.errorType() != "NotFoundException" || !strings.Contains(resp.message(), tt.wantInMessage) {
					t.Fatalf("want NotFoundException quoting %q, got %v", tt.wantInMessage, resp)
				}
				return
			}
			var out struct{ User struct{ UserId string } }
			if err := json.Unmarshal(resp.body, &out); err != nil || out.User.UserId != userID {
				t.Fatalf("want user %s, got %s (%v)", userID, resp.body, err)
			}
		})
	}

	// A phone number ID is an E.164 number: the SDKs send its + as %2B.
	resp := e.send(t, keyA, rawRequest{method: "GET", path: "/phone-numbers/%2B12065550199"})
	if resp.status != 404 || !strings.Contains(resp.message(), "+12065550199") {
		t.Fatalf("GetPhoneNumber of an unknown %%2B-encoded number: want 404 quoting +12065550199, got %v", resp)
	}
}

func TestProtocolBodies(t *testing.T) {
	e := start(t)
	accountID := newAccount(t, e, "bodies")
	userID := newUser(t, e, accountID, "bodies@example.com")
	user := "/accounts/" + accountID + "/users/" + userID
	noBody := http.Header{"Content-Type": nil}
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
	}{
		// Operations with no body members, called with no body, with an
		// empty body and with an empty JSON object.
		{"LogoutUser, no body", rawRequest{method: "POST", path: user, query: "operation=logout", header: noBody}, 204},
		{"LogoutUser, {}", rawRequest{method: "POST", path: user, query: "operation=logout", body: []byte(`{}`)}, 204},
		{"LogoutUser, blank body", rawRequest{method: "POST", path: user, query: "operation=logout", body: []byte(" \n")}, 204},
		{"ResetPersonalPIN, no body", rawRequest{method: "POST", path: user, query: "operation=reset-personal-pin", header: noBody}, 200},
		{"ResetPersonalPIN, {}", rawRequest{method: "POST", path: user, query: "operation=reset-personal-pin", body: []byte(`{}`)}, 200},
		{"GetAccount, {} on a GET", rawRequest{method: "GET", path: "/accounts/" + accountID, body: []byte(`{}`)}, 200},
		{"GetGlobalSettings, no body", rawRequest{method: "GET", path: "/settings"}, 200},
		{"GetGlobalSettings, {}", rawRequest{method: "GET", path: "/settings", body: []byte(`{}`)}, 200},
		{"GetPhoneNumberSettings, no body", rawRequest{method: "GET", path: "/settings/phone-number"}, 200},
		{"GetPhoneNumberSettings, {}", rawRequest{method: "GET", path: "/settings/phone-number", body: []byte(`{}`)}, 200},
		// A required body member is still required when there is no body.
		{"CreateAccount, no body", rawRequest{method: "POST", path: "/accounts", header: noBody}, 400},
		{"CreateAccount, {}", rawRequest{method: "POST", path: "/accounts", body: []byte(`{}`)}, 400},
		// Unknown members are ignored, at the top and inside structures.
		{"CreateAccount, unknown members", rawRequest{method: "POST", path: "/accounts",
			body: []byte(`{"Name":"unknown members","Color":"blue","Nested":{"List":[1,{"a":null}]}}`)}, 201},
		{"UpdateUserSettings, unknown nested member", rawRequest{method: "PUT", path: user + "/settings",
			body: []byte(`{"UserSettings":{"Telephony":{"InboundCalling":false,"OutboundCalling":true,"SMS":true,"Fax":true},"Video":{}}}`)}, 204},
		// Member names match exactly: a key in another case is an unknown
		// member, so a required member sent that way is missing.
		{"CreateAccount, member name in another case", rawRequest{method: "POST", path: "/accounts",
			body: []byte(`{"name":"miscased"}`)}, 400},
		{"UpdateUserSettings, nested member name in another case", rawRequest{method: "PUT", path: user + "/settings",
			body: []byte(`{"UserSettings":{"Telephony":{"inboundCalling":true,"OutboundCalling":true,"SMS":true}}}`)}, 400},
		// Content-Type is not what selects the protocol.
		{"Content-Type application/x-amz-json-1.1", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"amz json"}`),
			header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}}}, 201},
		{"Content-Type with charset", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"charset"}`),
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}, 201},
		{"no Content-Type", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"no content type"}`), header: noBody}, 201},
		// Bodies are read as sent: compressed ones are refused.
		{"Content-Encoding gzip", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"gzip"}`),
			header: http.Header{"Content-Encoding": {"gzip"}}}, 400},
		{"Content-Encoding identity", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"identity"}`),
			header: http.Header{"Content-Encoding": {"identity"}}}, 201},
		// Bodies that are not a JSON object are refused, not half-read.
		{"body is a JSON array", rawRequest{method: "POST", path: "/accounts", body: []byte(`[{"Name":"x"}]`)}, 400},
		{"body is truncated JSON", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"x"`)}, 400},
		{"member of the wrong JSON type", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":42}`)}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.send(t, keyA, tt.req)
			if resp.status != tt.wantStatus {
				t.Fatalf("want %d, got %v", tt.wantStatus, resp)
			}
			if tt.wantStatus == 400 && resp.errorType() != "BadRequestException" {
				t.Fatalf("want BadRequestException, got %v", resp)
			}
			if tt.wantStatus == 204 && len(resp.body) != 0 {
				t.Fatalf("a 204 has no body, got %q", resp.body)
			}
		})
	}

	settings, err := e.client(keyA).GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aws.String(accountID), UserId: aws.String(userID)})
	noErr(t, err)
	if aws.ToBool(settings.UserSettings.Telephony.InboundCalling) {
		t.Fatal("UpdateUserSettings with unknown members did not apply the known ones")
	}
}

func TestProtocolMethodsWithoutOperations(t *testing.T) {
	e := start(t)
	accountID := newAccount(t, e, "methods")
	tests := []struct {
		name      string
		req       rawRequest
		status    int
		errorType string
	}{
		// No operation has HEAD or OPTIONS: a signed request names no
		// operation (HEAD is not treated as a GET without a body)...
		{"HEAD on a list", rawRequest{method: "HEAD", path: "/accounts"}, 404, "UnknownOperationException"},
		{"HEAD on a resource", rawRequest{method: "HEAD", path: "/accounts/" + accountID}, 404, "UnknownOperationException"},
		{"OPTIONS on a list", rawRequest{method: "OPTIONS", path: "/accounts"}, 404, "UnknownOperationException"},
		{"OPTIONS on a resource", rawRequest{method: "OPTIONS", path: "/accounts/" + accountID + "/users"}, 404, "UnknownOperationException"},
		// ...and an unsigned one (a browser's CORS preflight) is refused
		// before anything else, like every unsigned API request.
		{"unsigned OPTIONS preflight", rawRequest{method: "OPTIONS", path: "/accounts", unsigned: true,
			header: http.Header{"Origin": {"https://console.example.com"}, "Access-Control-Request-Method": {"POST"}}}, 403, "MissingAuthenticationTokenException"},
		{"unsigned HEAD", rawRequest{method: "HEAD", path: "/accounts", unsigned: true}, 403, "MissingAuthenticationTokenException"},
		// Known paths with a method they do not have.
		{"PATCH on an account", rawRequest{method: "PATCH", path: "/accounts/" + accountID, body: []byte(`{"Name":"x"}`)}, 404, "UnknownOperationException"},
		{"DELETE on the account list", rawRequest{method: "DELETE", path: "/accounts"}, 404, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.send(t, keyA, tt.req)
			if resp.status != tt.status || resp.errorType() != tt.errorType {
				t.Fatalf("want %d %s, got %v", tt.status, tt.errorType, resp)
			}
			if tt.req.method == "HEAD" && len(resp.body) != 0 {
				t.Fatalf("a HEAD response has no body, got %q", resp.body)
			}
			if resp.header.Get("x-amzn-RequestId") == "" {
				t.Fatal("no x-amzn-RequestId")
			}
		})
	}
	got, err := e.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(accountID)})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "methods" {
		t.Fatalf("a refused PATCH changed the account: %+v", got.Account)
	}
}

// rewriteLastKey edits the listing position inside a token the way a client
// poking at it would: decoded, the key after the last NUL byte replaced by
// another plausible key (the trailing signature is kept as it was).
func rewriteLastKey(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", token, err)
	}
	const macSize = 16 // the signature at the end may hold any byte, NUL too
	if len(raw) <= macSize {
		t.Fatalf("token %q is too short", token)
	}
	i := bytes.LastIndexByte(raw[:len(raw)-macSize], 0)
	if i < 0 || i+1 >= len(raw)-macSize {
		t.Fatalf("token has no key part")
	}
	edited := append([]byte{}, raw...)
	edited[i+1] ^= 0x01 // a different key of the same shape
	return base64.RawURLEncoding.EncodeToString(edited)
}

func TestProtocolNextTokens(t *testing.T) {
	e := start(t)
	a := e.client(keyA)
	first := newAccount(t, e, "tokens one")
	second := newAccount(t, e, "tokens two")
	for _, email := range []string{"a@example.com", "b@example.com"} {
		newUser(t, e, first, email)
	}
	newUser(t, e, second, "c@example.com")
	newUser(t, e, second, "d@example.com")

	accounts, err := a.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: aws.Int32(1)})
	noErr(t, err)
	accountsToken := aws.ToString(accounts.NextToken)
	users, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(first), MaxResults: aws.Int32(1)})
	noErr(t, err)
	usersToken := aws.ToString(users.NextToken)
	if accountsToken == "" || usersToken == "" {
		t.Fatal("the listings did not page")
	}
	// Tenant B owns an account too, so its listing is not trivially empty.
	_, err = e.client(keyB).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("tenant b")})
	noErr(t, err)

	rewritten := rewriteLastKey(t, accountsToken)

	tests := []struct {
		name string
		call func() error
	}{
		{"very long", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(strings.Repeat("A", 64<<10))})
			return err
		}},
		{"not base64", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String("!!not a token!!")})
			return err
		}},
		{"truncated", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(accountsToken[:len(accountsToken)/2])})
			return err
		}},
		{"first character changed", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(flipFirst(accountsToken))})
			return err
		}},
		{"last key rewritten", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(rewritten)})
			return err
		}},
		{"another AWS account's token", func() error {
			_, err := e.client(keyB).ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(accountsToken)})
			return err
		}},
		{"another listing's token", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(usersToken)})
			return err
		}},
		{"another account's user listing", func() error {
			_, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(second), NextToken: aws.String(usersToken)})
			return err
		}},
		{"a user listing token for the account listing", func() error {
			_, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(first), NextToken: aws.String(accountsToken)})
			return err
		}},
		// A filter is part of the listing: under another one the token's
		// key would skip or repeat records.
		{"the user listing's token with a user type filter", func() error {
			_, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(first), UserType: types.UserTypePrivateUser, NextToken: aws.String(usersToken)})
			return err
		}},
		{"the account listing's token with a name filter", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{Name: aws.String("tokens"), NextToken: aws.String(accountsToken)})
			return err
		}},
		{"the account listing's token with a user email filter", func() error {
			_, err := a.ListAccounts(ctx, &chime.ListAccountsInput{UserEmail: aws.String("a@example.com"), NextToken: aws.String(accountsToken)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantError(t, err, "BadRequestException")
			var bad *types.BadRequestException
			if !errors.As(err, &bad) || !strings.Contains(aws.ToString(bad.Message), "NextToken") {
				t.Fatalf("want a BadRequestException naming NextToken, got %v", err)
			}
		})
	}

	// The genuine tokens still work.
	rest, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(first), NextToken: aws.String(usersToken)})
	noErr(t, err)
	if len(rest.Users) != 1 || aws.ToString(rest.Users[0].UserId) == aws.ToString(users.Users[0].UserId) {
		t.Fatalf("the second page of users is wrong: %+v", rest.Users)
	}
}

// flipFirst changes a token's first character to another base64url one.
func flipFirst(token string) string {
	c := "A"
	if token[0] == 'A' {
		c = "B"
	}
	return c + token[1:]
}

// A listing with nothing to list still sends its list, as AWS does
// ("Users": []): boto3 callers index the member without a default.
func TestEmptyListingsSendTheirList(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	team := aws.ToString(createTeamAccount(t, e.client(keyA), "team").AccountId)
	for _, tc := range []struct {
		name   string
		req    rawRequest
		member string
	}{
		{"ListAccounts by an unknown name", rawRequest{method: "GET", path: "/accounts", query: "name=nobody"}, "Accounts"},
		{"ListUsers of an account without users", rawRequest{method: "GET", path: "/accounts/" + team + "/users"}, "Users"},
		{"ListRooms by a non-member", rawRequest{method: "GET", path: "/accounts/" + acct + "/rooms", query: "member-id=nobody"}, "Rooms"},
		{"ListRoomMemberships of an empty room", rawRequest{method: "GET", path: "/accounts/" + acct + "/rooms/" + room + "/memberships"}, "RoomMemberships"},
		{"ListBots without bots", rawRequest{method: "GET", path: "/accounts/" + acct + "/bots"}, "Bots"},
		{"ListPhoneNumbers without numbers", rawRequest{method: "GET", path: "/phone-numbers"}, "PhoneNumbers"},
		{"ListPhoneNumbers by voice connector", rawRequest{method: "GET", path: "/phone-numbers", query: "filter-name=VoiceConnectorId&filter-value=abc"}, "PhoneNumbers"},
		{"ListPhoneNumberOrders without orders", rawRequest{method: "GET", path: "/phone-number-orders"}, "PhoneNumberOrders"},
		{"SearchAvailablePhoneNumbers with no match", rawRequest{method: "GET", path: "/search", query: "type=phone-numbers&area-code=999"}, "E164PhoneNumbers"},
		{"webhooks of a room without any", rawRequest{method: "GET", path: roomWebhooksPath(acct, room)}, "Webhooks"},
		{"messages of an empty room", rawRequest{method: "GET", path: roomMessagesPath(acct, room)}, "Messages"},
		{"invitations of an account without any", rawRequest{method: "GET", path: "/_chimed/accounts/" + team + "/invitations"}, "Invitations"},
		{"audit trail of an operation never called", rawRequest{method: "GET", path: "/_chimed/audit", query: "operation=DeleteRoom"}, "Events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, keyA, tc.req)
			wantStatus(t, r, 200)
			var body map[string]json.RawMessage
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			if got := string(body[tc.member]); got != "[]" {
				t.Fatalf("%s is %q in %s, want []", tc.member, got, r.body)
			}
		})
	}
}

// A query string that is not valid percent-encoding is a malformed request:
// a 400 that says so, signed or not, rather than a signature refusal.
func TestMalformedQueryString(t *testing.T) {
	e := start(t)
	for _, unsigned := range []bool{false, true} {
		r := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts", query: "%zz=1", unsigned: unsigned})
		if r.status != 400 || r.errorType() != "BadRequestException" || !strings.HasPrefix(r.message(), "query string") {
			t.Errorf("unsigned %v: got %v, want 400 BadRequestException about the query string", unsigned, r)
		}
	}
}

// A URL the signature does not pin down is refused before it is routed: a
// repeated query parameter (SigV4 sorts the values, so which comes first is
// not signed) and a "." or ".." path segment (botocore signs the path with
// them resolved, while the router would read them as IDs).
func TestAmbiguousURLIsRefused(t *testing.T) {
	e := start(t)
	for _, tc := range []struct {
		name        string
		method      string
		path, query string
		message     string
	}{
		{"repeated parameter", "GET", "/accounts", "max-results=1&max-results=2", `query parameter "max-results" is given 2 times`},
		{"repeated operation", "POST", "/accounts/a/users", "operation=create&operation=add", `query parameter "operation" is given 2 times`},
		{"dot-dot segment", "DELETE", "/accounts/a/rooms/r/memberships/..", "", `a segment must not be ".."`},
		{"dot segment", "GET", "/accounts/./users", "", `a segment must not be "."`},
		{"repeated parameter of an extension", "GET", "/_chimed/audit", "max-results=1&max-results=2", `query parameter "max-results" is given 2 times`},
		{"dot segment of an extension", "GET", "/_chimed/accounts/a/../invitations", "", `a segment must not be ".."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(t, keyA, rawRequest{method: tc.method, path: tc.path, query: tc.query})
			if r.status != 400 || r.errorType() != "BadRequestException" || !strings.Contains(r.message(), tc.message) {
				t.Errorf("got %v, want 400 BadRequestException saying %s", r, tc.message)
			}
		})
	}
}

// A method or path the unsigned routes (webhooks, bot replies, invitation
// links) do not serve gets the API's JSON error, not the router's plain text.
func TestUnsignedRoutesAnswerJSONErrors(t *testing.T) {
	e := start(t)
	for _, req := range []rawRequest{
		{method: "GET", path: "/incomingwebhooks/abc"},
		{method: "PUT", path: "/botreplies/abc"},
		{method: "DELETE", path: "/invitations/abc"},
		{method: "POST", path: "/incomingwebhooks/abc/extra"},
		{method: "POST", path: "/botreplies/abc/"},
		{method: "POST", path: "/incomingwebhooks//abc", query: "token=x"},
	} {
		req.unsigned = true
		resp := e.send(t, keyA, req)
		if resp.status != http.StatusNotFound || resp.errorType() != "NotFoundException" || !strings.HasPrefix(resp.message(), "no endpoint "+req.method) {
			t.Errorf("%s %s: %s", req.method, req.path, resp)
		}
	}
}

// An extension path with an empty segment (an ID left empty) is no route:
// a JSON 404 once signed, not a redirect to the path without it.
func TestEmptySegmentOfAnExtensionPath(t *testing.T) {
	e := start(t)
	for _, req := range []rawRequest{
		{method: "POST", path: "/_chimed/accounts//domains", body: []byte(`{"Domain":"example.com","AccountType":"EnterpriseLWA"}`)},
		{method: "GET", path: "/_chimed//audit"},
		{method: "DELETE", path: "/_chimed/dial-outs//x"},
	} {
		resp := e.send(t, keyA, req)
		if resp.status != http.StatusNotFound || resp.errorType() != "NotFoundException" || !strings.HasPrefix(resp.message(), "no extension endpoint") {
			t.Errorf("%s %s: %s", req.method, req.path, resp)
		}
		req.unsigned = true
		if resp := e.send(t, keyA, req); resp.status != http.StatusForbidden {
			t.Errorf("unsigned %s %s: %s, want the signature checked first", req.method, req.path, resp)
		}
	}
}

// U+0000, and bytes that are not UTF-8, are refused wherever a request
// carries text, naming where: they are in no Chime name or ID, and
// PostgreSQL cannot store them (an internal error there before this check).
// So is half a surrogate pair escaped in JSON, which would be stored as
// U+FFFD.
func TestNULAndNonUTF8AreRefused(t *testing.T) {
	e := start(t)
	accountID := newAccount(t, e, "nul")
	const nul, utf8, surrogate = "U+0000", "UTF-8", "surrogate pair"
	tests := []struct {
		name  string
		req   rawRequest
		where string
		rule  string
	}{
		{"body member", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"a\u0000b"}`)}, "Name:", nul},
		{"nested body member", rawRequest{method: "POST", path: "/accounts/" + accountID + "/users", query: "operation=add",
			body: []byte(`{"UserEmailList":["ok@example.com","x\u0000@example.com"]}`)}, "UserEmailList[1]:", nul},
		{"query parameter", rawRequest{method: "GET", path: "/accounts", query: "name=a%00b"}, `query parameter "name"`, nul},
		{"path label", rawRequest{method: "GET", path: "/accounts/a%00b"}, "request path", nul},
		{"extension path", rawRequest{method: "GET", path: "/_chimed/dial-outs/a%00b"}, "request path", nul},
		{"unsigned link", rawRequest{method: "GET", path: "/invitations/a%00b", query: "token=x", unsigned: true}, "request path", nul},
		{"lone surrogate escaped", rawRequest{method: "POST", path: "/accounts", body: []byte(`{"Name":"team\udc80x"}`)}, "Name:", surrogate},
		{"surrogate's first half only", rawRequest{method: "POST", path: "/accounts/" + accountID + "/users", query: "operation=add",
			body: []byte(`{"UserEmailList":["ok@example.com","x\ud83d@example.com"]}`)}, "UserEmailList[1]:", surrogate},
		{"body not UTF-8", rawRequest{method: "POST", path: "/accounts", body: []byte("{\"Name\":\"a\xffb\"}")}, "request body", utf8},
		{"query parameter not UTF-8", rawRequest{method: "GET", path: "/accounts", query: "name=a%FFb"}, `query parameter "name"`, utf8},
		{"path label not UTF-8", rawRequest{method: "GET", path: "/accounts/a%FFb"}, "request path", utf8},
		{"phone number ID not UTF-8", rawRequest{method: "GET", path: "/phone-numbers/%FF"}, "request path", utf8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.send(t, keyA, tt.req)
			if resp.status != http.StatusBadRequest || resp.errorType() != "BadRequestException" ||
				!strings.HasPrefix(resp.message(), tt.where) || !strings.Contains(resp.message(), tt.rule) {
				t.Fatalf("got %v, want a 400 naming %s and %s", resp, tt.where, tt.rule)
			}
		})
	}
	accounts, err := e.client(keyA).ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(accounts.Accounts) != 1 {
		t.Fatalf("accounts after the refusals: %d, want the one made before", len(accounts.Accounts))
	}
}
