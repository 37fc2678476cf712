package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// validationMessage is the form of the model's validation refusals: the
// member's path, then the rule it breaks.
var validationMessage = regexp.MustCompile(`^[A-Za-z0-9.\[\]]+: (required member is missing|length must|must match pattern|must be one of|must be between|must be at least|must be at most|must contain at)`)

// TestNotImplementedOperationsNameThemselves sends every operation of the
// model a valid request. An operation that is not implemented yet must answer
// 501 NotImplementedException with a message that names it: that proves the
// request was dispatched to that operation's method and not a neighbour's.
// The set is found at run time, so it shrinks as operations land. No
// operation may fail a valid request as an internal error (a 503 for a
// feature the server was not configured with is a refusal, not a failure).
func TestNotImplementedOperationsNameThemselves(t *testing.T) {
	e := start(t)
	m := loadModel(t)
	w := walker{t: t, m: m}
	var pending []string
	for _, name := range m.operationNames() {
		t.Run(name, func(t *testing.T) {
			r := e.send(t, keyA, w.baseline(m.Operations[name]).raw(t))
			switch {
			case r.status == http.StatusNotImplemented:
				pending = append(pending, name)
				if r.errorType() != "NotImplementedException" || !strings.HasPrefix(r.message(), name+" ") {
					t.Errorf("501 that does not name %s: %v", name, r)
				}
			case r.status == http.StatusInternalServerError:
				t.Errorf("a valid request answered %v", r)
			case r.status == http.StatusBadRequest && validationMessage.MatchString(r.message()):
				t.Errorf("the model walk built an invalid request, so dispatch was not reached: %v", r)
			}
		})
	}
	t.Logf("%d of %d operations not implemented yet: %s", len(pending), len(m.Operations), strings.Join(pending, ", "))
}
