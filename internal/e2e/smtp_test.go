package e2e

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/chimed/chimed/internal/server"
)

const (
	smtpUser     = "chimed"
	smtpPassword = "relay-secret"
	// Recipients at this domain are refused by the relay.
	refusedDomain = "@refused.example"
)

// relay is an SMTP server that takes mail for anyone but refusedDomain and
// keeps it.
type relay struct {
	addr string
	// roots trusts the relay's certificate, when it offers STARTTLS.
	roots *x509.CertPool
	mu    sync.Mutex
	mail  []relayedMail
	// slow is how long the relay takes to answer each message's data.
	slow time.Duration
}

type relayedMail struct {
	from, to  string
	encrypted bool
	msg       *mail.Message
	body      string
}

// startRelay runs a relay; with starttls it offers STARTTLS and takes only
// authenticated mail (AUTH PLAIN, which it accepts only encrypted).
func startRelay(t *testing.T, starttls bool) *relay {
	t.Helper()
	r := &relay{}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &relaySession{relay: r, conn: c, needAuth: starttls}, nil
	}))
	s.Domain = "relay.test"
	if starttls {
		// Borrow httptest's certificate for 127.0.0.1.
		borrowed := httptest.NewTLSServer(http.NotFoundHandler())
		s.TLSConfig = borrowed.TLS.Clone()
		r.roots = x509.NewCertPool()
		r.roots.AddCert(borrowed.Certificate())
		borrowed.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return r
}

// configure makes chimed send through the relay.
func (r *relay) configure(starttls string) func(*server.Config) {
	return func(c *server.Config) {
		c.SMTPAddr, c.SMTPFrom, c.SMTPStartTLS = r.addr, "chime@example.com", starttls
		if r.roots != nil {
			c.SMTPUsername, c.SMTPPassword, c.OutboundRootCAs = smtpUser, smtpPassword, r.roots
		}
	}
}

func (r *relay) received() []relayedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayedMail(nil), r.mail...)
}

type relaySession struct {
	relay    *relay
	conn     *smtp.Conn
	needAuth bool
	authed   bool
	from, to string
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != smtpUser || password != smtpPassword {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, opts *smtp.MailOptions) error {
	if s.needAuth && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *relaySession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if strings.HasSuffix(to, refusedDomain) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = to
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	time.Sleep(s.relay.slow)
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	_, encrypted := s.conn.TLSConnectionState()
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	s.relay.mail = append(s.relay.mail, relayedMail{from: s.from, to: s.to, encrypted: encrypted, msg: msg, body: body2text(msg, body)})
	return nil
}

// body2text decodes a quoted-printable body.
func body2text(msg *mail.Message, body []byte) string {
	if msg.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		return string(body)
	}
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
	if err != nil {
		return "undecodable: " + err.Error()
	}
	return string(decoded)
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

func inviteUsers(t *testing.T, e *env, accountID string, emails ...string) []types.Invite {
	t.Helper()
	out, err := e.client(keyA).InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String(accountID), UserEmailList: emails})
	noErr(t, err)
	return out.Invites
}

func emailStatuses(invites []types.Invite) string {
	var out []string
	for _, inv := range invites {
		out = append(out, aws.ToString(inv.EmailAddress)+":"+string(inv.EmailStatus))
	}
	return strings.Join(out, " ")
}

var invitationLink = regexp.MustCompile(`https?://\S+/invitations/\S+`)

// InviteUsers emails each invitee through the relay (STARTTLS, then AUTH); the
// link in the email registers the user.
func TestInvitationEmail(t *testing.T) {
	relay := startRelay(t, true)
	e := start(t, relay.configure("required"))
	c := e.client(keyA)
	acct := collabTeamAccount(t, e, keyA)

	invites := inviteUsers(t, e, acct, "ana@example.com", "bob"+refusedDomain)
	if got := emailStatuses(invites); got != "ana@example.com:Sent bob"+refusedDomain+":Failed" {
		t.Fatalf("email statuses %s", got)
	}
	got := relay.received()
	if len(got) != 1 {
		t.Fatalf("relay received %d emails, want 1", len(got))
	}
	m := got[0]
	if m.from != "chime@example.com" || m.to != "ana@example.com" || !m.encrypted || m.msg.Header.Get("To") != "ana@example.com" {
		t.Fatalf("email from %s to %s (encrypted %v), header To %q", m.from, m.to, m.encrypted, m.msg.Header.Get("To"))
	}
	link := invitationLink.FindString(m.body)
	if !strings.HasPrefix(link, e.srv.URL+"/invitations/"+aws.ToString(invites[0].InviteId)+"?token=") {
		t.Fatalf("no link to this server's invitation %s in:\n%s", aws.ToString(invites[0].InviteId), m.body)
	}

	// Opening the link asks; only the form's POST accepts.
	wantUser := func(status types.RegistrationStatus, invitation types.InviteStatus) {
		t.Helper()
		users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(acct), UserEmail: aws.String("ana@example.com")})
		noErr(t, err)
		if len(users.Users) != 1 || users.Users[0].UserRegistrationStatus != status || users.Users[0].UserInvitationStatus != invitation {
			t.Fatalf("users %+v, want %s and %s", users.Users, status, invitation)
		}
	}
	page := collabCall(t, e, "", "GET", link, nil)
	page.want(t, http.StatusOK, "")
	if !strings.Contains(string(page.body), `<form method="post">`) {
		t.Fatalf("invitation page %s", page.body)
	}
	// Its button accepts: no other site may frame it.
	if page.header.Get("X-Frame-Options") != "DENY" || page.header.Get("Content-Security-Policy") != "frame-ancestors 'none'" {
		t.Fatalf("invitation page headers %v", page.header)
	}
	wantUser(types.RegistrationStatusUnregistered, types.InviteStatusPending)
	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	wantUser(types.RegistrationStatusRegistered, types.InviteStatusAccepted)
	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "") // accepting again changes nothing
	collabCall(t, e, "", "POST", link+"x", nil).want(t, http.StatusForbidden, "ForbiddenException")

	// Invited again once registered: Accepted, and no email.
	again := inviteUsers(t, e, acct, "ana@example.com")
	if again[0].Status != types.InviteStatusAccepted || again[0].EmailStatus != types.EmailStatusNotSent || len(relay.received()) != 1 {
		t.Fatalf("invited again: %+v, %d emails", again[0], len(relay.received()))
	}
}

// STARTTLS: required refuses a relay that does not offer it (Failed);
// opportunistic sends in clear. Without a relay nothing is sent.
// A slow relay does not make InviteUsers outlast the SDK's timeout, whose
// retry would invite everyone again: the emails go out side by side. And a
// caller that hangs up does not lose their outcome.
func TestInvitationEmailThroughASlowRelay(t *testing.T) {
	r := startRelay(t, false)
	r.slow = 500 * time.Millisecond
	e := start(t, r.configure("opportunistic"))
	acct := collabTeamAccount(t, e, keyA)
	var emails []string
	for i := range 10 {
		emails = append(emails, fmt.Sprintf("person%d@example.com", i))
	}
	began := time.Now()
	invites := inviteUsers(t, e, acct, emails...)
	// One after the other, the ten would take five seconds.
	took := time.Since(began)
	t.Logf("InviteUsers of 10 through the slow relay took %v", took)
	if took > 2500*time.Millisecond {
		t.Errorf("InviteUsers took %v", took)
	}
	if got := emailStatuses(invites); strings.Count(got, ":Sent") != 10 {
		t.Fatalf("email statuses %s, want all Sent", got)
	}

	hangUp, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := e.client(keyA).InviteUsers(hangUp, &chime.InviteUsersInput{AccountId: aws.String(acct), UserEmailList: []string{"late@example.com"}},
		func(o *chime.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		t.Fatal("InviteUsers answered within 100ms through a relay that takes 500ms")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		listed := listInvitations(t, e, keyA, acct, "")
		var late string
		for _, inv := range listed.Invitations {
			if inv.EmailAddress == "late@example.com" {
				late = inv.EmailStatus
			}
		}
		if late == "Sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the invitation whose caller hung up is %q, want Sent", late)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An invitee removed while the emails go out (BatchSuspendUser on a Team
// account) leaves no invitation to record a status on. InviteUsers, already
// committed, still answers, and the other invitee's status is recorded; it
// was a 500 that an SDK's retry answered by inviting (and emailing) again.
func TestInviteeRemovedWhileEmailed(t *testing.T) {
	r := startRelay(t, false)
	r.slow = 500 * time.Millisecond
	e := start(t, r.configure("opportunistic"))
	c := e.client(keyA)
	acct := aws.String(collabTeamAccount(t, e, keyA))
	type answer struct {
		out *chime.InviteUsersOutput
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"gone@example.com", "kept@example.com"}})
		answered <- answer{out, err}
	}()
	var gone *string
	for deadline := time.Now().Add(2 * time.Second); gone == nil; time.Sleep(10 * time.Millisecond) {
		list, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct, UserEmail: aws.String("gone@example.com")})
		noErr(t, err)
		if len(list.Users) == 1 {
			gone = list.Users[0].UserId
		} else if time.Now().After(deadline) {
			t.Fatal("the invitee never appeared")
		}
	}
	removed, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: acct, UserIdList: []string{*gone}})
	noErr(t, err)
	if len(removed.UserErrors) != 0 {
		t.Fatalf("BatchSuspendUser: %+v", removed.UserErrors)
	}
	a := <-answered
	noErr(t, a.err)
	if got := emailStatuses(a.out.Invites); got != "gone@example.com:Sent kept@example.com:Sent" {
		t.Fatalf("email statuses %s", got)
	}
	listed := listInvitations(t, e, keyA, *acct, "")
	if len(listed.Invitations) != 1 || listed.Invitations[0].EmailAddress != "kept@example.com" || listed.Invitations[0].EmailStatus != "Sent" {
		t.Fatalf("invitations left: %+v", listed.Invitations)
	}
}

func TestInvitationEmailStartTLSPolicy(t *testing.T) {
	plain := startRelay(t, false)
	for _, tc := range []struct {
		name   string
		config func(*server.Config)
		want   string
		mails  int
	}{
		{"required, not offered", plain.configure("required"), "Failed", 0},
		{"opportunistic, not offered", plain.configure("opportunistic"), "Sent", 1},
		{"no relay", func(*server.Config) {}, "NotSent", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, tc.config)
			invites := inviteUsers(t, e, collabTeamAccount(t, e, keyA), "carla@example.com")
			if got := string(invites[0].EmailStatus); got != tc.want {
				t.Fatalf("EmailStatus %s, want %s", got, tc.want)
			}
			if n := len(plain.received()); n != tc.mails {
				t.Fatalf("relay holds %d emails, want %d", n, tc.mails)
			}
		})
	}
}

// invitationListing is GET /_chimed/accounts/{accountId}/invitations.
type invitationListing struct {
	Invitations []struct {
		InviteId, UserId, EmailAddress, Status, EmailStatus, InvitationUrl, CreatedTimestamp string
	}
	NextToken string
}

func listInvitations(t *testing.T, e *env, key, accountID, query string) invitationListing {
	t.Helper()
	resp := collabCall(t, e, key, "GET", "/_chimed/accounts/"+accountID+"/invitations"+query, nil)
	resp.want(t, http.StatusOK, "")
	var out invitationListing
	resp.decode(t, &out)
	return out
}

// Without a relay the outbox is how an invitee's link is reached: it lists
// each invitation with the link its email would carry, a page at a time, to
// the account's owner only.
func TestInvitationOutbox(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := collabTeamAccount(t, e, keyA)
	other, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("elsewhere")})
	noErr(t, err)
	inviteUsers(t, e, aws.ToString(other.Account.AccountId), "dora@example.com")

	invites := inviteUsers(t, e, acct, "ana@example.com", "dora@example.com")
	byID := map[string]types.Invite{}
	for _, inv := range invites {
		byID[aws.ToString(inv.InviteId)] = inv
	}
	listed := listInvitations(t, e, keyA, acct, "")
	if len(listed.Invitations) != 2 || listed.NextToken != "" {
		t.Fatalf("listed %+v, want the 2 invitations", listed)
	}
	var link string
	for _, inv := range listed.Invitations {
		sent, ok := byID[inv.InviteId]
		if !ok || inv.EmailAddress != aws.ToString(sent.EmailAddress) || inv.Status != string(sent.Status) || inv.EmailStatus != "NotSent" || inv.CreatedTimestamp == "" {
			t.Fatalf("listed %+v, InviteUsers answered %+v", inv, sent)
		}
		switch inv.Status {
		case "Pending":
			link = inv.InvitationUrl
			if !strings.HasPrefix(link, e.srv.URL+"/invitations/"+inv.InviteId+"?token=") {
				t.Fatalf("pending invitation's link %q", link)
			}
		case "Failed": // dora belongs to the other account: no link
			if inv.InvitationUrl != "" {
				t.Fatalf("failed invitation has a link %q", inv.InvitationUrl)
			}
		default:
			t.Fatalf("invitation status %s", inv.Status)
		}
	}

	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(acct), UserEmail: aws.String("ana@example.com")})
	noErr(t, err)
	if len(users.Users) != 1 || users.Users[0].UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Fatalf("after following the listed link: %+v", users.Users)
	}
	// Registered, the invitee has a meeting PIN, as CreateUser's users do.
	if pin := aws.ToString(users.Users[0].PersonalPIN); !regexp.MustCompile(`^[0-9]{10}$`).MatchString(pin) {
		t.Fatalf("registered invitee's PersonalPIN %q, want 10 digits", pin)
	}

	// Pages of one, in invite ID order, ending with the accepted one shown
	// Accepted.
	first := listInvitations(t, e, keyA, acct, "?max-results=1")
	if len(first.Invitations) != 1 || first.NextToken == "" {
		t.Fatalf("first page %+v", first)
	}
	second := listInvitations(t, e, keyA, acct, "?max-results=1&next-token="+url.QueryEscape(first.NextToken))
	if len(second.Invitations) != 1 || second.NextToken != "" || second.Invitations[0].InviteId <= first.Invitations[0].InviteId {
		t.Fatalf("second page %+v after %+v", second, first)
	}
	statuses := first.Invitations[0].Status + " " + second.Invitations[0].Status
	if statuses != "Accepted Failed" && statuses != "Failed Accepted" {
		t.Fatalf("statuses %s", statuses)
	}

	for _, tc := range []struct {
		name, key, account, query, errorType string
		status                               int
	}{
		{"another AWS account", keyB, acct, "", "NotFoundException", http.StatusNotFound},
		{"no such account", keyA, "00000000-0000-4000-8000-000000000000", "", "NotFoundException", http.StatusNotFound},
		{"max-results 0", keyA, acct, "?max-results=0", "BadRequestException", http.StatusBadRequest},
		{"max-results 100", keyA, acct, "?max-results=100", "BadRequestException", http.StatusBadRequest},
		{"foreign token", keyA, acct, "?next-token=bogus", "BadRequestException", http.StatusBadRequest},
		{"unsigned", "", acct, "", "MissingAuthenticationTokenException", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := collabCall(t, e, tc.key, "GET", "/_chimed/accounts/"+tc.account+"/invitations"+tc.query, nil)
			resp.want(t, tc.status, tc.errorType)
		})
	}
}

// danaInvited starts a server whose Team account, acct, has invited
// dana@example.com, and returns her invitation's link and user ID.
func danaInvited(t *testing.T) (e *env, acct, link string, userID *string) {
	t.Helper()
	e = start(t)
	acct = collabTeamAccount(t, e, keyA)
	inviteUsers(t, e, acct, "dana@example.com")
	listed := listInvitations(t, e, keyA, acct, "").Invitations[0]
	return e, acct, listed.InvitationUrl, aws.String(listed.UserId)
}

// suspend suspends userID, once acct has claimed a domain: that makes the
// account EnterpriseLWA, whose users can be suspended and keep their
// invitation.
func suspend(t *testing.T, e *env, acct string, userID *string) {
	t.Helper()
	wantStatus(t, e.claimDomainHTTP(t, keyA, acct, "example.com", "EnterpriseLWA"), http.StatusCreated)
	_, err := e.client(keyA).BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: aws.String(acct), UserIdList: []string{*userID}})
	noErr(t, err)
}

// A suspension outlives the invitation: following an old link does not
// register a suspended user again (only BatchUnsuspendUser lifts it).
func TestInvitationLinkDoesNotLiftASuspension(t *testing.T) {
	e, acct, link, userID := danaInvited(t)
	suspend(t, e, acct, userID)

	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusForbidden, "ForbiddenException")
	if u := getUser(t, e.client(keyA), aws.String(acct), userID); u.UserRegistrationStatus != types.RegistrationStatusSuspended {
		t.Fatalf("after the old link: %s", u.UserRegistrationStatus)
	}
}

// A person invited again before answering (a resent invitation) accepts
// both invitations by following either link.
func TestResentInvitationIsAcceptedWithTheFirst(t *testing.T) {
	e := start(t)
	acct := collabTeamAccount(t, e, keyA)
	inviteUsers(t, e, acct, "dana@example.com")
	inviteUsers(t, e, acct, "Dana@example.com")
	listed := listInvitations(t, e, keyA, acct, "").Invitations
	if len(listed) != 2 || listed[0].Status != "Pending" || listed[1].Status != "Pending" || listed[0].UserId != listed[1].UserId {
		t.Fatalf("after inviting one person twice: %+v", listed)
	}

	collabCall(t, e, "", "POST", listed[1].InvitationUrl, nil).want(t, http.StatusOK, "")
	for _, inv := range listInvitations(t, e, keyA, acct, "").Invitations {
		if inv.Status != "Accepted" {
			t.Fatalf("after following one link, invitation %s is %s", inv.InviteId, inv.Status)
		}
	}
	// The other link still answers, as an accepted invitation's does.
	collabCall(t, e, "", "POST", listed[0].InvitationUrl, nil).want(t, http.StatusOK, "")
}

// Listening on every address gives no address a link can point at: links
// then point at localhost, on the port chimed listens on.
func TestLinksWhenListeningOnEveryAddress(t *testing.T) {
	e := start(t, func(c *server.Config) { c.Addr = "0.0.0.0:0" })
	acct := collabTeamAccount(t, e, keyA)
	inviteUsers(t, e, acct, "ana@example.com")
	listed := listInvitations(t, e, keyA, acct, "")
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":")+1:]
	if len(listed.Invitations) != 1 || !strings.HasPrefix(listed.Invitations[0].InvitationUrl, "http://localhost:"+port+"/invitations/") {
		t.Fatalf("listed %+v, want a link to http://localhost:%s", listed, port)
	}
}

// Unsuspending returns a user to the status the suspension interrupted: an
// invitee who never accepted is Unregistered again, and registers (with a
// PIN) by following the link, not by being unsuspended.
func TestUnsuspendReturnsAnInviteeToUnregistered(t *testing.T) {
	e, acct, link, userID := danaInvited(t)
	c := e.client(keyA)
	suspend(t, e, acct, userID)
	_, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: aws.String(acct), UserIdList: []string{*userID}})
	noErr(t, err)
	u := getUser(t, c, aws.String(acct), userID)
	if u.UserRegistrationStatus != types.RegistrationStatusUnregistered || u.RegisteredOn != nil || u.PersonalPIN != nil {
		t.Fatalf("unsuspended invitee: %s, registered on %v, PIN %v; want Unregistered with neither",
			u.UserRegistrationStatus, u.RegisteredOn, aws.ToString(u.PersonalPIN))
	}

	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	u = getUser(t, c, aws.String(acct), userID)
	if u.UserRegistrationStatus != types.RegistrationStatusRegistered || u.RegisteredOn == nil || !pinPattern.MatchString(aws.ToString(u.PersonalPIN)) {
		t.Fatalf("after the link: %s, registered on %v, PIN %q", u.UserRegistrationStatus, u.RegisteredOn, aws.ToString(u.PersonalPIN))
	}
}

// A PIN an administrator reset for an invitee is the one the invitee has
// once registered: ResetPersonalPIN answered it.
func TestInvitationKeepsAResetPIN(t *testing.T) {
	e, acct, link, userID := danaInvited(t)
	c := e.client(keyA)
	reset, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: aws.String(acct), UserId: userID})
	noErr(t, err)

	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	u := getUser(t, c, aws.String(acct), userID)
	if got, want := aws.ToString(u.PersonalPIN), aws.ToString(reset.User.PersonalPIN); got != want {
		t.Fatalf("PIN after registering %q, ResetPersonalPIN answered %q", got, want)
	}
}

// The outbox answers 50 invitations a page by default, and at most 99.
func TestInvitationOutboxPageSizes(t *testing.T) {
	e := start(t)
	acct := collabTeamAccount(t, e, keyA)
	var emails []string
	for i := range 51 {
		emails = append(emails, fmt.Sprintf("invitee%02d@example.com", i))
	}
	inviteUsers(t, e, acct, emails[:50]...)
	inviteUsers(t, e, acct, emails[50:]...)
	for _, tc := range []struct {
		query     string
		n         int
		nextToken bool
	}{
		{"", 50, true},
		{"?max-results=99", 51, false},
	} {
		t.Run("query "+tc.query, func(t *testing.T) {
			listed := listInvitations(t, e, keyA, acct, tc.query)
			if len(listed.Invitations) != tc.n || (listed.NextToken != "") != tc.nextToken {
				t.Fatalf("%d invitations, NextToken %q; want %d, a token: %v", len(listed.Invitations), listed.NextToken, tc.n, tc.nextToken)
			}
		})
	}
	collabCall(t, e, keyA, "GET", "/_chimed/accounts/"+acct+"/invitations?max-results=100", nil).want(t, http.StatusBadRequest, "BadRequestException")
}

// Following a link already accepted changes nothing, even once its user was
// suspended: the answer is the accepted invitation's, and the user stays
// suspended.
func TestAcceptedLinkAfterASuspension(t *testing.T) {
	e, acct, link, userID := danaInvited(t)
	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	suspend(t, e, acct, userID)

	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")
	if u := getUser(t, e.client(keyA), aws.String(acct), userID); u.UserRegistrationStatus != types.RegistrationStatusSuspended {
		t.Fatalf("after the accepted link again: %s", u.UserRegistrationStatus)
	}
}
