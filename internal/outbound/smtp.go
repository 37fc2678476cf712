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
	// From is the envelope and header sender.
	From string
	// RootCAs, when set, replaces the system's roots for STARTTLS.
	RootCAs *x509.CertPool
}

// Mailer implements chime.Mailer over one SMTP conversation per message.
type Mailer struct {
	cfg  MailConfig
	host string
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
	return &Mailer{cfg: cfg, host: host}, nil
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
	msg, err := m.message(to, subject, body)
	if err != nil {
		return err
	}
	if err := c.Mail(m.cfg.From); err != nil {
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
	return c.Quit()
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
	header("From", m.cfg.From)
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
