package e2e

import (
	"context"
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
