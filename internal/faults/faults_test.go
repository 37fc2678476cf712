package faults

import (
	"net/http/httptest"
	"testing"

	"github.com/chimed/chimed/internal/chime"
)

func intPtr(n int) *int { return &n }

func TestRuleDisturbsTheNextNCallsOfItsAccountOnly(t *testing.T) {
	in := New([]string{"GetAccount", "ListAccounts"})
	rule, err := in.Add("111", Rule{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", Remaining: intPtr(2)})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/accounts/x", nil)
	me, other := chime.Caller{AwsAccountID: "111"}, chime.Caller{AwsAccountID: "222"}
	if err := in.Intercept(req, "GetAccount", other); err != nil {
		t.Fatalf("another account's call was disturbed: %v", err)
	}
	if err := in.Intercept(req, "ListAccounts", me); err != nil {
		t.Fatalf("another operation was disturbed: %v", err)
	}
	for i := 0; i < 2; i++ {
		err := in.Intercept(req, "GetAccount", me)
		if chime.ErrorCode(err) != "ServiceUnavailable" {
			t.Fatalf("call %d: got %v, want ServiceUnavailable", i, err)
		}
	}
	if err := in.Intercept(req, "GetAccount", me); err != nil {
		t.Fatalf("third call still disturbed: %v", err)
	}
	if got := in.List("111"); len(got) != 0 {
		t.Fatalf("spent rule %s still listed: %+v", rule.RuleId, got)
	}
}

func TestAddRefusesBadRules(t *testing.T) {
	in := New([]string{"GetAccount"})
	bad := []Rule{
		{Operation: "Nope", ErrorType: "NotFoundException"},
		{Operation: "GetAccount"},
		{Operation: "GetAccount", ErrorType: "NoSuchException"},
		{Operation: "GetAccount", LatencyMs: -5, ErrorType: "NotFoundException"},
		{Operation: "GetAccount", ErrorType: "NotFoundException", Remaining: intPtr(0)},
		{Operation: "GetAccount", ErrorType: "NotFoundException", Probability: 1.5},
	}
	for _, r := range bad {
		if _, err := in.Add("111", r); chime.ErrorCode(err) != "BadRequest" {
			t.Errorf("Add(%+v) = %v, want BadRequest", r, err)
		}
	}
}

func TestRemove(t *testing.T) {
	in := New([]string{"GetAccount"})
	a, _ := in.Add("111", Rule{Operation: "*", LatencyMs: 1})
	in.Add("111", Rule{Operation: "*", LatencyMs: 1})
	in.Add("222", Rule{Operation: "*", LatencyMs: 1})
	if !in.Remove("111", a.RuleId) || len(in.List("111")) != 1 {
		t.Fatal("Remove by id")
	}
	if in.Remove("222", a.RuleId) {
		t.Fatal("removed another account's rule id")
	}
	in.Remove("111", "")
	if len(in.List("111")) != 0 || len(in.List("222")) != 1 {
		t.Fatal("Remove all touched the wrong account")
	}
}
