package wire

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chimed/chimed/api"
)

// modelOperation is an operation's HTTP binding as the model states it.
type modelOperation struct {
	name, method, requestURI string
	status                   int
}

// modelOperations walks the embedded service model.
func modelOperations(t *testing.T) []modelOperation {
	t.Helper()
	var m struct {
		Operations map[string]struct {
			HTTP struct {
				Method       string `json:"method"`
				RequestURI   string `json:"requestUri"`
				ResponseCode int    `json:"responseCode"`
			} `json:"http"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(api.Model, &m); err != nil {
		t.Fatal(err)
	}
	var ops []modelOperation
	for name, op := range m.Operations {
		status := op.HTTP.ResponseCode
		if status == 0 {
			status = 200 // the model's default
		}
		ops = append(ops, modelOperation{name, op.HTTP.Method, op.HTTP.RequestURI, status})
	}
	slices.SortFunc(ops, func(a, b modelOperation) int { return strings.Compare(a.name, b.name) })
	if len(ops) != 62 {
		t.Fatalf("the model has %d operations, want the 62 of API version 2018-05-01", len(ops))
	}
	return ops
}

var labelPattern = regexp.MustCompile(`\{([^}]+)\}`)

// labelValues are what a path label may hold: a plain ID, an E.164 number
// (its + arrives as %2B) and a value with an encoded slash, which must not
// split the label.
var labelValues = []struct{ encoded, decoded string }{
	{"0f3b5e2c-1d1e-4a7b-9c55-7e8f00a1b2c3", "0f3b5e2c-1d1e-4a7b-9c55-7e8f00a1b2c3"},
	{"%2B12065550100", "+12065550100"},
	{"team%2Fa%20b", "team/a b"},
}

// TestRouterMatchesEveryModelOperation builds, for every operation of the
// model, a concrete request from its URI template and checks the router picks
// exactly that operation, with the labels decoded and the model's success
// status.
func TestRouterMatchesEveryModelOperation(t *testing.T) {
	ops := modelOperations(t)
	r := newRouter(operations)
	if len(operations) != len(ops) {
		t.Errorf("the routing table has %d operations, the model %d", len(operations), len(ops))
	}
	for _, mo := range ops {
		t.Run(mo.name, func(t *testing.T) {
			template, literal, _ := strings.Cut(mo.requestURI, "?")
			query, err := url.ParseQuery(literal)
			if err != nil {
				t.Fatal(err)
			}
			// Optional query-string members must not change the match.
			query.Set("max-results", "10")
			for _, v := range labelValues {
				want := map[string]string{}
				path := labelPattern.ReplaceAllStringFunc(template, func(l string) string {
					want[strings.Trim(l, "{}")] = v.decoded
					return v.encoded
				})
				op, labels, ok := r.match(mo.method, path, query)
				if !ok {
					t.Fatalf("%s %s?%s matches no operation", mo.method, path, query.Encode())
				}
				if op.name != mo.name {
					t.Fatalf("%s %s?%s routed to %s", mo.method, path, query.Encode(), op.name)
				}
				if op.status != mo.status {
					t.Errorf("success status %d, the model says %d", op.status, mo.status)
				}
				got := map[string]string{}
				for i := 0; i < len(labels); i += 2 {
					got[labels[i]] = labels[i+1]
				}
				if len(got) != len(want) {
					t.Errorf("labels %v, want %v", got, want)
				}
				for name, value := range want {
					if got[name] != value {
						t.Errorf("label %s = %q, want %q (sent %s)", name, got[name], value, path)
					}
				}
			}
		})
	}
}

// TestRouterSharedPaths covers the operations that differ only by their
// literal query, and requests that must match nothing.
func TestRouterSharedPaths(t *testing.T) {
	r := newRouter(operations)
	tests := []struct {
		method string
		target string // encoded path and query
		want   string // "" means no operation
	}{
		{"POST", "/accounts/a1/users?operation=create", "CreateUser"},
		{"POST", "/accounts/a1/users?operation=add", "InviteUsers"},
		{"POST", "/accounts/a1/users?operation=suspend", "BatchSuspendUser"},
		{"POST", "/accounts/a1/users?operation=unsuspend", "BatchUnsuspendUser"},
		{"POST", "/accounts/a1/users", "BatchUpdateUser"},
		{"POST", "/accounts/a1/users?operation=create&next-token=x", "CreateUser"},
		{"POST", "/accounts/a1/users?operation=nope", ""},
		{"POST", "/accounts/a1/users?operation=", ""},
		{"POST", "/accounts/a1", "UpdateAccount"},
		{"POST", "/accounts/a1?operation=associate-signin-delegate-groups", "AssociateSigninDelegateGroupsWithAccount"},
		{"POST", "/accounts/a1?operation=disassociate-signin-delegate-groups", "DisassociateSigninDelegateGroupsFromAccount"},
		{"POST", "/accounts/a1?operation=logout", ""},
		{"POST", "/accounts/a1/users/u1", "UpdateUser"},
		{"POST", "/accounts/a1/users/u1?operation=logout", "LogoutUser"},
		{"POST", "/accounts/a1/users/u1?operation=reset-personal-pin", "ResetPersonalPIN"},
		{"POST", "/accounts/a1/users/u1?operation=suspend", ""},
		{"GET", "/search?type=phone-numbers&area-code=206", "SearchAvailablePhoneNumbers"},
		{"GET", "/search", ""},
		{"GET", "/search?type=rooms", ""},
		{"GET", "/accounts", "ListAccounts"},
		{"PUT", "/accounts", ""},
		{"GET", "/accounts/", ""},
		{"GET", "/accounts//users", ""},
		{"GET", "/accounts/a1/users/u1/extra", ""},
		{"GET", "/nowhere", ""},
		{"GET", "/accounts/a1%2Fusers", "GetAccount"},
		{"GET", "/accounts/%zz", ""},
	}
	for _, tt := range tests {
		path, rawQuery, _ := strings.Cut(tt.target, "?")
		query, err := url.ParseQuery(rawQuery)
		if err != nil {
			t.Fatal(err)
		}
		op, _, ok := r.match(tt.method, path, query)
		got := ""
		if ok {
			got = op.name
		}
		if got != tt.want {
			t.Errorf("%s %s: routed to %q, want %q", tt.method, tt.target, got, tt.want)
		}
	}
}
