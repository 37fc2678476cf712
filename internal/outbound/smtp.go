package outbound

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// The STARTTLS policies of the SMTP relay.
const (
	// StartTLSRequired refuses to send over a connection the relay does
	// not encrypt.
	StartTLSRequired = "required"
	// StartTLSOpportunistic encrypts when the relay offers STARTTLS.
	StartTLSOpportunistic = "opportunistic"
)

// MailConfig is the SMTP relay that carries invitations.
type MailConfig struct {
	// Addr is the relay's host:port.
	Addr string
	// Username and Password, when set, authenticate with AUTH PLAIN
	// (which net/smtp sends only encrypted, or to localhost).
	Username, Password string
	// StartTLS is StartTLSRequired or StartTLSOpportunistic ("" = the
	// latter).
	StartTLS string
	// From is the sender: an address, or a name and an address ("Chime
	// Admin <admin@example.com>").
	From string
	// RootCAs, when set, replaces the system's roots for STARTTLS.
	RootCAs *x509.CertPool
}

// Mailer implements chime.Mailer over one SMTP conversation per message.
type Mailer struct {
	cfg  MailConfig
	host string
	// from is cfg.From parsed: its address is the envelope sender, and its
	// String, with the name encoded, the From header.
	from *mail.Address
}

var _ chime.Mailer = (*Mailer)(nil)

// NewMailer checks cfg and returns a mailer for it.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp-addr: %q is not host:port", cfg.Addr)
	}
	switch cfg.StartTLS {
	case "":
		cfg.StartTLS = StartTLSOpportunistic
	case StartTLSRequired, StartTLSOpportunistic:
	default:
		return nil, fmt.Errorf("smtp-starttls: %q is neither %s nor %s", cfg.StartTLS, StartTLSRequired, StartTLSOpportunistic)
	}
	if cfg.From == "" {
		return nil, errors.New("smtp-from: the sender address is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp-from: %q is not an email address: %v", cfg.From, err)
	}
	return &Mailer{cfg: cfg, host: host, from: from}, nil
}

// mailbox checks that to, an address an API caller gave, is a bare mailbox
// (RFC 5321) before it goes into the RCPT command and the To header: the
// model's pattern (.+@.+\..+) lets through spaces, '>' and ESMTP parameters
// ("a@example.com> NOTIFY=SUCCESS"), which the relay would take as part of
// its command. A non-ASCII address needs a relay that takes SMTPUTF8.
func mailbox(c *smtp.Client, to string) error {
	a, err := mail.ParseAddress(to)
	if err != nil || a.Name != "" || a.Address != to {
		return fmt.Errorf("the invitee's address is not a bare email address")
	}
	if utf8Address := strings.ContainsFunc(to, func(r rune) bool { return r > 127 }); utf8Address {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return fmt.Errorf("the invitee's address is not ASCII, and the relay does not take SMTPUTF8")
		}
	}
	return nil
}

// Send delivers one message to the relay, within ctx's deadline.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: m.host, RootCAs: m.cfg.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if m.cfg.StartTLS == StartTLSRequired {
		return fmt.Errorf("the relay %s does not offer STARTTLS, which smtp-starttls=required demands", m.cfg.Addr)
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := mailbox(c, to); err != nil {
		return err
	}
	msg, err := m.message(to, subject, body)
	if err != nil {
		return err
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The relay took the message when it answered the data: a failed QUIT
	// does not make it unsent (and an invitation marked Failed would be
	// sent again).
	c.Quit()
	return nil
}

// message is the RFC 5322 message: a UTF-8 plain-text body in
// quoted-printable, and a subject encoded when it is not plain ASCII.
func (m *Mailer) message(to, subject, body string) ([]byte, error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", m.from.String())
	header("To", to)
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", time.Now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@chimed>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
