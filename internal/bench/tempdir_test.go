package bench

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// holdTempDirEnv, set in its environment, makes this test binary make a
// TempDir with the prefix it names, print its path and wait to be killed.
const holdTempDirEnv = "CHIMEBENCH_TEST_HOLD_TEMPDIR"

func holdTempDir(prefix string) {
	dir, _, err := TempDir(prefix)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString(dir + "\n")
	io.Copy(io.Discard, os.Stdin) // until killed
	os.Exit(0)
}

// TestTempDirRemovesWhatAKilledProcessLeft kills, with SIGKILL, a process
// that made a TempDir: the next TempDir removes that directory, and not
// one whose process lives or one that TempDir did not make.
func TestTempDirRemovesWhatAKilledProcessLeft(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	const prefix = "chimebench-test-"
	foreign := filepath.Join(tmp, prefix+"foreign")
	if err := os.Mkdir(foreign, 0o700); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdTempDirEnv+"="+prefix)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("the holding process printed no directory: %v", err)
	}
	held := strings.TrimSpace(line)

	mine, remove, err := TempDir(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	exists(t, held, true)
	cmd.Process.Kill()
	cmd.Wait()
	exists(t, held, true) // nothing removes it until the next TempDir

	_, removeNext, err := TempDir(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer removeNext()
	exists(t, held, false)
	exists(t, mine, true)
	exists(t, foreign, true)

	remove()
	exists(t, mine, false)
}

func exists(t *testing.T, path string, want bool) {
	t.Helper()
	_, err := os.Stat(path)
	if got := err == nil; got != want {
		t.Fatalf("%s exists: %v, want %v (%v)", path, got, want, err)
	}
}
