package server

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimit caps the connections the API serves at once (--max-connections).
// While the cap is reached Accept waits, and idle keep-alive connections
// are closed to make room: the SDKs keep idle connections for minutes and
// open a new one when the server has closed theirs, so without that the
// cap would leave new clients waiting on clients that have finished. So
// are connections that have sent nothing for silentGrace since they were
// opened: else a few clients that connect and say nothing would hold every
// place until the header timeout, health checks waiting behind them.
type connLimit struct {
	net.Listener
	// places holds a token per open connection.
	places    chan struct{}
	closed    chan struct{}
	closeOnce sync.Once

	mu sync.Mutex
	// idle holds the connections closeIdle may close, each with the time
	// from which it may.
	idle map[*limitedConn]time.Time
	// becameIdle wakes an Accept that waits for a place.
	becameIdle chan struct{}
}

func newConnLimit(ln net.Listener, n int) *connLimit {
	return &connLimit{
		Listener:   ln,
		places:     make(chan struct{}, n),
		closed:     make(chan struct{}),
		idle:       map[*limitedConn]time.Time{},
		becameIdle: make(chan struct{}, 1),
	}
}

func (l *connLimit) Accept() (net.Conn, error) {
	if err := l.takePlace(); err != nil {
		return nil, err
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.places
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.places }}, nil
}

// takePlace waits for a place, closing idle connections to make one.
func (l *connLimit) takePlace() error {
	for {
		select {
		case l.places <- struct{}{}:
			return nil
		default:
		}
		l.closeIdle()
		select {
		case l.places <- struct{}{}:
			return nil
		case <-l.becameIdle:
		case <-time.After(silentGrace): // a new connection may have stayed silent
		case <-l.closed:
			return net.ErrClosed
		}
	}
}

func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// silentGrace is how long a new connection may send nothing before it may
// be closed to make room: an SDK sends its request as soon as it connects.
const silentGrace = time.Second

// track is the http.Server's ConnState hook: it keeps the idle and the new
// connections that closeIdle may close. A TLS connection is not one: its
// record layer may already hold the next request, read while the last
// answer went out, which a closed tls.Conn still hands to net/http, whose
// answer would then be lost. An idle TLS connection keeps its place until
// the idle timeout.
func (l *connLimit) track(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	from := time.Now()
	switch state {
	case http.StateNew:
		from = from.Add(silentGrace)
	case http.StateIdle:
	default:
		delete(l.idle, lc)
		return
	}
	lc.state.CompareAndSwap(connBusy, connIdle)
	l.idle[lc] = from
	select {
	case l.becameIdle <- struct{}{}:
	default:
	}
}

// closeIdle closes the idle connections that have read nothing since
// their last answer, and the new ones silent for silentGrace.
func (l *connLimit) closeIdle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for lc, from := range l.idle {
		if now.Before(from) {
			continue
		}
		delete(l.idle, lc)
		if lc.state.CompareAndSwap(connIdle, connEvicted) {
			lc.Close()
		}
	}
}

// The states of a limitedConn. A connection is closed from outside only
// from connIdle: net/http marks a connection active only once it has read
// a whole request, so a connection it still calls idle may hold a request
// that its handler is about to run, whose answer closing would lose (and
// the client's retry of a CreateUser would find the user made). Read and
// closeIdle settle the race with one compare-and-swap each. (While net/http
// ends an answer it may read one byte ahead, never a whole request.)
const (
	connBusy    int32 = iota
	connIdle          // new or answered, and nothing read since
	connEvicted       // closed by closeIdle: reads fail
)

// limitedConn gives its place back when it is first closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
	state   atomic.Int32
}

func (c *limitedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.state.CompareAndSwap(connIdle, connBusy) && c.state.Load() == connEvicted {
		return 0, net.ErrClosed
	}
	return n, err
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
