package sip

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/chimed/chimed/internal/chime"
)

// farEnd is a UAS that rings, then answers with final (200 or a refusal),
// and records what it gets.
func farEnd(t *testing.T, final int) (uri string, invites, byes chan *sipmsg.Request) {
	return farEndOn(t, "udp", final)
}

func farEndOn(t *testing.T, network string, final int) (uri string, invites, byes chan *sipmsg.Request) {
	uri, invites, byes, _ = farEndRinging(t, network, 1, final)
	return uri, invites, byes
}

// farEndRinging is a UAS that sends rings 180 Ringing, 100 ms apart, then
// final, or nothing more when final is 0; it records the INVITEs, BYEs and
// CANCELs it gets.
func farEndRinging(t *testing.T, network string, rings, final int) (uri string, invites, byes, cancels chan *sipmsg.Request) {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	srv, _ := sipgo.NewServer(ua)
	client, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	var port int
	var serve func() error
	if network == "udp" {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port, serve = conn.LocalAddr().(*net.UDPAddr).Port, func() error { return srv.ServeUDP(conn) }
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		port, serve = ln.Addr().(*net.TCPAddr).Port, func() error { return srv.ServeTCP(ln) }
	}
	contact := sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", Host: "127.0.0.1", Port: port}}
	if network == "tcp" {
		contact.Address.UriParams = sipmsg.HeaderParams{{K: "transport", V: "tcp"}}
	}
	dialogs := sipgo.NewDialogServerCache(client, contact)
	invites, byes, cancels = make(chan *sipmsg.Request, 4), make(chan *sipmsg.Request, 4), make(chan *sipmsg.Request, 4)
	srv.OnInvite(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		invites <- req.Clone()
		dlg, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			t.Error(err)
			return
		}
		defer dlg.Close()
		tx.OnCancel(func(r *sipmsg.Request) { cancels <- r.Clone() })
		for range rings {
			dlg.Respond(sipmsg.StatusRinging, "Ringing", nil)
			// Ring a while: a final response right behind the 180 may
			// reach the caller first (sipgo hands them over concurrently).
			time.Sleep(100 * time.Millisecond)
		}
		if final == 0 {
			<-tx.Done() // the stack answers a CANCEL with 487
			return
		}
		dlg.Respond(final, "Final", nil)
		if final == sipmsg.StatusOK {
			<-dlg.Context().Done()
		}
	})
	srv.OnAck(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) { dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		byes <- req.Clone()
		dialogs.ReadBye(req, tx)
	})
	go serve()
	uri = "sip:127.0.0.1:" + strconv.Itoa(port)
	if network == "tcp" {
		uri += ";transport=tcp"
	}
	return uri, invites, byes, cancels
}

// progressLog collects a call's progress.
type progressLog struct {
	mu    sync.Mutex
	steps []chime.CallProgress
	final chan struct{}
}

func newProgressLog() *progressLog { return &progressLog{final: make(chan struct{})} }

func (p *progressLog) record(c chime.CallProgress) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps = append(p.steps, c)
	if c.Status == chime.DialOutFailed || c.Status == chime.DialOutEnded {
		close(p.final)
	}
	return nil
}

func (p *progressLog) statuses() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.steps {
		out = append(out, s.Status+"/"+strconv.Itoa(s.SIPStatus))
	}
	return out
}

// waitAnswered waits up to 10 s for the call to be answered.
func (p *progressLog) waitAnswered(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(p.statuses(), "answered/200") {
		if time.Now().After(deadline) {
			t.Fatalf("not answered: %v", p.statuses())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *progressLog) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.final:
	case <-time.After(10 * time.Second):
		t.Fatalf("the call did not end: %v", p.statuses())
	}
}

func openTrunk(t *testing.T, uri string) *Trunk {
	t.Helper()
	trunk, err := Open(uri, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return trunk
}

// dial dials a call with the given ID between the tests' two numbers and
// returns it with the log of its progress.
func dial(t *testing.T, trunk *Trunk, id string) (chime.OutboundCall, *progressLog) {
	t.Helper()
	call := chime.OutboundCall{ID: id, From: "+12065550100", To: "+14155550100"}
	log := newProgressLog()
	if err := trunk.Dial(call, log.record); err != nil {
		t.Fatal(err)
	}
	return call, log
}

func TestCallAnsweredThenHungUp(t *testing.T) {
	uri, invites, byes := farEnd(t, sipmsg.StatusOK)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	log := newProgressLog()
	call := chime.OutboundCall{ID: "c0ffee00-0000-4000-8000-000000000001", From: "+12065550100", To: "+14155550100", CallerName: "Acme",
		Headers: map[string]string{"X-Chime-Meeting-Id": "m-1"}}
	if err := trunk.Dial(call, log.record); err != nil {
		t.Fatal(err)
	}
	invite := <-invites
	if invite.From().Address.User != call.From || invite.From().DisplayName != "Acme" || invite.To().Address.User != call.To ||
		invite.CallID().Value() != call.ID || invite.GetHeader("X-Chime-Meeting-Id").Value() != "m-1" {
		t.Fatalf("INVITE:\n%s", invite)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(log.statuses()) < 2 || log.statuses()[len(log.statuses())-1] != "answered/200" {
		if time.Now().After(deadline) {
			t.Fatalf("not answered: %v", log.statuses())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if live := trunk.Live(); len(live) != 1 || live[0] != call.ID {
		t.Fatalf("live calls %v", live)
	}
	if !trunk.HangUp(call.ID) {
		t.Fatal("HangUp found no call")
	}
	<-byes
	log.wait(t)
	want := []string{"ringing/180", "answered/200", "ended/0"}
	if got := log.statuses(); !slices.Equal(got, want) {
		t.Fatalf("progress %v, want %v", got, want)
	}
	if trunk.HangUp(call.ID) || len(trunk.Live()) != 0 {
		t.Fatal("the call is still live")
	}
}

func TestCallOverTCP(t *testing.T) {
	uri, invites, byes := farEndOn(t, "tcp", sipmsg.StatusOK)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	call, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000004")
	if invite := <-invites; invite.Transport() != "TCP" {
		t.Fatalf("INVITE over %s", invite.Transport())
	}
	log.waitAnswered(t)
	trunk.HangUp(call.ID)
	<-byes
	log.wait(t)
}

func TestCallRefused(t *testing.T) {
	uri, _, _ := farEnd(t, sipmsg.StatusBusyHere)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	_, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000002")
	log.wait(t)
	if got := log.statuses(); got[len(got)-1] != "failed/486" {
		t.Fatalf("progress %v", got)
	}
}

// Close ends the calls in progress, reporting their end.
func TestCloseHangsUp(t *testing.T) {
	uri, _, byes := farEnd(t, sipmsg.StatusOK)
	trunk := openTrunk(t, uri)
	_, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000003")
	log.waitAnswered(t)
	if err := trunk.Close(); err != nil {
		t.Fatal(err)
	}
	<-byes
	log.wait(t)
	if got := log.statuses(); got[len(got)-1] != "ended/0" {
		t.Fatalf("progress %v", got)
	}
}

func TestOpenRefusesBadTrunks(t *testing.T) {
	for _, uri := range []string{"pbx.example.net", "sips:pbx.example.net", "sip:127.0.0.1:5060;transport=ws"} {
		if trunk, err := Open(uri, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
			trunk.Close()
			t.Errorf("Open(%q) accepted", uri)
		}
	}
}

// A JoinToken may be 2,048 characters: too large an INVITE for one UDP
// datagram, so a UDP trunk refuses it saying what to configure, and a TCP
// trunk carries it.
func TestLargeInvite(t *testing.T) {
	call := chime.OutboundCall{ID: "c0ffee00-0000-4000-8000-000000000009", From: "+12065550100", To: "+14155550100",
		Headers: map[string]string{"X-Chime-Join-Token": strings.Repeat("a", 2048)}}

	udp, _, _ := farEnd(t, sipmsg.StatusBusyHere)
	trunk := openTrunk(t, udp)
	defer trunk.Close()
	err := trunk.Dial(call, newProgressLog().record)
	if !errors.Is(err, chime.ErrCallTooLarge) || !strings.Contains(err.Error(), ";transport=tcp") {
		t.Fatalf("UDP trunk: got %v, want a refusal that names ;transport=tcp", err)
	}

	tcp, invites, _ := farEndOn(t, "tcp", sipmsg.StatusBusyHere)
	trunk = openTrunk(t, tcp)
	defer trunk.Close()
	log := newProgressLog()
	if err := trunk.Dial(call, log.record); err != nil {
		t.Fatal(err)
	}
	if got := (<-invites).GetHeader("X-Chime-Join-Token").Value(); len(got) != 2048 {
		t.Fatalf("the far end got a join token of %d characters", len(got))
	}
	log.wait(t)
}

// A call that rings past the no-answer time is given up with a CANCEL and
// reported failed.
func TestCallNotAnswered(t *testing.T) {
	uri, _, _, cancels := farEndRinging(t, "udp", 1, 0)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	trunk.noAnswer = 500 * time.Millisecond
	_, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000005")
	log.wait(t)
	select {
	case <-cancels:
	case <-time.After(5 * time.Second):
		t.Fatal("no CANCEL reached the far end")
	}
	if got := log.statuses(); got[len(got)-1] != "failed/487" {
		t.Fatalf("progress %v", got)
	}
}

// A far end may ring more than ten times before it answers (sipgo's
// WaitAnswer stops after ten responses); the call is still answered.
func TestCallAnsweredAfterManyRings(t *testing.T) {
	uri, _, byes, _ := farEndRinging(t, "udp", 12, sipmsg.StatusOK)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	call, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000006")
	log.waitAnswered(t)
	trunk.HangUp(call.ID)
	<-byes
	log.wait(t)
}

// A far end that answers as chimed's CANCEL reaches it is in the call:
// chimed confirms the answer with an ACK and leaves with a BYE (RFC 3261,
// 9.1). The far end is raw UDP, since a SIP stack answers a CANCEL with 487.
func TestAnswerCrossingCancel(t *testing.T) {
	var invite *sipmsg.Request
	port, methods := rawFarEnd(t, func(req *sipmsg.Request, reply func(*sipmsg.Response)) {
		respond := func(to *sipmsg.Request, code int, reason string) {
			res := sipmsg.NewResponseFromRequest(to, code, reason, nil)
			if to.IsInvite() && code == sipmsg.StatusOK {
				res.To().Params.Add("tag", "far")
				// The INVITE was sent to this far end's address.
				res.AppendHeader(&sipmsg.ContactHeader{Address: sipmsg.Uri{Scheme: "sip", Host: "127.0.0.1", Port: to.Recipient.Port}})
			}
			reply(res)
		}
		switch req.Method {
		case sipmsg.INVITE:
			invite = req
			respond(req, sipmsg.StatusRinging, "Ringing")
		case sipmsg.CANCEL:
			respond(req, sipmsg.StatusOK, "OK")
			respond(invite, sipmsg.StatusOK, "OK")
		case sipmsg.BYE:
			respond(req, sipmsg.StatusOK, "OK")
		}
	})

	trunk := openTrunk(t, "sip:127.0.0.1:"+strconv.Itoa(port))
	defer trunk.Close()
	trunk.noAnswer = 300 * time.Millisecond
	_, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000007")
	log.wait(t)
	var seen []string
	for len(seen) < 4 {
		select {
		case m := <-methods:
			seen = append(seen, m)
		case <-time.After(5 * time.Second):
			t.Fatalf("the far end got %v, want INVITE, CANCEL, ACK, BYE", seen)
		}
	}
	if want := []string{"INVITE", "CANCEL", "ACK", "BYE"}; !slices.Equal(seen, want) {
		t.Fatalf("the far end got %v, want %v", seen, want)
	}
	if got, want := log.statuses(), []string{"ringing/180", "answered/200", "ended/0"}; !slices.Equal(got, want) {
		t.Fatalf("progress %v, want %v", got, want)
	}
}

// A trunk without a port is at SIP's 5060, a transport is read whatever its
// case, and a call rings for a minute before it is given up.
func TestOpenDefaults(t *testing.T) {
	for _, tc := range []struct {
		uri       string
		port      int
		transport string
	}{
		{"sip:127.0.0.1", 5060, "udp"},
		{"sip:127.0.0.1:5070;transport=TCP", 5070, "tcp"},
		{"sip:127.0.0.1:5070;transport=Udp", 5070, "udp"},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			trunk := openTrunk(t, tc.uri)
			defer trunk.Close()
			if trunk.target.Port != tc.port || trunk.transport != tc.transport || trunk.noAnswer != time.Minute {
				t.Errorf("port %d, transport %s, no-answer time %v; want %d, %s, 1m0s",
					trunk.target.Port, trunk.transport, trunk.noAnswer, tc.port, tc.transport)
			}
		})
	}
}

// The INVITE asserts the caller's identity and offers an inactive audio
// stream (chimed carries no media); over TCP its Request-URI and Contact say
// so, for the far end's requests within the call (its BYE) to come back over
// TCP.
func TestInviteContent(t *testing.T) {
	uri, invites, _ := farEndOn(t, "tcp", sipmsg.StatusBusyHere)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	call, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000010")
	invite := <-invites
	log.wait(t)
	pai := invite.GetHeader("P-Asserted-Identity")
	if pai == nil || !strings.Contains(pai.Value(), "<sip:"+call.From+"@") {
		t.Errorf("P-Asserted-Identity %v, want the caller's number", pai)
	}
	if ct := invite.ContentType(); ct == nil || ct.Value() != "application/sdp" {
		t.Errorf("Content-Type %v, want application/sdp", ct)
	}
	body := string(invite.Body())
	if !strings.Contains(body, "\r\na=inactive\r\n") || !strings.Contains(body, "m=audio ") || strings.Contains(body, "sendrecv") {
		t.Errorf("SDP offer is not one inactive audio stream:\n%s", body)
	}
	if tp, _ := invite.Recipient.UriParams.Get("transport"); tp != "tcp" {
		t.Errorf("Request-URI %s, want ;transport=tcp", invite.Recipient.String())
	}
	contact := invite.Contact()
	if contact == nil {
		t.Fatal("no Contact")
	}
	if tp, _ := contact.Address.UriParams.Get("transport"); tp != "tcp" {
		t.Errorf("Contact %s, want ;transport=tcp", contact.Value())
	}
}

// A header value with a line break is refused: it would add a header line
// of its own to the INVITE.
func TestHeaderLineBreaksRefused(t *testing.T) {
	uri, _, _ := farEnd(t, sipmsg.StatusBusyHere)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	for _, headers := range []map[string]string{
		{"X-Chime-Meeting-Id": "m-1\r\nP-Asserted-Identity: <sip:+19995550100@evil>"},
		{"X-Chime-Meeting-Id": "m-1\nX-Evil: 1"},
		{"X-Evil\r\nX-Other": "1"},
	} {
		log := newProgressLog()
		call := chime.OutboundCall{ID: chime.NewID(), From: "+12065550100", To: "+14155550100", Headers: headers}
		if err := trunk.Dial(call, log.record); err == nil {
			log.wait(t)
			t.Errorf("Dial with headers %q was sent", headers)
		}
	}
}

// A call hung up while it rings is cancelled and recorded ended with 487,
// and HangUp returns once that is recorded.
func TestHangUpBeforeTheAnswer(t *testing.T) {
	uri, _, _, cancels := farEndRinging(t, "udp", 1, 0)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	call, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000011")
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(log.statuses(), "ringing/180") {
		if time.Now().After(deadline) {
			t.Fatalf("not ringing: %v", log.statuses())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !trunk.HangUp(call.ID) {
		t.Fatal("HangUp found no call")
	}
	if got, want := log.statuses(), []string{"ringing/180", "ended/487"}; !slices.Equal(got, want) {
		t.Fatalf("progress when HangUp returned: %v, want %v", got, want)
	}
	select {
	case <-cancels:
	case <-time.After(5 * time.Second):
		t.Fatal("no CANCEL reached the far end")
	}
}

// rawFarEnd is a far end on raw UDP, below any SIP stack's own answers: it
// records the method of each request it gets, and hands the request to
// answer with a way to reply to its sender. Requests come one at a time.
func rawFarEnd(t *testing.T, answer func(req *sipmsg.Request, reply func(*sipmsg.Response))) (port int, methods chan string) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	methods = make(chan string, 16)
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			msg, err := sipmsg.ParseMessage(buf[:n])
			req, ok := msg.(*sipmsg.Request)
			if err != nil || !ok {
				continue
			}
			methods <- req.Method.String()
			answer(req, func(res *sipmsg.Response) { conn.WriteTo([]byte(res.String()), from) })
		}
	}()
	return conn.LocalAddr().(*net.UDPAddr).Port, methods
}

// A 100 Trying is reported as trying, not as ringing.
func TestTryingIsReported(t *testing.T) {
	port, _ := rawFarEnd(t, func(req *sipmsg.Request, reply func(*sipmsg.Response)) {
		if req.Method != sipmsg.INVITE {
			return
		}
		reply(sipmsg.NewResponseFromRequest(req, sipmsg.StatusTrying, "Trying", nil))
		time.Sleep(100 * time.Millisecond)
		busy := sipmsg.NewResponseFromRequest(req, sipmsg.StatusBusyHere, "Busy Here", nil)
		busy.To().Params.Add("tag", "far")
		reply(busy)
	})
	trunk := openTrunk(t, "sip:127.0.0.1:"+strconv.Itoa(port))
	defer trunk.Close()
	_, log := dial(t, trunk, "c0ffee00-0000-4000-8000-000000000012")
	log.wait(t)
	if got, want := log.statuses(), []string{"trying/100", "failed/486"}; !slices.Equal(got, want) {
		t.Fatalf("progress %v, want %v", got, want)
	}
}

// A BYE for no call of chimed's is answered 481 (Call/Transaction Does Not
// Exist), not accepted.
func TestStrayByeRefused(t *testing.T) {
	uri, _, _ := farEnd(t, sipmsg.StatusBusyHere)
	trunk := openTrunk(t, uri)
	defer trunk.Close()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.UDPAddr).Port
	bye := "BYE sip:chimed@" + trunk.host + ":" + strconv.Itoa(trunk.port) + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:" + strconv.Itoa(local) + ";branch=z9hG4bK-stray-1\r\n" +
		"From: <sip:far@127.0.0.1>;tag=far\r\n" +
		"To: <sip:chimed@" + trunk.host + ">;tag=nosuch\r\n" +
		"Call-ID: stray-bye@127.0.0.1\r\n" +
		"CSeq: 2 BYE\r\n" +
		"Max-Forwards: 70\r\n" +
		"Content-Length: 0\r\n\r\n"
	to := &net.UDPAddr{IP: net.ParseIP(trunk.host), Port: trunk.port}
	if _, err := conn.WriteTo([]byte(bye), to); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	n, _, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no answer to the BYE: %v", err)
	}
	msg, err := sipmsg.ParseMessage(buf[:n])
	res, ok := msg.(*sipmsg.Response)
	if err != nil || !ok || res.StatusCode != sipmsg.StatusCallTransactionDoesNotExists {
		t.Fatalf("a BYE for no call got:\n%s", buf[:n])
	}
}

// A closed trunk places no call.
func TestDialAfterCloseRefused(t *testing.T) {
	uri, invites, _ := farEnd(t, sipmsg.StatusBusyHere)
	trunk := openTrunk(t, uri)
	if err := trunk.Close(); err != nil {
		t.Fatal(err)
	}
	err := trunk.Dial(chime.OutboundCall{ID: "c0ffee00-0000-4000-8000-000000000013", From: "+12065550100", To: "+14155550100"}, newProgressLog().record)
	if err == nil {
		t.Fatal("a closed trunk placed a call")
	}
	select {
	case <-invites:
		t.Fatal("the far end got an INVITE from a closed trunk")
	case <-time.After(200 * time.Millisecond):
	}
}
