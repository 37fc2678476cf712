// Package faults makes chosen API calls fail or slow down on purpose, so that
// test authors can exercise their retry and error handling against chimed.
// Rules live in memory of one server process and apply to the calls of the
// AWS account that made them.
package faults

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/wire"
)

// Rule says which calls to disturb and how.
type Rule struct {
	RuleId string
	// Operation is an operation name, or "*" for every operation.
	Operation string
	// ErrorType is the modelled error shape to answer with; empty for
	// latency only.
	ErrorType string `json:",omitempty"`
	// LatencyMs delays the call before it is answered.
	LatencyMs int `json:",omitempty"`
	// Remaining is how many more calls the rule disturbs; absent = no limit.
	Remaining *int `json:",omitempty"`
	// Probability (0 < p ≤ 1) that a matching call is disturbed; 1 if absent.
	Probability *float64
	// RetryAfterSeconds, for an error a client retries (a 429 or 503),
	// is the answer's Retry-After, as chimed's own rate limit sends one.
	RetryAfterSeconds int `json:",omitempty"`

	awsAccountID string
}

// retried are the error shapes whose answers may carry a Retry-After.
var retried = map[string]bool{"ThrottledClientException": true, "ServiceUnavailableException": true}

// Injector holds the rules and applies them to calls.
type Injector struct {
	mu    sync.Mutex
	rules []*Rule
	// errors maps each operation to the error shapes its model lists.
	errors map[string][]string
}

// New returns an Injector for the operations of errors, which maps each to
// the error shapes its model lists (wire.ModelledErrors).
func New(errors map[string][]string) *Injector {
	return &Injector{errors: errors}
}

// Add validates a rule and starts applying it to awsAccountID's calls.
func (in *Injector) Add(awsAccountID string, r Rule) (Rule, error) {
	modelled, ok := in.errors[r.Operation]
	if !ok && r.Operation != "*" {
		return Rule{}, chime.BadRequest("Operation: %q is not an operation of the API (or \"*\")", r.Operation)
	}
	if r.ErrorType == "" && r.LatencyMs <= 0 {
		return Rule{}, chime.BadRequest("a fault needs an ErrorType, a LatencyMs > 0, or both")
	}
	if r.ErrorType != "" {
		if _, ok := wire.ErrorOfShape(r.ErrorType, ""); !ok {
			return Rule{}, chime.BadRequest("ErrorType: must be one of %v", wire.ErrorShapes())
		}
		// The SDKs type only the errors an operation's model lists; an
		// injected other one would be an answer the real service never gave.
		if r.Operation != "*" && !slices.Contains(modelled, r.ErrorType) {
			return Rule{}, chime.BadRequest("ErrorType: the model of %s lists no %s; it lists %v", r.Operation, r.ErrorType, modelled)
		}
	}
	if r.RetryAfterSeconds != 0 && !retried[r.ErrorType] {
		return Rule{}, chime.BadRequest("RetryAfterSeconds: only ThrottledClientException (429) and ServiceUnavailableException (503) answers carry a Retry-After")
	}
	if r.RetryAfterSeconds < 0 || r.RetryAfterSeconds > 3600 {
		return Rule{}, chime.BadRequest("RetryAfterSeconds: must be between 1 and 3600 when given")
	}
	if r.LatencyMs < 0 || r.LatencyMs > int(maxLatency.Milliseconds()) {
		return Rule{}, chime.BadRequest("LatencyMs: must be between 0 and %d", maxLatency.Milliseconds())
	}
	if r.Remaining != nil && *r.Remaining < 1 {
		return Rule{}, chime.BadRequest("Remaining: must be at least 1 when given")
	}
	if r.Probability == nil {
		always := 1.0
		r.Probability = &always
	}
	// 0 is refused rather than read as absent: a rule that disturbs no call
	// is a mistake, and 1 would be the opposite of what was asked.
	if p := *r.Probability; p <= 0 || p > 1 {
		return Rule{}, chime.BadRequest("Probability: must be greater than 0 and at most 1")
	}
	r.RuleId = chime.NewID()
	r.awsAccountID = awsAccountID
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = append(in.rules, &r)
	return r.copied(), nil
}

// copied returns r with a Remaining of its own: take decrements the stored
// rule's under the lock, while a copy handed out is read (encoded) without it.
func (r *Rule) copied() Rule {
	c := *r
	if r.Remaining != nil {
		n := *r.Remaining
		c.Remaining = &n
	}
	return c
}

// List returns awsAccountID's rules.
func (in *Injector) List(awsAccountID string) []Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := []Rule{}
	for _, r := range in.rules {
		if r.awsAccountID == awsAccountID {
			out = append(out, r.copied())
		}
	}
	return out
}

// Remove deletes one of awsAccountID's rules ("" = all of them) and says
// whether any was found.
func (in *Injector) Remove(awsAccountID, ruleID string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := len(in.rules)
	in.rules = slices.DeleteFunc(in.rules, func(r *Rule) bool {
		return r.awsAccountID == awsAccountID && (ruleID == "" || r.RuleId == ruleID)
	})
	return len(in.rules) < n
}

// Intercept is a wire.Interceptor: the rules that disturb the call (take)
// delay it, then one of them may fail it.
func (in *Injector) Intercept(r *http.Request, operation string, caller chime.Caller) error {
	if _, ok := in.errors[operation]; !ok {
		return nil // an extension endpoint, the test API's own among them
	}
	delay, failing := in.take(operation, caller.AwsAccountID)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return r.Context().Err()
		}
	}
	if failing == nil {
		return nil
	}
	err, _ := wire.ErrorOfShape(failing.ErrorType, fmt.Sprintf("fault injected by rule %s", failing.RuleId))
	err.RetryAfter = time.Duration(failing.RetryAfterSeconds) * time.Second
	return err
}

// maxLatency bounds a call's injected delay, of one rule or of all that match
// it together: the server's write deadline (2 minutes) must leave the
// operation time to answer after it.
const maxLatency = time.Minute

// take finds the rules that disturb this call, spending one use of each.
// Every matching rule does, in the order they were added, save one with an
// error once an earlier one has failed the call: a "*" latency rule and an
// error rule for one operation both apply. The delays add up, to at most
// maxLatency; the failing rule is the first with an error.
func (in *Injector) take(operation, awsAccountID string) (delay time.Duration, failing *Rule) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, r := range in.rules {
		if r.awsAccountID != awsAccountID || (r.Operation != "*" && r.Operation != operation) {
			continue
		}
		if r.ErrorType != "" && (failing != nil || !slices.Contains(in.errors[operation], r.ErrorType)) {
			continue // a "*" rule passes over operations that cannot answer its error
		}
		if *r.Probability < 1 && rand.Float64() >= *r.Probability {
			continue
		}
		delay = min(delay+time.Duration(r.LatencyMs)*time.Millisecond, maxLatency)
		if r.ErrorType != "" {
			c := r.copied()
			failing = &c
		}
		if r.Remaining != nil {
			*r.Remaining--
		}
	}
	in.rules = slices.DeleteFunc(in.rules, func(r *Rule) bool { return r.Remaining != nil && *r.Remaining == 0 })
	return delay, failing
}
