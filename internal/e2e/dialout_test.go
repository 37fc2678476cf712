package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/chimed/chimed/internal/server"
)

// uas is a SIP user agent server standing in for the far end of the trunk:
// it records the INVITEs and BYEs it gets and answers as told.
type uas struct {
	uri     string
	invites chan *sip.Request
	byes    chan *sip.Request
	// ended holds the IDs of the dialogs that are over. An ACK may reach
	// the far end after its dialog ended (sipgo may read it after the BYE
	// behind it, or it acknowledges a retransmitted 200), and RFC 3261 has
	// the far end absorb it; an ACK for a dialog that never was is still
	// an error.
	ended sync.Map
}

// How the far end answers.
const (
	answer       = "answer"        // 180 Ringing, 200 OK, then wait for a BYE
	answerHangUp = "answer-hangup" // answer, then hang up itself
	busy         = "busy"          // 180 Ringing, then 486 Busy Here
)

func startUAS(t *testing.T, mode string) *uas {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("far-end"))
	noErr(t, err)
	srv, err := sipgo.NewServer(ua)
	noErr(t, err)
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	noErr(t, err)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	noErr(t, err)
	port := conn.LocalAddr().(*net.UDPAddr).Port
	dialogs := sipgo.NewDialogServerCache(client, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "far-end", Host: "127.0.0.1", Port: port}})
	u := &uas{uri: "sip:127.0.0.1:" + strconv.Itoa(port), invites: make(chan *sip.Request, 10), byes: make(chan *sip.Request, 10)}

	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		keepRequest(u.invites, req)
		dlg, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			t.Errorf("far end: %v", err)
			return
		}
		defer dlg.Close()
		// Deferred after Close, so it runs first: a dialog's ID is
		// always in the cache or in ended.
		defer u.ended.Store(dlg.ID, true)
		dlg.Respond(sip.StatusRinging, "Ringing", nil)
		// Ring a while: a final response right behind the 180 may reach
		// the caller first (sipgo hands them over concurrently).
		time.Sleep(100 * time.Millisecond)
		if mode == busy {
			dlg.Respond(sip.StatusBusyHere, "Busy Here", nil)
			return
		}
		sdp := []byte("v=0\r\no=far 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=inactive\r\n")
		dlg.Respond(sip.StatusOK, "OK", sdp, sip.NewHeader("Content-Type", "application/sdp"))
		<-dlg.Context().Done()
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := dialogs.ReadAck(req, tx); err != nil {
			if id, idErr := sip.DialogIDFromRequestUAS(req); idErr == nil && errors.Is(err, sipgo.ErrDialogDoesNotExists) {
				if _, over := u.ended.Load(id); over {
					return
				}
			}
			t.Errorf("far end: ACK: %v", err)
			return
		}
		if mode == answerHangUp {
			dlg, err := dialogs.MatchDialogRequest(req)
			if err == nil {
				go dlg.Bye(context.Background())
			}
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		keepRequest(u.byes, req)
		dialogs.ReadBye(req, tx)
	})
	go srv.ServeUDP(conn)
	t.Cleanup(func() { ua.Close() })
	return u
}

// trunk configures chimed's SIP trunk to be this far end.
func (u *uas) trunk(c *server.Config) { c.SIPTrunk = u.uri }

// keepRequest keeps a copy of req for the test to read, unless the test has
// already left as many unread as the channel holds: a test that places many
// calls without reading them (the random walk) must not stall the far end.
func keepRequest(requests chan *sip.Request, req *sip.Request) {
	select {
	case requests <- req.Clone():
	default:
	}
}

func (u *uas) nextInvite(t *testing.T) *sip.Request {
	t.Helper()
	select {
	case req := <-u.invites:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("the far end got no INVITE")
		return nil
	}
}

// dialOut is the JSON of GET /_chimed/dial-outs/{transactionId}.
type dialOut struct {
	TransactionId   string
	FromPhoneNumber string
	ToPhoneNumber   string
	MeetingId       string
	Status          string
	SipStatusCode   int
	SipReason       string
	Events          []struct {
		Status        string
		SipStatusCode int
	}
}

func (e *env) dialOut(t *testing.T, key, id string) (dialOut, rawResponse) {
	t.Helper()
	r := e.send(t, key, rawRequest{method: http.MethodGet, path: "/_chimed/dial-outs/" + id})
	var out struct{ DialOut dialOut }
	if r.status == http.StatusOK {
		noErr(t, json.Unmarshal(r.body, &out))
	}
	return out.DialOut, r
}

// waitDialOut polls the dial-out until it reaches status.
func (e *env) waitDialOut(t *testing.T, id, status string) dialOut {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, r := e.dialOut(t, keyA, id)
		wantStatus(t, r, http.StatusOK)
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial-out %s is %s (%+v), want %s", id, d.Status, d, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statuses(d dialOut) string {
	var s []string
	for _, ev := range d.Events {
		s = append(s, ev.Status)
	}
	return strings.Join(s, ",")
}

const meetingID = "12a3456b-7c89-4012-a345-678901e23f45"

func startDialOut(t *testing.T, far *uas) (*env, string) {
	t.Helper()
	e := startTelephony(t, far.trunk)
	from := e.acquire(t, keyA, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "206", 1)[0]
	return e, from
}

func dial(c *chime.Client, from, to string) (*chime.CreateMeetingDialOutOutput, error) {
	return c.CreateMeetingDialOut(ctx, &chime.CreateMeetingDialOutInput{
		MeetingId: aws.String(meetingID), FromPhoneNumber: aws.String(from), ToPhoneNumber: aws.String(to), JoinToken: aws.String("am9pbi10b2tlbg+/"),
	})
}

func TestDialOutReachesTheFarEnd(t *testing.T) {
	far := startUAS(t, answer)
	e, from := startDialOut(t, far)
	a := e.client(keyA)
	_, err := a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Acme")})
	noErr(t, err)

	out, err := dial(a, from, "+14155550100")
	noErr(t, err)
	id := aws.ToString(out.TransactionId)
	if !uuidPattern.MatchString(id) {
		t.Fatalf("TransactionId %q", id)
	}
	invite := far.nextInvite(t)
	checks := []struct{ what, got, want string }{
		{"From user", invite.From().Address.User, from},
		{"From display name", invite.From().DisplayName, "Acme"},
		{"To user", invite.To().Address.User, "+14155550100"},
		{"Request-URI user", invite.Recipient.User, "+14155550100"},
		{"Call-ID", invite.CallID().Value(), id},
		{"X-Chime-Meeting-Id", headerValue(invite, "X-Chime-Meeting-Id"), meetingID},
		{"X-Chime-Join-Token", headerValue(invite, "X-Chime-Join-Token"), "am9pbi10b2tlbg+/"},
		{"X-Chime-Transaction-Id", headerValue(invite, "X-Chime-Transaction-Id"), id},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("INVITE %s is %q, want %q", c.what, c.got, c.want)
		}
	}

	d := e.waitDialOut(t, id, "answered")
	if d.SipStatusCode != 200 || d.FromPhoneNumber != from || d.ToPhoneNumber != "+14155550100" || d.MeetingId != meetingID ||
		!strings.HasPrefix(statuses(d), "trying,") || !strings.HasSuffix(statuses(d), "ringing,answered") {
		t.Fatalf("answered dial-out %+v (steps %s)", d, statuses(d))
	}
	// Another AWS account cannot see it.
	_, r := e.dialOut(t, keyB, id)
	wantStatus(t, r, http.StatusNotFound)

	// Hanging up sends the BYE.
	r = e.send(t, keyA, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + id})
	wantStatus(t, r, http.StatusOK)
	select {
	case <-far.byes:
	case <-time.After(10 * time.Second):
		t.Fatal("the far end got no BYE")
	}
	if d := e.waitDialOut(t, id, "ended"); !strings.HasSuffix(statuses(d), "answered,ended") {
		t.Fatalf("steps %s", statuses(d))
	}
	r = e.send(t, keyA, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + id})
	wantStatus(t, r, http.StatusConflict)
}

// A call shows the number's own calling name once that is set; while it is
// pending (UpdateInProgress), the AWS account's default.
func TestDialOutShowsACallingNameOnceSet(t *testing.T) {
	far := startUAS(t, answer)
	e, from := startDialOut(t, far)
	a := e.client(keyA)
	_, err := a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Acme")})
	noErr(t, err)
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(from), CallingName: aws.String("Acme Support")})
	noErr(t, err)
	for _, want := range []string{"Acme", "Acme Support"} {
		_, err := dial(a, from, "+14155550100")
		noErr(t, err)
		if got := far.nextInvite(t).From().DisplayName; got != want {
			t.Errorf("INVITE From display name %q, want %q", got, want)
		}
		e.runJobs(time.Hour) // the calling name's change completes
	}
}

// The test API's reset, or a restore of a snapshot taken before the call,
// removes a live dial-out's record: the call is hung up with it, rather
// than left up where no one can see or end it.
func TestDialOutHungUpWhenTheTestAPIRemovesItsRecord(t *testing.T) {
	for _, how := range []string{"reset", "restore"} {
		t.Run(how, func(t *testing.T) {
			far := startUAS(t, answer)
			e := startTelephony(t, far.trunk, testAPI)
			from := e.acquire(t, keyA, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "206", 1)[0]
			snap := e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/_chimed/test/snapshots"})
			var saved struct{ SnapshotId string }
			wantStatus(t, snap, http.StatusCreated)
			noErr(t, json.Unmarshal(snap.body, &saved))
			out, err := dial(e.client(keyA), from, "+14155550100")
			noErr(t, err)
			id := aws.ToString(out.TransactionId)
			far.nextInvite(t)
			e.waitDialOut(t, id, "answered")

			path := "/_chimed/test/reset"
			if how == "restore" {
				path = "/_chimed/test/snapshots/" + saved.SnapshotId + "/restore"
			}
			wantStatus(t, e.send(t, keyA, rawRequest{method: http.MethodPost, path: path}), http.StatusNoContent)
			select {
			case <-far.byes:
			case <-time.After(10 * time.Second):
				t.Fatalf("after the %s the far end got no BYE", how)
			}
			_, r := e.dialOut(t, keyA, id)
			wantStatus(t, r, http.StatusNotFound)
		})
	}
}

// A snapshot taken during a call brings its dial-out back as it was then,
// live-looking; the call ended since, so the restore ends the dial-out
// rather than leave a hang-up waiting for a call no one holds.
func TestRestoredDialOutOfAnEndedCallIsEnded(t *testing.T) {
	far := startUAS(t, answer)
	e := startTelephony(t, far.trunk, testAPI)
	from := e.acquire(t, keyA, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "206", 1)[0]
	out, err := dial(e.client(keyA), from, "+14155550100")
	noErr(t, err)
	id := aws.ToString(out.TransactionId)
	far.nextInvite(t)
	e.waitDialOut(t, id, "answered")
	snap := e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/_chimed/test/snapshots"})
	wantStatus(t, snap, http.StatusCreated)
	var saved struct{ SnapshotId string }
	noErr(t, json.Unmarshal(snap.body, &saved))
	wantStatus(t, e.send(t, keyA, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + id}), http.StatusOK)

	wantStatus(t, e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/_chimed/test/snapshots/" + saved.SnapshotId + "/restore"}), http.StatusNoContent)
	d, r := e.dialOut(t, keyA, id)
	wantStatus(t, r, http.StatusOK)
	if d.Status != "failed" || !strings.Contains(d.SipReason, "snapshot was restored") {
		t.Fatalf("restored dial-out %+v, want it failed as not in progress", d)
	}
	wantStatus(t, e.send(t, keyA, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + id}), http.StatusConflict)
}

func headerValue(req *sip.Request, name string) string {
	if h := req.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

func TestDialOutRefusedByTheFarEnd(t *testing.T) {
	far := startUAS(t, busy)
	e, from := startDialOut(t, far)
	out, err := dial(e.client(keyA), from, "+14155550101")
	noErr(t, err)
	d := e.waitDialOut(t, aws.ToString(out.TransactionId), "failed")
	if d.SipStatusCode != 486 || d.SipReason != "Busy Here" || !strings.HasSuffix(statuses(d), "ringing,failed") {
		t.Fatalf("refused dial-out %+v (steps %s)", d, statuses(d))
	}
	// Each step carries the SIP status that made it: the refusal's is 486.
	if last := d.Events[len(d.Events)-1]; last.SipStatusCode != 486 {
		t.Fatalf("the failed step's SipStatusCode is %d, want 486 (steps %+v)", last.SipStatusCode, d.Events)
	}
}

func TestDialOutEndedByTheFarEnd(t *testing.T) {
	far := startUAS(t, answerHangUp)
	e, from := startDialOut(t, far)
	out, err := dial(e.client(keyA), from, "+14155550102")
	noErr(t, err)
	d := e.waitDialOut(t, aws.ToString(out.TransactionId), "ended")
	if !strings.HasSuffix(statuses(d), "answered,ended") {
		t.Fatalf("steps %s", statuses(d))
	}
}

func TestDialOutRefusals(t *testing.T) {
	far := startUAS(t, answer)
	e, from := startDialOut(t, far)
	a := e.client(keyA)
	theirs := e.acquire(t, keyB, types.PhoneNumberProductTypeVoiceConnector, "212", 1)[0]
	deleted := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "212", 1)[0]
	_, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(deleted)})
	noErr(t, err)
	// A number abroad answers calls to a SIP media application; its
	// capabilities have no outbound calls.
	gb, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)})
	noErr(t, err)
	order(t, a, types.PhoneNumberProductTypeSipMediaApplicationDialIn, gb.E164PhoneNumbers...)
	e.runJobs(orderDelay)
	inbound := gb.E164PhoneNumbers[0]
	if n := getNumber(t, a, inbound); n.Status != types.PhoneNumberStatusUnassigned || aws.ToBool(n.Capabilities.OutboundCall) {
		t.Fatalf("number abroad %+v, want it in the inventory without OutboundCall", n)
	}
	tests := []struct {
		name string
		in   chime.CreateMeetingDialOutInput
		want string
	}{
		{"From of another AWS account", chime.CreateMeetingDialOutInput{FromPhoneNumber: aws.String(theirs)}, "ForbiddenException"},
		{"From not in any inventory", chime.CreateMeetingDialOutInput{FromPhoneNumber: aws.String("+12065550100")}, "ForbiddenException"},
		{"From in the deletion queue", chime.CreateMeetingDialOutInput{FromPhoneNumber: aws.String(deleted)}, "ForbiddenException"},
		{"From without outbound calls", chime.CreateMeetingDialOutInput{FromPhoneNumber: aws.String(inbound)}, "ForbiddenException"},
		{"To not a valid number", chime.CreateMeetingDialOutInput{ToPhoneNumber: aws.String("+19999999999")}, "BadRequestException"},
		{"To not E.164", chime.CreateMeetingDialOutInput{ToPhoneNumber: aws.String("call me")}, "BadRequestException"},
		{"meeting ID not a UUID", chime.CreateMeetingDialOutInput{MeetingId: aws.String("meeting-1")}, "BadRequestException"},
		{"join token with other characters", chime.CreateMeetingDialOutInput{JoinToken: aws.String("token\r\nX-Evil: 1")}, "BadRequestException"},
		// The far end listens on UDP, where an INVITE this large does not fit.
		{"join token too large for a UDP trunk", chime.CreateMeetingDialOutInput{JoinToken: aws.String(strings.Repeat("a", 2048))}, "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := chime.CreateMeetingDialOutInput{
				MeetingId: aws.String(meetingID), FromPhoneNumber: aws.String(from), ToPhoneNumber: aws.String("+14155550100"), JoinToken: aws.String("dG9rZW4"),
			}
			if tt.in.FromPhoneNumber != nil {
				in.FromPhoneNumber = tt.in.FromPhoneNumber
			}
			if tt.in.ToPhoneNumber != nil {
				in.ToPhoneNumber = tt.in.ToPhoneNumber
			}
			if tt.in.MeetingId != nil {
				in.MeetingId = tt.in.MeetingId
			}
			if tt.in.JoinToken != nil {
				in.JoinToken = tt.in.JoinToken
			}
			_, err := a.CreateMeetingDialOut(ctx, &in)
			wantError(t, err, tt.want)
		})
	}
	select {
	case req := <-far.invites:
		t.Fatalf("a refused dial-out reached the far end: %s", req.StartLine())
	default:
	}
	var kept int
	noErr(t, e.rawDatabase(t).QueryRow(`SELECT count(*) FROM dial_outs`).Scan(&kept))
	if kept != 0 {
		t.Fatalf("refused dial-outs left %d records", kept)
	}
	_, r := e.dialOut(t, keyA, "00000000-0000-4000-8000-000000000000")
	wantStatus(t, r, http.StatusNotFound)
}

// Without a trunk there is no call to place, and no TransactionId to make up.
func TestDialOutNotConfigured(t *testing.T) {
	e := startTelephony(t)
	from := e.acquire(t, keyA, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "206", 1)[0]
	_, err := dial(e.client(keyA), from, "+14155550100")
	wantErrorMessage(t, err, "ForbiddenException", "dial-out is not configured on this server: start chimed with --sip-trunk")
}

// A live call is kept by the server that placed it renewing its lease; when
// that server is gone, another one's jobs give the call up as lost.
func TestDialOutOfAVanishedServerIsLost(t *testing.T) {
	far := startUAS(t, answer)
	e, from := startDialOut(t, far)
	out, err := dial(e.client(keyA), from, "+14155550103")
	noErr(t, err)
	id := aws.ToString(out.TransactionId)
	e.waitDialOut(t, id, "answered")

	// Renewed by its own server, the call outlives the lease.
	e.runJobs(5 * time.Minute)
	e.waitDialOut(t, id, "answered")

	// Another instance on the database, while the first stops renewing.
	other := startTelephony(t, func(c *server.Config) { c.DB = e.db; c.Now = e.clock.Now })
	e.clock.Advance(5 * time.Minute)
	noErr(t, other.srv.RunJobs(ctx))
	d := e.waitDialOut(t, id, "failed")
	if !strings.Contains(d.SipReason, "lost") {
		t.Fatalf("lost dial-out %+v", d)
	}
}

// A hang-up that reaches another instance than the one with the call is
// passed on through the database: the instance with the call hangs up at
// its next job run, and the hang-up is answered once the call has ended.
func TestDialOutHungUpThroughAnotherInstance(t *testing.T) {
	far := startUAS(t, answer)
	e, from := startDialOut(t, far)
	out, err := dial(e.client(keyA), from, "+14155550104")
	noErr(t, err)
	id := aws.ToString(out.TransactionId)
	e.waitDialOut(t, id, "answered")

	other := startTelephony(t, func(c *server.Config) { c.DB = e.db; c.Now = e.clock.Now })
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() {
		close(stop)
		<-stopped // before the servers close: a run cut off by that would fail
	}()
	go func() { // the first instance's job runs
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if err := e.srv.RunJobs(ctx); err != nil {
					t.Errorf("the first instance's jobs: %v", err)
				}
			}
		}
	}()
	r := other.send(t, keyA, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + id})
	wantStatus(t, r, http.StatusOK)
	var ended struct{ DialOut dialOut }
	noErr(t, json.Unmarshal(r.body, &ended))
	if ended.DialOut.Status != "ended" {
		t.Fatalf("hang-up through another instance answered %+v", ended.DialOut)
	}
	select {
	case <-far.byes:
	case <-time.After(10 * time.Second):
		t.Fatal("the far end got no BYE")
	}
}

// A live call stays live however the clock moves between the jobs' ticks:
// its instance renews its lease just before looking for lost calls.
func TestLiveDialOutOutlastsClockMoves(t *testing.T) {
	far := startUAS(t, answer)
	e := startTelephony(t, func(c *server.Config) { c.SIPTrunk = far.uri; c.JobInterval = 200 * time.Millisecond })
	from := e.acquire(t, keyA, "SipMediaApplicationDialIn", "206", 1)[0]
	out, err := dial(e.client(keyA), from, "+14155550104")
	noErr(t, err)
	id := aws.ToString(out.TransactionId)
	e.waitDialOut(t, id, "answered")
	for i := range 20 {
		e.clock.Advance(2 * time.Minute) // past the one-minute lease
		time.Sleep(250 * time.Millisecond)
		if d, _ := e.dialOut(t, keyA, id); d.Status != "answered" {
			t.Fatalf("after %d moves of the clock the live call is %s: %s", i+1, d.Status, d.SipReason)
		}
	}
}
