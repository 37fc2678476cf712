package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// testSIGHUPReloadsCredentials rotates the credentials file under a running
// server: after SIGHUP the new key works and the removed one is refused,
// and a file that does not load leaves the keys in use. The process keeps
// running throughout (SIGHUP's default action would end it).
func testSIGHUPReloadsCredentials(t *testing.T, bin string) {
	dir := t.TempDir()
	creds := keyACredentials(t, dir)
	p := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", creds}, nil)
	e := p.env(t)
	listAccounts := func(key string) error {
		_, err := e.client(key).ListAccounts(ctx, &chime.ListAccountsInput{})
		return err
	}
	noErr(t, listAccounts(keyA))
	wantError(t, listAccounts(keyB), "UnrecognizedClientException")

	writeJSON(t, creds, map[string]any{"Credentials": []map[string]string{
		{"AccessKeyId": keyB, "SecretAccessKey": secret, "AwsAccountId": accountB},
	}})
	p.hangUp(t, "credentials reloaded")
	noErr(t, listAccounts(keyB))
	wantError(t, listAccounts(keyA), "UnrecognizedClientException")

	if err := os.WriteFile(creds, []byte(`{"Credentials": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	p.hangUp(t, "credentials not reloaded")
	noErr(t, listAccounts(keyB))
	wantError(t, listAccounts(keyA), "UnrecognizedClientException")
}

// hangUp sends SIGHUP and waits for the log line saying what came of it.
func (p *chimedProcess) hangUp(t *testing.T, outcome string) {
	t.Helper()
	before := strings.Count(p.logs.String(), outcome)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); strings.Count(p.logs.String(), outcome) == before; {
		if time.Now().After(deadline) {
			t.Fatalf("no log line %q after SIGHUP", outcome)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testSIGHUPWhileStarting sends SIGHUP while the server opens and migrates a
// new database (a reload right after a restart): the server still starts.
func testSIGHUPWhileStarting(t *testing.T, bin string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chimed.db")
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--db", db, "--credentials", keyACredentials(t, dir))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	// The file appears as the store opens it, before the migrations.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(db); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no database file; output:\n%s", out.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "chimed listening on"); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("chimed ended (%v) after a SIGHUP while starting; output:\n%s", waitErr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("chimed did not start; output:\n%s", out.String())
		}
	}
}

// testSIGHUPReopensTheAuditLog rotates the --audit-log file as logrotate
// does (move it, then SIGHUP): the events after the signal go to a new file
// under the configured name, those before it stay in the moved one.
func testSIGHUPReopensTheAuditLog(t *testing.T, bin string) {
	dir := t.TempDir()
	auditLog := filepath.Join(dir, "audit.jsonl")
	p := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"),
		"--credentials", keyACredentials(t, dir), "--audit-log", auditLog}, nil)
	c := p.client()
	// Each event is streamed once the recorder writes its batch (50 ms).
	waitForLine := func(path, name string) {
		t.Helper()
		waitFor(t, func() bool {
			b, _ := os.ReadFile(path)
			return strings.Contains(string(b), `"Name":"`+name+`"`)
		})
	}
	createAccount(t, c, "before")
	waitForLine(auditLog, "before")
	rotated := auditLog + ".1"
	if err := os.Rename(auditLog, rotated); err != nil {
		t.Fatal(err)
	}
	p.hangUp(t, "audit log reopened")
	createAccount(t, c, "after")
	waitForLine(auditLog, "after")
	b, err := os.ReadFile(rotated)
	noErr(t, err)
	if strings.Contains(string(b), `"Name":"after"`) {
		t.Fatalf("an event after the rotation went to the moved file:\n%s", b)
	}
	info, err := os.Stat(auditLog)
	noErr(t, err)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("the new audit log has mode %v, want 0600", info.Mode().Perm())
	}
}
