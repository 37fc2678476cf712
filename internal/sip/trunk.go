// Package sip places chimed's dial-out calls: a SIP user agent client
// (RFC 3261, on the sipgo stack) that sends each call's INVITE through the
// configured trunk (a PBX such as Asterisk or FreeSWITCH, or a carrier's SIP
// trunk) and reports the call's progress to the domain.
//
// chimed has no media server: the INVITE offers an audio stream that is
// inactive, so the signalling is real and the call is set up and torn down,
// but no sound flows.
package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/chimed/chimed/internal/chime"
)

// Trunk is a SIP user agent that places calls through one trunk. It listens
// on an address of its own, on the trunk's transport, for the requests the
// far end sends within a call (its BYE).
type Trunk struct {
	log       *slog.Logger
	target    sipmsg.Uri
	transport string
	host      string // the local address the trunk reaches us at
	port      int

	ua       *sipgo.UserAgent
	listener io.Closer
	dialogs  *sipgo.DialogClientCache
	ctx      context.Context
	stop     context.CancelFunc
	serving  sync.WaitGroup

	mu    sync.Mutex
	calls map[string]*call
	wg    sync.WaitGroup

	// noAnswer is how long a call may ring before it is given up.
	noAnswer time.Duration
}

// noAnswerTimeout is how long a call rings before chimed gives it up with a
// CANCEL, as a phone system's no-answer timer does. Timer B (32 s) ends a
// call the trunk sends no response to at all; it stops once the far end
// rings.
const noAnswerTimeout = time.Minute

// errNoAnswer ends the wait of a call that rang for noAnswerTimeout.
var errNoAnswer = errors.New("no answer")

var _ chime.Dialer = (*Trunk)(nil)

// call is a call in progress.
type call struct {
	id     string
	cancel context.CancelFunc // gives up the INVITE (CANCEL) before an answer
	hangup chan struct{}      // closed to end an answered call (BYE)
	done   chan struct{}      // closed once the call is over and reported
	once   sync.Once
}

// Open starts a user agent for the trunk at uri, e.g. sip:pbx.example.net:5060
// or sip:10.0.0.5:5060;transport=tcp (UDP unless said otherwise).
func Open(uri string, log *slog.Logger) (*Trunk, error) {
	var target sipmsg.Uri
	if err := sipmsg.ParseUri(uri, &target); err != nil {
		return nil, fmt.Errorf("SIP trunk %q: %w", uri, err)
	}
	if target.Scheme != "sip" || target.Host == "" {
		return nil, fmt.Errorf("SIP trunk %q: want sip:host[:port][;transport=udp|tcp]", uri)
	}
	if target.Port == 0 {
		target.Port = 5060
	}
	transport := "udp"
	if target.UriParams != nil {
		if tp, ok := target.UriParams.Get("transport"); ok {
			transport = strings.ToLower(tp)
		}
	}
	if transport != "udp" && transport != "tcp" {
		return nil, fmt.Errorf("SIP trunk %q: transport must be udp or tcp", uri)
	}
	hostPort := net.JoinHostPort(target.Host, strconv.Itoa(target.Port))
	// The address this machine uses to reach the trunk is the one the
	// trunk can reach it at. A UDP "connection" sends nothing.
	probe, err := net.Dial("udp", hostPort)
	if err != nil {
		return nil, fmt.Errorf("SIP trunk %s: %w", hostPort, err)
	}
	local := probe.LocalAddr().(*net.UDPAddr).IP.String()
	probe.Close()

	t := &Trunk{log: log, target: target, transport: transport, host: local, calls: map[string]*call{}, noAnswer: noAnswerTimeout}
	if err := t.start(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Trunk) start() error {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("chimed"), sipgo.WithUserAgentHostname(t.host))
	if err != nil {
		return err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(t.log))
	if err != nil {
		ua.Close()
		return err
	}
	var serve func() error
	switch t.transport {
	case "udp":
		conn, err := net.ListenPacket("udp", net.JoinHostPort(t.host, "0"))
		if err != nil {
			ua.Close()
			return fmt.Errorf("SIP listen: %w", err)
		}
		t.port = conn.LocalAddr().(*net.UDPAddr).Port
		t.listener = conn
		serve = func() error { return srv.ServeUDP(conn) }
	default:
		ln, err := net.Listen("tcp", net.JoinHostPort(t.host, "0"))
		if err != nil {
			ua.Close()
			return fmt.Errorf("SIP listen: %w", err)
		}
		t.port = ln.Addr().(*net.TCPAddr).Port
		t.listener = ln
		serve = func() error { return srv.ServeTCP(ln) }
	}
	opts := []sipgo.ClientOption{sipgo.WithClientLogger(t.log), sipgo.WithClientHostname(t.host), sipgo.WithClientPort(t.port)}
	if t.transport == "udp" {
		// Send from the listening socket, so that responses and the far
		// end's requests come back to it.
		opts = append(opts, sipgo.WithClientConnectionAddr(net.JoinHostPort(t.host, strconv.Itoa(t.port))))
	}
	client, err := sipgo.NewClient(ua, opts...)
	if err != nil {
		ua.Close()
		t.listener.Close()
		return err
	}
	contact := sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", User: "chimed", Host: t.host, Port: t.port}}
	if t.transport == "tcp" {
		contact.Address.UriParams = sipmsg.HeaderParams{{K: "transport", V: "tcp"}}
	}
	t.dialogs = sipgo.NewDialogClientCache(client, contact)
	srv.OnBye(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		if err := t.dialogs.ReadBye(req, tx); err != nil {
			tx.Respond(sipmsg.NewResponseFromRequest(req, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		}
	})
	t.ua = ua
	t.ctx, t.stop = context.WithCancel(context.Background())
	t.serving.Add(1)
	go func() {
		defer t.serving.Done()
		if err := serve(); err != nil && t.ctx.Err() == nil {
			t.log.Error("SIP listener stopped", "err", err)
		}
	}()
	if t.transport == "udp" {
		// The transport layer adopts the listening socket in the serving
		// goroutine; a call placed before that would bind a socket of its
		// own to the same address, and fail.
		if err := t.awaitListener(ua); err != nil {
			t.Close()
			return err
		}
	}
	t.log.Info("SIP trunk ready", "trunk", t.target.String(), "transport", t.transport, "local", net.JoinHostPort(t.host, strconv.Itoa(t.port)))
	return nil
}

func (t *Trunk) awaitListener(ua *sipgo.UserAgent) error {
	addr := net.JoinHostPort(t.host, strconv.Itoa(t.port))
	for range 1000 {
		if c, _ := ua.TransportLayer().GetConnection("udp", addr); c != nil {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("SIP listener %s did not start", addr)
}

// Dial sends the INVITE and follows the call in the background.
func (t *Trunk) Dial(c chime.OutboundCall, progress func(chime.CallProgress) error) error {
	req, err := t.invite(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(t.ctx)
	cl := &call{id: c.ID, cancel: cancel, hangup: make(chan struct{}), done: make(chan struct{})}
	t.mu.Lock()
	if t.ctx.Err() != nil {
		t.mu.Unlock()
		cancel()
		return errors.New("the SIP user agent is shut down")
	}
	t.calls[c.ID] = cl
	t.wg.Add(1)
	t.mu.Unlock()
	dialog, err := t.dialogs.WriteInvite(ctx, req)
	if err != nil {
		t.forget(cl)
		cancel()
		if errors.Is(err, sipmsg.ErrUDPMTUCongestion) {
			// A long JoinToken makes the INVITE too large for one datagram;
			// RFC 3261 (18.1.1) sends such requests over TCP.
			return fmt.Errorf("send INVITE to %s: %w: configure the trunk with ;transport=tcp: %w", t.target.String(), chime.ErrCallTooLarge, err)
		}
		return fmt.Errorf("send INVITE to %s: %w", t.target.String(), err)
	}
	go t.follow(ctx, cl, dialog, progress)
	return nil
}

// invite builds the call's INVITE: From is the caller ID (with its calling
// name), To and the Request-URI the number called at the trunk, Call-ID the
// dial-out's TransactionId.
func (t *Trunk) invite(c chime.OutboundCall) (*sipmsg.Request, error) {
	recipient := sipmsg.Uri{Scheme: "sip", User: c.To, Host: t.target.Host, Port: t.target.Port}
	if t.transport == "tcp" {
		recipient.UriParams = sipmsg.HeaderParams{{K: "transport", V: "tcp"}}
	}
	req := sipmsg.NewRequest(sipmsg.INVITE, recipient)
	req.SetTransport(strings.ToUpper(t.transport))
	from := &sipmsg.FromHeader{DisplayName: c.CallerName, Address: sipmsg.Uri{Scheme: "sip", User: c.From, Host: t.host}}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	to := &sipmsg.ToHeader{Address: sipmsg.Uri{Scheme: "sip", User: c.To, Host: t.target.Host}}
	callID := sipmsg.CallIDHeader(c.ID)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(sipmsg.NewHeader("P-Asserted-Identity", "<sip:"+c.From+"@"+t.host+">"))
	for name, value := range c.Headers {
		// Values come from validated API input; refuse anything that could
		// break out of its header line all the same.
		if strings.ContainsAny(name+value, "\r\n") {
			return nil, fmt.Errorf("header %s: line breaks are not allowed", name)
		}
		req.AppendHeader(sipmsg.NewHeader(name, value))
	}
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(t.offer(c.ID))
	return req, nil
}

// offer is the session description of the INVITE: one audio stream, marked
// inactive because chimed carries no media.
func (t *Trunk) offer(id string) []byte {
	session := strconv.FormatInt(time.Now().Unix(), 10)
	ip := "IP4"
	if strings.Contains(t.host, ":") {
		ip = "IP6"
	}
	return []byte("v=0\r\n" +
		"o=chimed " + session + " " + session + " IN " + ip + " " + t.host + "\r\n" +
		"s=chimed dial-out " + id + "\r\n" +
		"c=IN " + ip + " " + t.host + "\r\n" +
		"t=0 0\r\n" +
		"m=audio 9 RTP/AVP 0 8\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=inactive\r\n")
}

// follow reports a call's progress until it is over: provisional responses,
// then the answer or the failure, then its end.
func (t *Trunk) follow(ctx context.Context, cl *call, dialog *sipgo.DialogClientSession, progress func(chime.CallProgress) error) {
	defer t.forget(cl)
	defer cl.cancel()
	defer dialog.Close()
	report := func(status string, code int, reason string) {
		if err := progress(chime.CallProgress{Status: status, SIPStatus: code, SIPReason: reason}); err != nil {
			t.log.Error("record dial-out progress", "transaction_id", cl.id, "status", status, "err", err)
		}
	}
	ringing, stopRinging := context.WithTimeoutCause(ctx, t.noAnswer, errNoAnswer)
	defer stopRinging()
	err := waitAnswer(ringing, dialog, sipgo.AnswerOptions{OnResponse: func(res *sipmsg.Response) error {
		switch {
		case res.StatusCode == sipmsg.StatusTrying:
			report(chime.DialOutTrying, res.StatusCode, res.Reason)
		case res.IsProvisional():
			report(chime.DialOutRinging, res.StatusCode, res.Reason)
		}
		return nil
	}})
	var refused *sipgo.ErrDialogResponse
	answered := dialog.InviteResponse != nil && dialog.InviteResponse.IsSuccess()
	switch {
	case errors.As(err, &refused):
		report(chime.DialOutFailed, refused.Res.StatusCode, refused.Res.Reason)
		return
	case err == nil && answered:
		// Answered. (After a CANCEL, sipgo may return no error.)
	case answered:
		t.answeredAfterCancel(cl, dialog, report)
		return
	case ctx.Err() != nil:
		// HangUp or Close gave up the call before it was answered.
		report(chime.DialOutEnded, sipmsg.StatusRequestTerminated, "Request Terminated: hung up before the answer")
		return
	case context.Cause(ringing) == errNoAnswer:
		report(chime.DialOutFailed, sipmsg.StatusRequestTerminated, fmt.Sprintf("Request Terminated: no answer within %s, CANCEL sent", t.noAnswer))
		return
	default:
		reason := "no final response from the trunk"
		if err != nil {
			reason += ": " + err.Error()
		}
		report(chime.DialOutFailed, sipmsg.StatusRequestTimeout, reason)
		return
	}
	report(chime.DialOutAnswered, dialog.InviteResponse.StatusCode, dialog.InviteResponse.Reason)
	if err := dialog.Ack(context.Background()); err != nil {
		report(chime.DialOutFailed, 0, "ACK not sent: "+err.Error())
		return
	}
	select {
	case <-dialog.Context().Done():
		report(chime.DialOutEnded, 0, "BYE from the far end")
	case <-cl.hangup:
		t.bye(cl, dialog, report)
	case <-t.ctx.Done():
		t.bye(cl, dialog, report)
	}
}

// answeredAfterCancel ends a call whose answer crossed chimed's CANCEL: the
// far end is in the call, and RFC 3261 (9.1) has the caller confirm the
// answer with an ACK and then leave with a BYE.
func (t *Trunk) answeredAfterCancel(cl *call, dialog *sipgo.DialogClientSession, report func(string, int, string)) {
	res := dialog.InviteResponse
	if err := dialog.Ack(context.Background()); err != nil {
		report(chime.DialOutFailed, res.StatusCode, "answered as the CANCEL was sent; ACK not sent: "+err.Error())
		return
	}
	report(chime.DialOutAnswered, res.StatusCode, res.Reason+" (as the CANCEL was sent)")
	t.bye(cl, dialog, report)
}

// waitAnswer waits for the call's final response. sipgo's WaitAnswer stops
// after ten responses, provisional ones included, without cancelling the
// INVITE; a far end that sends more (a 183 repeated while it plays a
// message) is still ringing, and the wait goes on for its answer, or until
// ctx ends it with a CANCEL.
func waitAnswer(ctx context.Context, dialog *sipgo.DialogClientSession, opts sipgo.AnswerOptions) error {
	for {
		err := dialog.WaitAnswer(ctx, opts)
		if err == nil || ctx.Err() != nil || !strings.HasPrefix(err.Error(), "more than 10 responses") {
			return err
		}
	}
}

func (t *Trunk) bye(cl *call, dialog *sipgo.DialogClientSession, report func(string, int, string)) {
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second) // Timer F
	defer cancel()
	if err := dialog.Bye(ctx); err != nil {
		report(chime.DialOutEnded, 0, "BYE sent, not confirmed: "+err.Error())
		return
	}
	report(chime.DialOutEnded, 0, "BYE sent")
}

func (t *Trunk) forget(cl *call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.calls[cl.id] == cl {
		delete(t.calls, cl.id)
		close(cl.done)
		t.wg.Done()
	}
}

// HangUp ends a call: a CANCEL before the answer, a BYE after. It returns
// once the end is reported.
func (t *Trunk) HangUp(id string) bool {
	t.mu.Lock()
	cl, ok := t.calls[id]
	t.mu.Unlock()
	if !ok {
		return false
	}
	cl.once.Do(func() {
		close(cl.hangup)
		cl.cancel()
	})
	<-cl.done
	return true
}

// Live returns the IDs of the calls in progress.
func (t *Trunk) Live() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := make([]string, 0, len(t.calls))
	for id := range t.calls {
		ids = append(ids, id)
	}
	return ids
}

// Close ends every call and stops the user agent.
//
// A call ends within Timer F (32 s) of its BYE, so Close waits that long for
// the calls and then for the listener to stop; past that it reports what is
// still running instead of hanging the server's shutdown.
func (t *Trunk) Close() error {
	t.mu.Lock()
	t.stop()
	t.mu.Unlock()
	var err error
	if !waitFor(&t.wg, 35*time.Second) {
		err = errors.New("SIP: calls still running after 35s")
	}
	// The user agent does not close the listener it was handed.
	err = errors.Join(err, t.ua.Close(), t.listener.Close())
	if !waitFor(&t.serving, 5*time.Second) {
		err = errors.Join(err, errors.New("SIP: listener still serving after 5s"))
	}
	return err
}

// waitFor waits for wg, for at most d, and says whether it is done.
func waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
