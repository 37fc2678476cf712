package server

import (
	"errors"
	"os"
	"sync"
)

// auditFile is the --audit-log file. It is appended to, and opened again
// by its name on SIGHUP, so that the usual rotation works: logrotate moves
// the file and signals chimed, which then writes a new one (the descriptor
// it held would have gone on writing into the moved file).
type auditFile struct {
	path string
	mu   sync.Mutex
	f    *os.File // nil once closed
}

func openAuditFile(path string) (*auditFile, error) {
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	return &auditFile{path: path, f: f}, nil
}

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

func (a *auditFile) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return 0, os.ErrClosed
	}
	return a.f.Write(p)
}

// reopen opens the file by its name again and closes the one it replaces;
// if the name cannot be opened, writing goes on to the file already open.
func (a *auditFile) reopen() error {
	f, err := openAppend(a.path)
	if err != nil {
		return err
	}
	a.mu.Lock()
	old := a.f
	if old != nil {
		a.f = f
	}
	a.mu.Unlock()
	if old == nil { // closed meanwhile: chimed is stopping
		return errors.Join(os.ErrClosed, f.Close())
	}
	return old.Close()
}

func (a *auditFile) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return os.ErrClosed
	}
	err := a.f.Close()
	a.f = nil
	return err
}
