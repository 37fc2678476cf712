package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/server"
)

// buildChimed builds the real server binary into a temporary directory.
func buildChimed(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chimed")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/chimed/chimed/cmd/chimed").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// chimedProcess is the binary running as its own process.
type chimedProcess struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer // its standard error: the request log
}

// runChimed starts the binary with the given arguments and environment and
// waits until it listens and /healthz answers.
func runChimed(t *testing.T, bin string, args, env []string) *chimedProcess {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logs := &syncBuffer{} // shown when the test fails
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &chimedProcess{cmd: cmd, logs: logs}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("chimed's log:\n%s", logs)
		}
	})

	// The server announces its address (it listens on a free port).
	urls := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if _, url, ok := strings.Cut(lines.Text(), "chimed listening on "); ok {
				urls <- strings.Fields(url)[0]
				break
			}
		}
		io.Copy(io.Discard, stdout) // keep the pipe drained
	}()
	select {
	case p.url = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatal("chimed did not announce its address")
	}
	resp, err := http.Get(p.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}
	return p
}

// keyACredentials writes, in dir, a credentials file that accepts keyA
// only, and returns its path.
func keyACredentials(t *testing.T, dir string) string {
	t.Helper()
	creds := filepath.Join(dir, "credentials.json")
	writeJSON(t, creds, map[string]any{"Credentials": []map[string]string{
		{"AccessKeyId": keyA, "SecretAccessKey": secret, "AwsAccountId": accountA},
	}})
	return creds
}

// env is the process as the in-process tests' helpers take a server.
func (p *chimedProcess) env(t *testing.T) *env {
	return &env{t: t, srv: &server.Server{URL: p.url}}
}

func (p *chimedProcess) client() *chime.Client {
	return chime.New(chime.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(p.url),
		Credentials:      credentials.NewStaticCredentialsProvider(keyA, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// waitInFlight waits until n requests, besides its own polls of /metrics,
// are inside the server.
func (p *chimedProcess) waitInFlight(t *testing.T, n int) {
	t.Helper()
	gauge := regexp.MustCompile(`(?m)^chimed_requests_in_flight (\d+)$`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(p.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		m := gauge.FindSubmatch(body)
		if m == nil {
			t.Fatalf("no chimed_requests_in_flight in /metrics:\n%s", body)
		}
		if got, _ := strconv.Atoi(string(m[1])); got-1 >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s requests in flight after 10 s (one is this poll), want %d more", m[1], n)
		}
	}
}

// waitExit waits for the process to end and returns its exit status.
func (p *chimedProcess) waitExit(t *testing.T) *os.ProcessState {
	t.Helper()
	done := make(chan struct{})
	go func() {
		p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("chimed did not exit")
	}
	return p.cmd.ProcessState
}

// TestServerBinary runs the real binary: an acknowledged write survives
// kill -9, SIGTERM and SIGINT stop the server with exit status 0, and a
// SQLite file is one process's unless --sqlite-shared says otherwise.
func TestServerBinary(t *testing.T) {
	bin := buildChimed(t)
	t.Run("kill -9 loses nothing", func(t *testing.T) { testKillNine(t, bin) })
	t.Run("SIGTERM under load", func(t *testing.T) { testSIGTERMUnderLoad(t, bin) })
	t.Run("kill -9 during a bot delivery", func(t *testing.T) { testKillNineDuringBotDelivery(t, bin) })
	t.Run("one SQLite file, two processes", func(t *testing.T) { testSQLiteAccess(t, bin) })
	t.Run("SIGHUP reloads the credentials", func(t *testing.T) { testSIGHUPReloadsCredentials(t, bin) })
	t.Run("SIGHUP while starting", func(t *testing.T) { testSIGHUPWhileStarting(t, bin) })
	t.Run("SIGHUP reopens the audit log", func(t *testing.T) { testSIGHUPReopensTheAuditLog(t, bin) })
	t.Run("a second SIGTERM", func(t *testing.T) { testSecondSIGTERM(t, bin) })
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			// No credentials: the development key is used.
			p := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "chimed.db")}, nil)
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if st := p.waitExit(t); st.ExitCode() != 0 {
				t.Errorf("exit status %d after %s, want 0", st.ExitCode(), sig)
			}
		})
	}
}

// testSIGTERMUnderLoad stops the server while requests are in flight (held
// there by an injected delay): each of them must still be answered, and the
// server must exit 0.
func testSIGTERMUnderLoad(t *testing.T, bin string) {
	dir := t.TempDir()
	creds := keyACredentials(t, dir)
	p := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", creds, "--enable-test-api"}, nil)
	e := p.env(t)
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults", body: []byte(`{"Operation":"ListAccounts","LatencyMs":3000}`)}); resp.status != 201 {
		t.Fatalf("add latency: %s", resp)
	}
	c := p.client()
	const inFlight = 8
	errs := make(chan error, inFlight)
	for i := 0; i < inFlight; i++ {
		go func() {
			_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
			errs <- err
		}()
	}
	p.waitInFlight(t, inFlight)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < inFlight; i++ {
		if err := <-errs; err != nil {
			t.Errorf("in-flight request failed during shutdown: %v", err)
		}
	}
	if st := p.waitExit(t); st.ExitCode() != 0 {
		t.Errorf("exit status %d after SIGTERM under load, want 0", st.ExitCode())
	}
}

// testSecondSIGTERM stops the server while a request is held for 30 s: the
// first SIGTERM waits for it, a second one ends the process at once.
func testSecondSIGTERM(t *testing.T, bin string) {
	dir := t.TempDir()
	p := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", keyACredentials(t, dir), "--enable-test-api"}, nil)
	e := p.env(t)
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults", body: []byte(`{"Operation":"ListAccounts","LatencyMs":30000}`)}); resp.status != 201 {
		t.Fatalf("add latency: %s", resp)
	}
	go p.client().ListAccounts(ctx, &chime.ListAccountsInput{})
	p.waitInFlight(t, 1)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st := p.waitExit(t)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("chimed exited %v after the second SIGTERM", took)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("exit %v, want ended by the second SIGTERM", st)
	}
}

// testKillNine kills the server the moment a write is acknowledged and checks
// the write is there after a restart on the same database.
func testKillNine(t *testing.T, bin string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chimed.db")
	creds := keyACredentials(t, dir)

	first := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", db, "--credentials", creds}, nil)
	c := first.client()
	acct := createTeamAccount(t, c, "durable")
	user := createUserIn(t, c, acct.AccountId, "durable@example.com")
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if st := first.waitExit(t); st.Success() {
		t.Fatal("chimed exited cleanly on SIGKILL")
	}

	// The restart is configured through the environment instead of flags.
	second := runChimed(t, bin, nil, []string{"CHIMED_ADDR=127.0.0.1:0", "CHIMED_DB=" + db, "CHIMED_CREDENTIALS=" + creds})
	c = second.client()
	got := getUser(t, c, acct.AccountId, user.UserId)
	if aws.ToString(got.PrimaryEmail) != "durable@example.com" || aws.ToString(got.PersonalPIN) != aws.ToString(user.PersonalPIN) {
		t.Errorf("after kill -9 the user is %s with PIN %s", aws.ToString(got.PrimaryEmail), aws.ToString(got.PersonalPIN))
	}

	// The last acknowledged write of a series survives too.
	reset, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: acct.AccountId, UserId: user.UserId})
	noErr(t, err)
	second.cmd.Process.Kill()
	second.waitExit(t)
	third := runChimed(t, bin, []string{"--addr", "127.0.0.1:0", "--db", db, "--credentials", creds}, nil)
	got = getUser(t, third.client(), acct.AccountId, user.UserId)
	if aws.ToString(got.PersonalPIN) != aws.ToString(reset.User.PersonalPIN) {
		t.Errorf("after kill -9 the PIN is %s, the acknowledged reset set %s", aws.ToString(got.PersonalPIN), aws.ToString(reset.User.PersonalPIN))
	}
}

// testKillNineDuringBotDelivery kills the server while it is delivering a
// bot event (the bot is slow to answer): once the dead instance's lease on
// the event ends, the next server on the same database delivers it again,
// with the same EventId.
func testKillNineDuringBotDelivery(t *testing.T, bin string) {
	endpoint := startTestBot(t, false)
	dir := t.TempDir()
	creds := keyACredentials(t, dir)
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "chimed.db"), "--credentials", creds,
		"--allow-private-endpoints", "--enable-test-api"}

	first := runChimed(t, bin, args, nil)
	e := first.env(t)
	acct, room, _, bot := botRoom(t, e, endpoint.url())
	endpoint.answerNext("slow")
	addBot(t, e, acct, room, aws.ToString(bot.BotId))
	if got := endpoint.waitEvents(t, 1); len(got) != 1 {
		t.Fatalf("%d events reached the bot, want the Invite being delivered", len(got))
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()

	second := runChimed(t, bin, args, nil)
	e = second.env(t)
	// Past the dead instance's lease: the jobs run before the call returns.
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Advance":"2m"}`)}); resp.status != 200 {
		t.Fatalf("advance the clock: %s", resp)
	}
	got := endpoint.waitEvents(t, 2)
	if len(got) != 2 || got[1].event.EventId != got[0].event.EventId {
		t.Fatalf("%d events after the restart, want the Invite again with its EventId", len(got))
	}
	wantEvent(t, got[1], aws.ToString(bot.SecurityToken), "Invite", room, "Persistent")
	// The bot has the event before chimed has its answer, and the delivery
	// may be the background job's (it can lease the event before the clock
	// call's own run does), still recording the answer: wait for it.
	waitFor(t, func() bool {
		listed := deliveries(t, e, keyA, acct, aws.ToString(bot.BotId))
		return len(listed) == 1 && listed[0].Status == "Delivered"
	})
}
