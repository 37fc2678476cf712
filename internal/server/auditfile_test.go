package server

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// After a move and a reopen, writes go to a new file under the name; a
// name that cannot be opened leaves the file in use; once closed, the file
// is neither written nor opened again.
func TestAuditFileReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	a, err := openAuditFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		t.Helper()
		if _, err := a.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write("one\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := a.reopen(); err != nil {
		t.Fatal(err)
	}
	write("two\n")

	a.path = filepath.Join(dir, "missing", "audit.jsonl")
	if err := a.reopen(); err == nil {
		t.Fatal("reopen of a name in a missing directory succeeded")
	}
	write("three\n")
	for file, want := range map[string]string{path + ".1": "one\n", path: "two\nthree\n"} {
		if got, _ := os.ReadFile(file); string(got) != want {
			t.Errorf("%s holds %q, want %q", filepath.Base(file), got, want)
		}
	}

	a.path = path
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := a.reopen(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("reopen after close: %v", err)
	}
}
