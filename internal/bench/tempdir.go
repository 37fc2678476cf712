package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// TempDir makes a temporary directory for this process, named by prefix,
// and first removes those with the same prefix whose process died without
// removing them: a run killed by SIGKILL (a CI time-out) leaves its copy
// of the seed behind, 1 GB at 1M users. remove removes the directory.
//
// A live process holds an exclusive flock on its directory's "lock" file;
// the kernel releases it when the process dies, however it dies. The lock
// file gets its name only once locked, so another process never finds it
// unlocked while its owner lives.
func TempDir(prefix string) (dir string, remove func(), err error) {
	removeAbandoned(prefix)
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	lock, err := os.CreateTemp(dir, "lock-")
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			err = os.Rename(lock.Name(), filepath.Join(dir, "lock"))
		}
		if err != nil {
			lock.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return dir, func() {
		os.RemoveAll(dir)
		lock.Close()
	}, nil
}

// removeAbandoned removes the directories of prefix whose lock no process
// holds. A directory without a lock file is left alone: being made, or not
// made by TempDir.
func removeAbandoned(prefix string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, dir := range dirs {
		lock, err := os.Open(filepath.Join(dir, "lock"))
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
}
