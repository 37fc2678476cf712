package e2e

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// testSQLiteAccess runs two processes of the binary on one SQLite file. By
// default the first keeps the file to itself and the second stops at once,
// saying why; with --sqlite-shared both serve it.
func testSQLiteAccess(t *testing.T, bin string) {
	t.Run("exclusive by default", func(t *testing.T) {
		dir := t.TempDir()
		args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", keyACredentials(t, dir)}
		runChimed(t, bin, args, nil)
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		start := time.Now()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		if err == nil || ctx.Err() != nil {
			t.Fatalf("second process: %v, want it to stop with an error\n%s", err, out)
		}
		if !strings.Contains(string(out), "another process has the database open") {
			t.Errorf("second process said %q", out)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("second process took %v to stop", took)
		}
	})
	t.Run("answers while starting", func(t *testing.T) { testAnswersWhileStarting(t, bin) })
	t.Run("--sqlite-shared", func(t *testing.T) {
		dir := t.TempDir()
		args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", keyACredentials(t, dir), "--sqlite-shared"}
		first, second := runChimed(t, bin, args, nil), runChimed(t, bin, args, nil)
		created, err := first.client().CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("shared-file")})
		noErr(t, err)
		got, err := second.client().GetAccount(ctx, &chime.GetAccountInput{AccountId: created.Account.AccountId})
		noErr(t, err)
		if aws.ToString(got.Account.Name) != "shared-file" {
			t.Fatalf("second process read %+v", got.Account)
		}
	})
}

// testAnswersWhileStarting watches a chimed that waits for its database (a
// second process on an exclusive file waits a second, as a migration can
// take longer): it serves from the start, alive and not ready, and the API
// answers 503, which the SDKs retry.
func testAnswersWhileStarting(t *testing.T, bin string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chimed.db")
	runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", db, "--credentials", keyACredentials(t, dir)}, nil)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	second := exec.Command(bin, "--addr", addr, "--db", db, "--credentials", keyACredentials(t, dir))
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		second.Process.Kill()
		second.Wait()
	}()
	p := &chimedProcess{url: "http://" + addr}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("/healthz while starting: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second chimed never served")
		}
	}
	resp, err := http.Get(p.url + "/readyz")
	noErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("/readyz while starting: %d, want 503", resp.StatusCode)
	}
	_, err = p.client().ListAccounts(ctx, &chime.ListAccountsInput{})
	wantError(t, err, "ServiceUnavailableException")
}
