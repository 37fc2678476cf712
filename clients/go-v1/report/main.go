// Command report reads `go test -json` of the suite on stdin and reports it
// per operation of the service model, as clients/js/reporter.mjs does: the
// output of each failed test, then one line per operation (pass when its
// test, Test<Operation>, passed) and a final "N passed, N failed". It exits 1
// unless every operation passed and nothing else failed.
//
//	go test -count=1 -json . | go run ./report
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go/aws"
)

// The model, relative to the module's directory, where the suite runs.
const modelPath = "../../api/chime-2018-05-01.model.json"

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action string
	Test   string
	Output string
}

func main() {
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var model struct{ Operations map[string]json.RawMessage }
	if err := json.Unmarshal(raw, &model); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", modelPath, err)
		os.Exit(2)
	}
	outcomes, output, failedTests := read(os.Stdin)

	for _, name := range failedTests {
		fmt.Print(output[name])
	}
	// The package failed with no test failing: it did not build, or the
	// test binary failed outside the tests.
	packageFailed := outcomes[""] == "FAIL" && len(failedTests) == 0
	if packageFailed {
		fmt.Print(output[""])
	}

	// The test binary carries the same aws-sdk-go as this program: both are
	// built from this module's go.mod.
	fmt.Printf("\naws-sdk-go v%s / %s\n", aws.SDKVersion, runtime.Version())
	passed, failed := 0, 0
	for _, op := range slices.Sorted(maps.Keys(model.Operations)) {
		outcome, ok := outcomes["Test"+op]
		if !ok {
			outcome = "FAIL (no test)"
		}
		if outcome == "pass" {
			passed++
		} else {
			failed++
		}
		fmt.Printf("%-46s %s\n", op, outcome)
	}
	// A test that is not an operation's and failed fails the run too.
	for _, name := range slices.Sorted(maps.Keys(outcomes)) {
		if _, isOp := model.Operations[strings.TrimPrefix(name, "Test")]; isOp || name == "" || outcomes[name] == "pass" {
			continue
		}
		failed++
		fmt.Printf("%-46s %s (not an operation)\n", name, outcomes[name])
	}
	if packageFailed {
		failed++
		fmt.Printf("%-46s FAIL (not an operation)\n", "the test package")
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// read returns each top-level test's outcome ("pass", "FAIL" or "FAIL
// (skipped)"; the package's under ""), the output of each (a subtest's with
// its test's), and the tests that failed in the order they ended.
func read(r io.Reader) (outcomes, output map[string]string, failedTests []string) {
	outcomes, output = map[string]string{}, map[string]string{}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			// Not test2json's: something the go command said.
			output[""] += scanner.Text() + "\n"
			outcomes[""] = "FAIL"
			continue
		}
		name, _, sub := strings.Cut(e.Test, "/")
		switch {
		case e.Action == "output" || e.Action == "build-output":
			output[name] += e.Output
		case sub:
			// A subtest's outcome is part of its test's.
		case e.Action == "pass":
			outcomes[name] = "pass"
		case e.Action == "skip" && name != "":
			outcomes[name] = "FAIL (skipped)"
		case e.Action == "fail" || e.Action == "build-fail":
			if name != "" {
				failedTests = append(failedTests, name)
			}
			outcomes[name] = "FAIL"
		}
	}
	if err := scanner.Err(); err != nil {
		output[""] += fmt.Sprintf("reading go test -json: %v\n", err)
		outcomes[""] = "FAIL"
	}
	return outcomes, output, failedTests
}
