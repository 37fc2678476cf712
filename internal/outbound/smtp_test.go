package outbound

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// session is what a scriptedRelay saw of one SMTP conversation.
type session struct {
	commands []string // every command line, the data excepted
	data     string
}

// scriptedRelay answers one SMTP conversation on a loopback port as a plain
// relay would, advertising extensions, and reports what it saw. With
// hangUpAtQuit it closes the connection at QUIT instead of answering.
func scriptedRelay(t *testing.T, hangUpAtQuit bool, extensions ...string) (addr string, seen <-chan session) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan session, 1)
	go func() {
		var s session
		defer func() { out <- s }()
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		reply := func(lines ...string) {
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				conn.Write([]byte(l[:3] + sep + l[4:] + "\r\n"))
			}
		}
		reply("220 relay.test ready")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			s.commands = append(s.commands, line)
			verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
			switch verb {
			case "EHLO":
				lines := []string{"250 relay.test"}
				for _, ext := range extensions {
					lines = append(lines, "250 "+ext)
				}
				reply(lines...)
			case "MAIL", "RCPT":
				reply("250 ok")
			case "DATA":
				reply("354 go ahead")
				var data strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				s.data = data.String()
				reply("250 queued")
			case "QUIT":
				if !hangUpAtQuit {
					reply("221 bye")
				}
				return
			default:
				reply("502 not implemented")
			}
		}
	}()
	return ln.Addr().String(), out
}

func send(t *testing.T, cfg MailConfig, to string) error {
	t.Helper()
	return sendSubject(t, cfg, to, "Invitation")
}

// sendSubject is send with the given subject.
func sendSubject(t *testing.T, cfg MailConfig, to, subject string) error {
	t.Helper()
	m, err := NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.Send(ctx, to, subject, "Hello")
}

func hasCommand(s session, prefix string) bool {
	for _, c := range s.commands {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// An invitee's address is the API caller's: only a bare mailbox goes into
// the RCPT command, and a non-ASCII one only to a relay that takes
// SMTPUTF8. Anything else fails the email before RCPT.
func TestSendTakesBareMailboxesOnly(t *testing.T) {
	tests := []struct {
		to         string
		extensions []string
		sent       bool
	}{
		{"ana@example.com", nil, true},
		{"x@example.com> NOTIFY=SUCCESS ORCPT=rfc822;boss@corp.example", nil, false},
		{"Ana <ana@example.com>", nil, false},
		{"<ana@example.com>", nil, false},
		{"josé@exämple.com", nil, false},
		{"josé@exämple.com", []string{"SMTPUTF8"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			addr, seen := scriptedRelay(t, false, tt.extensions...)
			err := send(t, MailConfig{Addr: addr, From: "chime@example.com"}, tt.to)
			s := <-seen
			switch {
			case tt.sent && (err != nil || !hasCommand(s, "RCPT TO:<"+tt.to+">")):
				t.Fatalf("Send: %v; relay saw %q", err, s.commands)
			case !tt.sent && (err == nil || hasCommand(s, "RCPT")):
				t.Fatalf("Send: %v; relay saw %q, want no RCPT", err, s.commands)
			}
		})
	}
}

// Once the relay has answered the data, the message is its: a QUIT it does
// not answer does not fail the email (which would be sent again).
func TestSendIgnoresAnUnansweredQuit(t *testing.T) {
	addr, seen := scriptedRelay(t, true)
	if err := send(t, MailConfig{Addr: addr, From: "chime@example.com"}, "ana@example.com"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if s := <-seen; s.data == "" {
		t.Fatalf("the relay got no data: %q", s.commands)
	}
}

// A sender with a name: its address is the envelope's, and the From header
// carries the name, encoded.
func TestSenderWithAName(t *testing.T) {
	addr, seen := scriptedRelay(t, false)
	if err := send(t, MailConfig{Addr: addr, From: "Chimé Admin <admin@example.com>"}, "ana@example.com"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	s := <-seen
	if !hasCommand(s, "MAIL FROM:<admin@example.com>") {
		t.Fatalf("commands %q, want MAIL FROM:<admin@example.com>", s.commands)
	}
	if want := "From: =?utf-8?q?Chim=C3=A9_Admin?= <admin@example.com>\r\n"; !strings.Contains(s.data, want) {
		t.Fatalf("message\n%s\nlacks %q", s.data, want)
	}
}

// A subject that is not plain ASCII is encoded (RFC 2047).
func TestSubjectIsEncoded(t *testing.T) {
	addr, seen := scriptedRelay(t, false)
	if err := sendSubject(t, MailConfig{Addr: addr, From: "chime@example.com"}, "ana@example.com", "Einladung für Ana"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	s := <-seen
	if want := "Subject: =?utf-8?q?Einladung_f=C3=BCr_Ana?=\r\n"; !strings.Contains(s.data, want) {
		t.Fatalf("message\n%s\nlacks %q", s.data, want)
	}
}
