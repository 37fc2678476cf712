package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// canned is an answer the baseline gives: what chimed answered to the same
// request.
type canned struct {
	Status int
	Body   []byte
}

// Baseline is the bare net/http server chimed is compared with: the same
// routes, answering each with a fixed document of the size chimed's answer
// has, with no authentication, no storage and no encoding. Whatever chimed
// costs beyond it is chimed's own work, plus, when the baseline serves from
// the client's process, what chimed's running in another process costs.
type Baseline struct {
	URL string
	// Pid is the baseline's own process, when it runs in one; 0 when it
	// serves from this process.
	Pid int

	srv   *http.Server
	cmd   *exec.Cmd
	stdin io.Closer
}

// StartBaseline serves answers (by workload name) on a loopback port, on the
// routes of those workloads, from this process.
func StartBaseline(answers map[string]canned) (*Baseline, error) {
	mux := http.NewServeMux()
	for _, w := range Workloads() {
		a, ok := answers[w.Name]
		if !ok || w.route == "" {
			continue
		}
		mux.HandleFunc(w.route, func(rw http.ResponseWriter, r *http.Request) {
			// Read the body, as any server must, before answering.
			io.Copy(io.Discard, r.Body)
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(a.Status)
			rw.Write(a.Body)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &Baseline{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go b.srv.Serve(ln)
	return b, nil
}

// ServeBaselineEnv, when set in its environment, tells a program that
// StartBaselineProcess started it to ServeBaseline and do nothing else.
const ServeBaselineEnv = "CHIMEBENCH_SERVE_BASELINE"

// StartBaselineProcess serves answers like StartBaseline, but from a
// process of its own: this program run again with ServeBaselineEnv set.
// The server and its client then wake each other across processes on every
// request, as chimed and the client do; in one process the Go scheduler
// hands the request over without the kernel.
func StartBaselineProcess(answers map[string]canned) (*Baseline, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	doc, err := json.Marshal(answers)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), ServeBaselineEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the baseline process: %w", err)
	}
	b := &Baseline{Pid: cmd.Process.Pid, cmd: cmd, stdin: stdin}
	if _, err := stdin.Write(append(doc, '\n')); err != nil {
		b.Close()
		return nil, fmt.Errorf("the baseline process: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("the baseline process did not say where it listens: %w", err)
	}
	b.URL = strings.TrimSpace(line)
	return b, nil
}

// ServeBaseline is the baseline process: it reads the answers as a JSON
// line from in, says its URL on a line to out, and serves until in ends,
// which it does when the process that started it closes it or exits.
func ServeBaseline(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read the answers: %w", err)
	}
	var answers map[string]canned
	if err := json.Unmarshal(line, &answers); err != nil {
		return fmt.Errorf("read the answers: %w", err)
	}
	b, err := StartBaseline(answers)
	if err != nil {
		return err
	}
	defer b.Close()
	if _, err := fmt.Fprintln(out, b.URL); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, r)
	return err
}

// Close stops the server, and its process when it has one.
func (b *Baseline) Close() error {
	if b.cmd == nil {
		return b.srv.Close()
	}
	return errors.Join(b.stdin.Close(), b.cmd.Wait())
}
