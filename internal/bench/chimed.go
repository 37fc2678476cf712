package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildChimed compiles chimed into dir and returns the binary's path.
func BuildChimed(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "chimed")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/chimed/chimed/cmd/chimed")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build chimed: %w\n%s", err, out)
	}
	return bin, nil
}

// WriteCredentials writes the credentials file chimed accepts the fixture's
// key from.
func WriteCredentials(path string, f Fixture) error {
	doc := fmt.Sprintf(`{"Credentials": [{"AccessKeyId": %q, "SecretAccessKey": %q, "AwsAccountId": %q}]}`+"\n",
		f.AccessKeyID, f.SecretKey, f.AwsAccountID)
	return os.WriteFile(path, []byte(doc), 0o600)
}

// Chimed is a chimed process started for a run.
type Chimed struct {
	URL string
	// Ready is the time from starting the process to its first 200 from
	// GET /readyz.
	Ready time.Duration
	// PprofURL is the base of its /debug/pprof/ endpoints, when enabled.
	PprofURL string

	cmd    *exec.Cmd
	stderr head
	exited chan error
}

// ChimedOptions say how to start chimed.
type ChimedOptions struct {
	Binary      string
	DB          string
	Credentials string
	// Pprof serves the profiling endpoints on a free loopback port.
	Pprof bool
}

// StartChimed starts chimed on a free loopback port and waits until it is
// ready.
func StartChimed(ctx context.Context, o ChimedOptions) (*Chimed, error) {
	args := []string{"--addr", "127.0.0.1:0", "--db", o.DB, "--credentials", o.Credentials}
	c := &Chimed{exited: make(chan error, 1)}
	if o.Pprof {
		addr, err := freePort()
		if err != nil {
			return nil, err
		}
		args = append(args, "--pprof-addr", addr)
		c.PprofURL = "http://" + addr
	}
	// chimed's log (a line per request, on stderr) is discarded, as a
	// deployment would hand it to a log collector; its start is kept, to
	// say why chimed did not start.
	c.cmd = exec.Command(o.Binary, args...)
	// A chimebench killed outright takes its chimed with it, instead of
	// leaving it serving a deleted database on its port.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	c.cmd.Stderr = &c.stderr
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start chimed: %w", err)
	}
	urls := make(chan string, 1)
	go func() {
		// chimed says where it listens on its first line; the rest of
		// stdout is drained so that it never blocks.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := listeningURL(sc.Text()); ok {
				urls <- u
				break
			}
		}
		io.Copy(io.Discard, stdout)
		c.exited <- c.cmd.Wait()
	}()
	select {
	case c.URL = <-urls:
	case err := <-c.exited:
		return nil, fmt.Errorf("chimed exited before listening: %v: %s", err, c.stderr.String())
	case <-time.After(time.Minute):
		c.Stop()
		return nil, errors.New("chimed did not say where it listens within a minute")
	}
	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	c.Ready = time.Since(start)
	return c, nil
}

// listeningURL finds the URL in chimed's "chimed listening on URL (store
// ...)" line.
func listeningURL(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "chimed listening on ")
	if !ok {
		return "", false
	}
	u, _, _ := strings.Cut(rest, " ")
	return u, true
}

// waitReady polls GET /readyz until it answers 200.
func (c *Chimed) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-c.exited:
			return fmt.Errorf("chimed exited before it was ready: %v: %s", err, c.stderr.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	return errors.New("chimed was not ready within a minute")
}

// Pid is the process id.
func (c *Chimed) Pid() int { return c.cmd.Process.Pid }

// Stop asks chimed to shut down (SIGTERM) and waits for it.
func (c *Chimed) Stop() error {
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-c.exited:
		return err
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		return errors.New("chimed did not stop within 30s of SIGTERM: killed")
	}
}

// freePort returns a loopback address nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// head keeps the first 4 KiB written to it and discards the rest.
type head struct {
	mu  sync.Mutex
	buf []byte
}

func (h *head) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf = append(h.buf, p[:min(len(p), 4096-len(h.buf))]...)
	return len(p), nil
}

func (h *head) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.TrimSpace(string(h.buf))
}
