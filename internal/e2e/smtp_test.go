package e2e

import (
	"crypto/x509"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"

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
