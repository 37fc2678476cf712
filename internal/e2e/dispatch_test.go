package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/server"
)

// validationMessage is the form of the model's validation refusals: the
// member's path, then the rule it breaks.
var validationMessage = regexp.MustCompile(`^[A-Za-z0-9.\[\]]+: (required member is missing|length must|must match pattern|must be one of|must be between|must be at least|must be at most|must contain at)`)

// TestEveryOperationAnswersAValidRequest sends every operation of the model a
// valid request (made up from the model, so its IDs mostly name nothing). It
// must reach the operation — not be refused by the model's constraint checks —
// and be answered without an internal error: a success, or a refusal such as
// NotFound (a 503 for a feature the server was not configured with is a
// refusal too). The request log names the operation that served it.
func TestEveryOperationAnswersAValidRequest(t *testing.T) {
	logs := &syncBuffer{}
	e := start(t, func(c *server.Config) { c.LogOutput = logs })
	m := loadModel(t)
	w := walker{t: t, m: m}
	for _, name := range m.operationNames() {
		t.Run(name, func(t *testing.T) {
			r := e.send(t, keyA, w.baseline(m.Operations[name]).raw(t))
			switch {
			case r.status >= http.StatusInternalServerError && r.status != http.StatusServiceUnavailable:
				t.Errorf("a valid request answered %v", r)
			case r.status == http.StatusBadRequest && validationMessage.MatchString(r.message()):
				t.Errorf("the model walk built an invalid request, so dispatch was not reached: %v", r)
			}
			id := r.header.Get("x-amzn-RequestId")
			if !strings.Contains(logs.String(), `"request_id":"`+id+`","operation":"`+name+`"`) {
				t.Errorf("request %s was not logged as served by %s", id, name)
			}
		})
	}
}
