package faults

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func intPtr(n int) *int { return &n }

func floatPtr(f float64) *float64 { return &f }

// modelled stands for wire.ModelledErrors: a few operations and their errors.
var modelled = map[string][]string{
	"GetAccount":   {"NotFoundException", "ServiceUnavailableException"},
	"ListAccounts": {"ServiceUnavailableException"},
	"CreateUser":   {"ConflictException", "ServiceUnavailableException"},
}

func TestRuleDisturbsTheNextNCallsOfItsAccountOnly(t *testing.T) {
	in := New(modelled)
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
	in := New(modelled)
	bad := []Rule{
		{Operation: "Nope", ErrorType: "NotFoundException"},
		{Operation: "GetAccount"},
		{Operation: "GetAccount", ErrorType: "NoSuchException"},
		{Operation: "GetAccount", LatencyMs: -5, ErrorType: "NotFoundException"},
		// A delay is at most a minute.
		{Operation: "GetAccount", LatencyMs: 60_001},
		{Operation: "GetAccount", ErrorType: "NotFoundException", Remaining: intPtr(0)},
		{Operation: "GetAccount", ErrorType: "NotFoundException", Probability: floatPtr(1.5)},
		// 0 is not taken for "absent", which means 1.
		{Operation: "GetAccount", ErrorType: "NotFoundException", Probability: floatPtr(0)},
		// A modelled error, but not one of GetAccount's.
		{Operation: "GetAccount", ErrorType: "ConflictException"},
		// Retry-After goes with the answers clients retry only.
		{Operation: "GetAccount", ErrorType: "NotFoundException", RetryAfterSeconds: 5},
		{Operation: "GetAccount", LatencyMs: 5, RetryAfterSeconds: 5},
		{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", RetryAfterSeconds: -1},
		{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", RetryAfterSeconds: 3601},
	}
	for _, r := range bad {
		if _, err := in.Add("111", r); chime.ErrorCode(err) != "BadRequest" {
			t.Errorf("Add(%+v) = %v, want BadRequest", r, err)
		}
	}
}

func TestRemove(t *testing.T) {
	in := New(modelled)
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

// Every matching rule disturbs a call: a "*" latency rule and an error rule
// added after it both apply, their delays adding up; of two error rules the
// first answers, and the second keeps its uses.
func TestMatchingRulesCombine(t *testing.T) {
	in := New(modelled)
	for _, r := range []Rule{
		{Operation: "*", LatencyMs: 30},
		{Operation: "GetAccount", ErrorType: "NotFoundException", LatencyMs: 20, Remaining: intPtr(1)},
		{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", Remaining: intPtr(1)},
	} {
		if _, err := in.Add("111", r); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest("GET", "/accounts/x", nil)
	me := chime.Caller{AwsAccountID: "111"}
	for _, want := range []struct {
		code  string
		delay time.Duration
	}{{"NotFound", 50 * time.Millisecond}, {"ServiceUnavailable", 30 * time.Millisecond}, {"", 30 * time.Millisecond}} {
		start := time.Now()
		err := in.Intercept(req, "GetAccount", me)
		if took := time.Since(start); chime.ErrorCode(err) != want.code || took < want.delay {
			t.Fatalf("got %v after %v, want code %q after at least %v", err, took, want.code, want.delay)
		}
	}
	if left := in.List("111"); len(left) != 1 || left[0].LatencyMs != 30 {
		t.Fatalf("rules left: %+v, want the latency rule", left)
	}
}

// The delays of the rules that match a call add up to a minute at most, so
// that the answer still comes before the server's write deadline.
func TestMatchingDelaysStopAtAMinute(t *testing.T) {
	in := New(modelled)
	for range 3 {
		if _, err := in.Add("111", Rule{Operation: "*", LatencyMs: 60_000}); err != nil {
			t.Fatal(err)
		}
	}
	if delay, _ := in.take("GetAccount", "111"); delay != time.Minute {
		t.Fatalf("three rules of 60 s delay a call by %v, want 1m0s", delay)
	}
}

// A rule for every operation answers its error only where the model lists
// it, and spends its uses there alone.
func TestEveryOperationRuleSkipsOperationsWithoutItsError(t *testing.T) {
	in := New(modelled)
	if _, err := in.Add("111", Rule{Operation: "*", ErrorType: "ConflictException", Remaining: intPtr(1)}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	me := chime.Caller{AwsAccountID: "111"}
	for _, op := range []string{"GetAccount", "ListAccounts"} {
		if err := in.Intercept(req, op, me); err != nil {
			t.Fatalf("%s answered %v, which its model does not list", op, err)
		}
	}
	if err := in.Intercept(req, "CreateUser", me); chime.ErrorCode(err) != "Conflict" {
		t.Fatalf("CreateUser: got %v, want Conflict", err)
	}
	if err := in.Intercept(req, "CreateUser", me); err != nil {
		t.Fatalf("the rule's one use was spent, yet: %v", err)
	}
}

// The rules Add and List hand out are snapshots: the server encodes them
// while calls go on spending the stored rule's uses (a data race when they
// shared its Remaining).
func TestHandedOutRulesAreSnapshots(t *testing.T) {
	in := New(modelled)
	added, err := in.Add("111", Rule{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", Remaining: intPtr(3)})
	if err != nil {
		t.Fatal(err)
	}
	listed := in.List("111")
	req := httptest.NewRequest("GET", "/accounts/x", nil)
	if err := in.Intercept(req, "GetAccount", chime.Caller{AwsAccountID: "111"}); err == nil {
		t.Fatal("the rule did not disturb the call")
	}
	if *added.Remaining != 3 || *listed[0].Remaining != 3 {
		t.Fatalf("handed-out Remaining changed to %d and %d, want 3", *added.Remaining, *listed[0].Remaining)
	}
	if now := in.List("111"); *now[0].Remaining != 2 {
		t.Fatalf("listed Remaining %d after one use, want 2", *now[0].Remaining)
	}
}

// A rule with a Probability disturbs about that share of its matching
// calls, and a call it lets through does not spend one of its uses.
func TestProbability(t *testing.T) {
	in := New(modelled)
	if _, err := in.Add("111", Rule{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", Probability: floatPtr(0.3)}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/accounts/x", nil)
	me := chime.Caller{AwsAccountID: "111"}
	const calls = 2000
	disturbed := 0
	for range calls {
		if in.Intercept(req, "GetAccount", me) != nil {
			disturbed++
		}
	}
	// 600 expected, with a standard deviation of 20.5: the bounds are six
	// deviations away.
	if disturbed < 480 || disturbed > 720 {
		t.Fatalf("a rule of probability 0.3 disturbed %d of %d calls", disturbed, calls)
	}

	in = New(modelled)
	if _, err := in.Add("111", Rule{Operation: "GetAccount", ErrorType: "ServiceUnavailableException", Probability: floatPtr(0.5), Remaining: intPtr(3)}); err != nil {
		t.Fatal(err)
	}
	disturbed = 0
	for range calls {
		if in.Intercept(req, "GetAccount", me) != nil {
			disturbed++
		}
	}
	if disturbed != 3 {
		t.Fatalf("a rule of 3 uses at probability 0.5 disturbed %d calls", disturbed)
	}
}

// The longest delay, a minute, is taken (a millisecond more is refused:
// TestAddRefusesBadRules).
func TestLatencyOfAMinuteIsTaken(t *testing.T) {
	if _, err := New(modelled).Add("111", Rule{Operation: "GetAccount", LatencyMs: 60_000}); err != nil {
		t.Fatalf("Add(LatencyMs: 60000) = %v, want it taken", err)
	}
}

// The calls of extension endpoints (the test API's own among them) are not
// disturbed, and do not spend a "*" rule's uses.
func TestExtensionEndpointsAreNotDisturbed(t *testing.T) {
	in := New(modelled)
	if _, err := in.Add("111", Rule{Operation: "*", LatencyMs: 200, Remaining: intPtr(1)}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/_chimed/test/faults", nil)
	start := time.Now()
	if err := in.Intercept(req, "ListFaults", chime.Caller{AwsAccountID: "111"}); err != nil || time.Since(start) >= 200*time.Millisecond {
		t.Fatalf("an extension endpoint's call got %v after %v", err, time.Since(start))
	}
	if left := in.List("111"); len(left) != 1 || *left[0].Remaining != 1 {
		t.Fatalf("rules left: %+v, want the rule with its one use", left)
	}
}

// A caller that hangs up during the delay cancels the call: Intercept
// fails it, so the operation does not run after its client gave up.
func TestHangUpDuringTheDelayCancelsTheCall(t *testing.T) {
	in := New(modelled)
	if _, err := in.Add("111", Rule{Operation: "CreateUser", LatencyMs: 5_000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest("POST", "/accounts/x/users", nil).WithContext(ctx)
	start := time.Now()
	err := in.Intercept(req, "CreateUser", chime.Caller{AwsAccountID: "111"})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("a call whose caller hung up during the delay got %v after %v, want an error at once", err, time.Since(start))
	}
}
