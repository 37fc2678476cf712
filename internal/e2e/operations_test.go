package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/chimed/chimed/api"
)

// The operations report: which operations of the model the end-to-end tests
// called through the AWS SDK for Go v2 and got a success from. clients/run.sh
// sets CHIMED_OPERATIONS_REPORT to a file; the report is written there and
// the run fails unless every operation succeeded at least once (and, as
// always, unless every test passed).

var succeeded = struct {
	sync.Mutex
	calls map[string]int
}{calls: map[string]int{}}

// recordOperations is an SDK client option that counts each successful call
// by operation name. It sits at the end of the Initialize step, so it sees
// the final outcome of the call, after retries and deserialisation.
func recordOperations(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ChimedOperationsReport",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if err == nil {
				succeeded.Lock()
				succeeded.calls[awsmiddleware.GetOperationName(ctx)]++
				succeeded.Unlock()
			}
			return out, md, err
		}), middleware.After)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if path := os.Getenv("CHIMED_OPERATIONS_REPORT"); path != "" {
		report, missing, err := operationsReport(code == 0)
		if err == nil {
			err = os.WriteFile(path, []byte(report), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "operations report:", err)
			code = 1
		}
		if missing > 0 && code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// operationsReport is one line per operation of the model and a total. An
// operation passes when the SDK got a success from it at least once and the
// whole suite passed.
func operationsReport(suitePassed bool) (string, int, error) {
	var m struct{ Operations map[string]json.RawMessage }
	if err := json.Unmarshal(api.Model, &m); err != nil {
		return "", 0, err
	}
	names := make([]string, 0, len(m.Operations))
	for name := range m.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	succeeded.Lock()
	defer succeeded.Unlock()
	var b strings.Builder
	passed, failed := 0, 0
	for _, name := range names {
		n := succeeded.calls[name]
		switch {
		case n > 0 && suitePassed:
			passed++
			fmt.Fprintf(&b, "%-46s pass (%d successful calls)\n", name, n)
		case n > 0:
			failed++
			fmt.Fprintf(&b, "%-46s FAIL (called, but the suite failed)\n", name)
		default:
			failed++
			fmt.Fprintf(&b, "%-46s FAIL (never succeeded through the SDK)\n", name)
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, failed)
	return b.String(), failed, nil
}
