package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startCapped starts a server that serves at most max connections at once.
func startCapped(t *testing.T, max int) string {
	t.Helper()
	cfg := Config{
		Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "chimed.db"), JobInterval: time.Hour,
		LogOutput: io.Discard, MaxConnections: max,
	}
	s, err := Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return strings.TrimPrefix(s.URL, "http://")
}

// rawConn is a client connection on which the test decides what is sent.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

// health asks for /healthz on a kept-alive connection and returns the
// status line, or the error of waiting for it up to wait.
func (c *rawConn) health(t *testing.T, wait time.Duration) (string, error) {
	t.Helper()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: chimed\r\n\r\n"); err != nil {
		return "", err
	}
	return c.response(wait)
}

// response reads one response (status line, headers and body).
func (c *rawConn) response(wait time.Duration) (string, error) {
	c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Status, nil
}

func TestMaxConnectionsMakesNewConnectionsWait(t *testing.T) {
	addr := startCapped(t, 2)
	// Two connections that have sent nothing yet hold both places.
	first, _ := dial(t, addr), dial(t, addr)
	waiting := dial(t, addr)
	if _, err := waiting.health(t, 300*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a third connection was answered (%v) while two were open, with a cap of 2", err)
	}
	first.Close()
	if status, err := waiting.response(5 * time.Second); err != nil || status != "200 OK" {
		t.Fatalf("once a connection closed, the waiting one got %q, %v; want 200 OK", status, err)
	}
}

func TestMaxConnectionsClosesIdleConnectionsForNewClients(t *testing.T) {
	addr := startCapped(t, 1)
	idle := dial(t, addr)
	if status, err := idle.health(t, 5*time.Second); err != nil || status != "200 OK" {
		t.Fatalf("first client: %q, %v", status, err)
	}
	// The first client keeps its connection, idle; a second client is
	// served all the same, on the place the idle connection gave up.
	if status, err := dial(t, addr).health(t, 5*time.Second); err != nil || status != "200 OK" {
		t.Fatalf("second client, with the first one's connection idle: %q, %v", status, err)
	}
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle.r.ReadByte(); err != io.EOF {
		t.Fatalf("the idle connection was not closed: read %v", err)
	}
}

// Connections that have sent nothing for silentGrace give their places up
// to a client that has something to ask; one that has begun a request
// keeps its place.
func TestMaxConnectionsClosesSilentConnectionsForNewClients(t *testing.T) {
	addr := startCapped(t, 2)
	silent, started := dial(t, addr), dial(t, addr)
	if _, err := io.WriteString(started, "GET /healthz HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if status, err := dial(t, addr).health(t, 5*time.Second); err != nil || status != "200 OK" {
		t.Fatalf("a client behind a silent connection: %q, %v", status, err)
	}
	if waited := time.Since(began); waited < silentGrace/2 {
		t.Errorf("served after %v: the silent connection was closed before its grace", waited)
	}
	silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent.r.ReadByte(); err != io.EOF {
		t.Fatalf("the silent connection was not closed: read %v", err)
	}
	if _, err := io.WriteString(started, "Host: chimed\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if status, err := started.response(5 * time.Second); err != nil || status != "200 OK" {
		t.Fatalf("the connection that had begun a request: %q, %v", status, err)
	}
}

func TestConnLimitAcceptEndsWhenClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimit(ln, 1)
	go net.Dial("tcp", ln.Addr().String())
	held, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	accepted := make(chan error, 1)
	go func() {
		_, err := l.Accept() // no place: waits
		accepted <- err
	}()
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits for a place after the listener was closed")
	}
}

// TestIdleConnectionWithARequestIsNotClosed: a connection that has read
// the start of a request since its last answer is busy, whatever net/http
// calls it, and closeIdle leaves it open.
func TestIdleConnectionWithARequestIsNotClosed(t *testing.T) {
	l := newConnLimit(nil, 1)
	server, client := net.Pipe()
	defer client.Close()
	lc := &limitedConn{Conn: server, release: func() {}}
	l.track(lc, http.StateIdle)
	go client.Write([]byte("GET /healthz HTTP/1.1\r\n"))
	if _, err := lc.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	l.closeIdle()
	go io.Copy(io.Discard, client)
	if _, err := lc.Write([]byte("HTTP/1.1 200 OK\r\n")); err != nil {
		t.Fatalf("the answer to a request read while idle could not be written: %v", err)
	}
}

// TestEvictedConnectionReadsNoRequest: bytes that arrive as closeIdle
// closes the connection are not handed to net/http.
func TestEvictedConnectionReadsNoRequest(t *testing.T) {
	l := newConnLimit(nil, 1)
	arrive := make(chan []byte)
	lc := &limitedConn{Conn: slowConn{arrive}, release: func() {}}
	l.track(lc, http.StateIdle)
	read := make(chan error, 1)
	go func() {
		_, err := lc.Read(make([]byte, 64))
		read <- err
	}()
	time.Sleep(20 * time.Millisecond) // the Read waits for bytes
	l.closeIdle()
	arrive <- []byte("GET /healthz HTTP/1.1\r\n")
	if err := <-read; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("a read that got a request's bytes after eviction returned %v, want net.ErrClosed", err)
	}
}

// slowConn is a connection whose Read returns what arrives, and whose
// Close does not end a Read already waiting, as a real one might not yet.
type slowConn struct{ arrive chan []byte }

func (c slowConn) Read(p []byte) (int, error)       { return copy(p, <-c.arrive), nil }
func (c slowConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c slowConn) Close() error                     { return nil }
func (c slowConn) LocalAddr() net.Addr              { return nil }
func (c slowConn) RemoteAddr() net.Addr             { return nil }
func (c slowConn) SetDeadline(time.Time) error      { return nil }
func (c slowConn) SetReadDeadline(time.Time) error  { return nil }
func (c slowConn) SetWriteDeadline(time.Time) error { return nil }

// failingListener fails its first Accept, as a listener out of file
// descriptors does (net/http then retries), and then accepts as the one it
// wraps.
type failingListener struct {
	net.Listener
	failed bool
}

func (l *failingListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, errors.New("accept: too many open files")
	}
	return l.Listener.Accept()
}

// A failed Accept gives its place back: else every transient failure
// would lower the cap for good, down to a server that accepts nothing.
func TestConnLimitFailedAcceptKeepsNoPlace(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimit(&failingListener{Listener: ln}, 1)
	defer l.Close()
	if _, err := l.Accept(); err == nil {
		t.Fatal("the first Accept did not fail")
	}
	go net.Dial("tcp", ln.Addr().String())
	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Close()
		}
		accepted <- err
	}()
	select {
	case err := <-accepted:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no connection accepted: the failed Accept kept the only place")
	}
}
