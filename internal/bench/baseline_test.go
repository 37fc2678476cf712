package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"syscall"
	"testing"
)

// TestMain lets this test binary be the baseline process that
// StartBaselineProcess starts, as chimebench's main does, or a process that
// holds a TempDir (tempdir_test.go).
func TestMain(m *testing.M) {
	if prefix := os.Getenv(holdTempDirEnv); prefix != "" {
		holdTempDir(prefix)
	}
	if os.Getenv(ServeBaselineEnv) != "" {
		if err := ServeBaseline(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBaselineProcess checks that the baseline can serve from a process of
// its own, the same answer as in this one, and that Close ends the process.
func TestBaselineProcess(t *testing.T) {
	answers := map[string]canned{getUser.Name: {Status: http.StatusOK, Body: []byte(userBody)}}
	inProcess, err := StartBaseline(answers)
	if err != nil {
		t.Fatal(err)
	}
	defer inProcess.Close()
	own, err := StartBaselineProcess(answers)
	if err != nil {
		t.Fatal(err)
	}
	if own.Pid == 0 || own.Pid == os.Getpid() {
		t.Fatalf("the baseline's process is %d, want one of its own (this is %d)", own.Pid, os.Getpid())
	}
	f := NewFixture(1000)
	c := newClient(f, 1)
	defer c.close()
	for _, b := range []*Baseline{inProcess, own} {
		var buf bytes.Buffer
		a, err := c.do(context.Background(), b.URL, newGens(getUser, f, 1)[0].next(), &buf)
		if err != nil || a.status != http.StatusOK || string(a.body) != userBody {
			t.Fatalf("GetUser from the baseline at %s: status %d, %q, %v; want 200 and %q", b.URL, a.status, a.body, err, userBody)
		}
	}
	if err := own.Close(); err != nil {
		t.Fatalf("close the baseline process: %v", err)
	}
	if err := syscall.Kill(own.Pid, 0); err == nil {
		t.Fatalf("the baseline process %d still runs after Close", own.Pid)
	}
}
