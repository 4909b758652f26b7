// Package smtptest runs a real SMTP server on the loopback interface for
// tests, records the messages it accepts and can refuse chosen recipients.
//
//	srv := smtptest.Start(t, smtptest.Options{})
//	// ... send to srv.Host:srv.Port with TLS policy "none" ...
//	msgs := srv.Messages()
//	p, err := msgs[0].Parse() // headers, text body, attachments
//
// With Options.TLS the server offers STARTTLS with a certificate made for
// the test; [Server.ClientTLSConfig] returns a client configuration that
// trusts it. With Options.Username the server requires AUTH PLAIN.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a test server. The zero value is a plain server
// without TLS or authentication.
type Options struct {
	// TLS makes the server offer STARTTLS.
	TLS bool
	// Username and Password, when Username is set, are the only credentials
	// the server accepts, and it refuses mail from unauthenticated clients.
	Username, Password string
}

// Message is one message the server accepted.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To are the envelope recipients (RCPT TO) the server accepted.
	To []string
	// Data is the message as received, headers and body.
	Data []byte
}

// Server is a running test SMTP server. Its methods are safe for
// concurrent use.
type Server struct {
	// Host is the IP address the server listens on, "127.0.0.1".
	Host string
	// Port is the TCP port the server listens on.
	Port int

	opts      Options
	srv       *smtp.Server
	clientTLS *tls.Config

	mu       sync.Mutex
	messages []Message
	reject   map[string]int
	notify   chan struct{}
}

// Start starts a server on 127.0.0.1 with a free port and stops it when the
// test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, opts: opts,
		reject: map[string]int{}, notify: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.AllowInsecureAuth = !opts.TLS
	if opts.TLS {
		if s.srv.TLSConfig, s.clientTLS, err = newTLSConfigs(s.Host); err != nil {
			ln.Close()
			tb.Fatalf("smtptest: %v", err)
		}
	}
	go s.srv.Serve(ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// Addr returns the server's address as host:port.
func (s *Server) Addr() string {
	return net.JoinHostPort(s.Host, fmt.Sprint(s.Port))
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, or nil when the server was started without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// RejectRecipient makes the server answer RCPT TO for addr with the SMTP
// reply code, such as 550 (permanent) or 451 (temporary). Addresses are
// compared case-insensitively. A code of 0 accepts addr again.
func (s *Server) RejectRecipient(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.reject, strings.ToLower(addr))
		return
	}
	s.reject[strings.ToLower(addr)] = code
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	copy(out, s.messages)
	return out
}

// Reset forgets the messages accepted so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// WaitForMessages waits up to timeout until at least n messages have been
// accepted and returns them; it fails the test when they do not arrive.
func (s *Server) WaitForMessages(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		if msgs := s.Messages(); len(msgs) >= n {
			return msgs
		}
		select {
		case <-s.notify:
		case <-deadline:
			tb.Fatalf("smtptest: got %d messages after %v, want %d", len(s.Messages()), timeout, n)
			return nil
		}
	}
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{srv: s}, nil
}

func (s *Server) rejectCode(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reject[strings.ToLower(addr)]
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// session is one SMTP connection.
type session struct {
	srv    *Server
	authed bool
	msg    Message
}

var _ smtp.AuthSession = (*session)(nil)

// AuthMechanisms offers PLAIN when the server has credentials.
func (ss *session) AuthMechanisms() []string {
	if ss.srv.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials against the server's.
func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.opts.Username || pass != ss.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

// Mail starts a message, refusing unauthenticated clients when the
// server has credentials.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.msg = Message{From: from}
	return nil
}

// Rcpt accepts a recipient unless [Server.RejectRecipient] named it.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code := ss.srv.rejectCode(to); code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: enhanced(code), Message: "recipient refused by test server"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

// Data records the message.
func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	ss.msg.Data = buf.Bytes()
	ss.srv.record(ss.msg)
	ss.msg = Message{}
	return nil
}

// Reset discards the message in progress.
func (ss *session) Reset() { ss.msg = Message{} }

// Logout ends the session.
func (ss *session) Logout() error { return nil }

// enhanced returns the RFC 3463 status code matching an SMTP reply code.
func enhanced(code int) smtp.EnhancedCode {
	if code >= 500 {
		return smtp.EnhancedCode{5, 1, 1}
	}
	return smtp.EnhancedCode{4, 2, 1}
}
