// Package smtptest runs a real SMTP server on the loopback interface for
// tests, records the messages it accepts and misbehaves on command: it can
// refuse chosen recipients, answer any stage with a chosen reply code,
// stop answering altogether, and be stopped and started again on the same
// port.
//
//	srv := smtptest.Start(t, smtptest.Options{})
//	// ... send to srv.Host:srv.Port with TLS policy "none" ...
//	msgs := srv.Messages()
//	p, err := msgs[0].Parse() // headers, text body, attachments
//
// With Options.TLS the server offers STARTTLS, and with
// Options.ImplicitTLS it speaks TLS from the start, with a certificate made
// for the test; [Server.ClientTLSConfig] returns a client configuration
// that trusts it. With Options.Username the server requires AUTH PLAIN.
//
// Faults, each lasting until undone:
//
//	srv.RejectRecipient("gone@example.org", 550) // RCPT TO for one address
//	srv.Reply(smtptest.StageMail, 451)            // every MAIL FROM
//	srv.Hang(smtptest.StageConnect)               // accept, never greet
//	srv.Stop()                                    // connections refused
//	srv.Restart(t)                                // same port again
package smtptest

import (
	"bytes"
	"crypto/tls"
	"errors"
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
	// ImplicitTLS makes the server speak TLS from the start, as on port
	// 465, instead of offering STARTTLS.
	ImplicitTLS bool
	// Username and Password, when Username is set, are the only credentials
	// the server accepts, and it refuses mail from unauthenticated clients.
	Username, Password string
}

// Stage is a point in an SMTP conversation at which the server can be made
// to answer with an error ([Server.Reply]) or not at all ([Server.Hang]).
type Stage string

// The stages, in the order a client meets them.
const (
	// StageConnect is the TCP connection, before the server's greeting.
	// Only [Server.Hang] applies to it: the connection is accepted and
	// nothing is ever written.
	StageConnect Stage = "connect"
	// StageHello is the reply to EHLO (or HELO).
	StageHello Stage = "hello"
	// StageMail is the reply to MAIL FROM.
	StageMail Stage = "mail"
	// StageRcpt is the reply to RCPT TO, for every recipient; see also
	// [Server.RejectRecipient] for one address.
	StageRcpt Stage = "rcpt"
	// StageData is the reply to the end of the message data (the "."),
	// once the whole message has been received.
	StageData Stage = "data"
)

// Message is one message the server accepted.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To are the envelope recipients (RCPT TO) the server accepted.
	To []string
	// Data is the message as received, headers and body.
	Data []byte
}

// QueuedReply returns the text of the server's 250 reply to the nth
// message it accepted since it started (counting from 1), after the
// enhanced status code:
// "OK: queued as n".
func QueuedReply(n int) string { return fmt.Sprintf("OK: queued as %d", n) }

// Server is a running test SMTP server. Its methods are safe for
// concurrent use.
type Server struct {
	// Host is the IP address the server listens on, "127.0.0.1".
	Host string
	// Port is the TCP port the server listens on; it stays the same across
	// [Server.Stop] and [Server.Restart].
	Port int

	opts      Options
	clientTLS *tls.Config
	serverTLS *tls.Config

	mu       sync.Mutex
	srv      *smtp.Server // nil while stopped
	ln       net.Listener // the listener srv serves
	messages []Message
	reject   map[string]int
	replies  map[Stage]int
	hangAt   Stage
	release  chan struct{} // closed to free the sessions hanging
	held     []net.Conn    // connections accepted while hanging at connect
	accepted int
	queued   int // messages accepted, Reset or not
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
		reject: map[string]int{}, replies: map[Stage]int{}, release: make(chan struct{}),
		notify: make(chan struct{}, 1)}
	if opts.TLS || opts.ImplicitTLS {
		if s.serverTLS, s.clientTLS, err = newTLSConfigs(s.Host); err != nil {
			ln.Close()
			tb.Fatalf("smtptest: %v", err)
		}
	}
	s.serve(ln)
	tb.Cleanup(s.Stop)
	return s
}

// serve starts a go-smtp server on ln.
func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = !s.opts.TLS && !s.opts.ImplicitTLS
	var l net.Listener = &listener{Listener: ln, srv: s}
	if s.opts.ImplicitTLS {
		l = tls.NewListener(l, s.serverTLS)
	} else {
		srv.TLSConfig = s.serverTLS
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(l)
}

// Stop closes the listener and every open connection, so that clients
// are refused until [Server.Restart]. Sessions left hanging are freed.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln, held := s.srv, s.ln, s.held
	s.srv, s.ln, s.held = nil, nil, nil
	s.unhangLocked()
	s.mu.Unlock()
	for _, c := range held {
		c.Close()
	}
	if srv != nil {
		// Closed here too: Serve may not have registered it with srv yet.
		ln.Close()
		srv.Close()
	}
}

// Restart listens again on the same port after [Server.Stop]; the messages
// received so far and the faults set are kept. It fails the test if the
// server is running or the port cannot be had again.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		tb.Fatalf("smtptest: Restart of a running server")
	}
	ln, err := net.Listen("tcp", s.Addr())
	if err != nil {
		tb.Fatalf("smtptest: listen again on %s: %v", s.Addr(), err)
	}
	s.serve(ln)
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

// Reply makes the server answer stage with the SMTP reply code, such as
// 421 or 554, on every connection until Reply is called again for the
// stage with code 0. StageConnect cannot be answered with a code (use
// [Server.Hang]); Reply panics on it.
func (s *Server) Reply(stage Stage, code int) {
	if stage == StageConnect {
		panic("smtptest: Reply(StageConnect): use Hang")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.replies, stage)
		return
	}
	s.replies[stage] = code
}

// Hang makes the server stop answering at stage, as a relay that accepts
// a connection and then says nothing: at StageConnect it accepts TCP
// connections and never greets; at a later stage the command is read and
// never answered. It lasts until [Server.Unhang] or [Server.Stop].
func (s *Server) Hang(stage Stage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangAt = stage
}

// Unhang ends [Server.Hang]: sessions hanging at a command carry on, and
// connections held without a greeting are closed.
func (s *Server) Unhang() {
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.unhangLocked()
	s.mu.Unlock()
	for _, c := range held {
		c.Close()
	}
}

func (s *Server) unhangLocked() {
	if s.hangAt != "" {
		close(s.release)
		s.release = make(chan struct{})
	}
	s.hangAt = ""
}

// Connections returns how many TCP connections the server has accepted,
// including those it hung on.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
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

// NewSession implements smtp.Backend; it is called at EHLO.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) {
	if err := s.fault(StageHello); err != nil {
		return nil, err
	}
	return &session{srv: s}, nil
}

// fault hangs when the server is to hang at stage and returns the error
// reply set for it, if any.
func (s *Server) fault(stage Stage) error {
	s.mu.Lock()
	hang, release, code := s.hangAt == stage, s.release, s.replies[stage]
	s.mu.Unlock()
	if hang {
		<-release
		return errors.New("smtptest: stopped hanging")
	}
	if code == 0 {
		return nil
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: enhanced(code), Message: fmt.Sprintf("%s refused by test server", stage)}
}

func (s *Server) rejectCode(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reject[strings.ToLower(addr)]
}

// record keeps m and returns how many messages have been accepted since
// the server started.
func (s *Server) record(m Message) int {
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.queued++
	n := s.queued
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return n
}

// listener counts connections and holds them without a greeting while the
// server hangs at StageConnect.
type listener struct {
	net.Listener
	srv *Server
}

// Accept returns the next connection the SMTP server should answer.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.srv.mu.Lock()
		l.srv.accepted++
		hang := l.srv.hangAt == StageConnect
		if hang {
			l.srv.held = append(l.srv.held, c)
		}
		l.srv.mu.Unlock()
		if !hang {
			return c, nil
		}
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
	if err := ss.srv.fault(StageMail); err != nil {
		return err
	}
	if ss.srv.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.msg = Message{From: from}
	return nil
}

// Rcpt accepts a recipient unless [Server.RejectRecipient] or
// [Server.Reply] says otherwise.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.srv.fault(StageRcpt); err != nil {
		return err
	}
	if code := ss.srv.rejectCode(to); code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: enhanced(code), Message: "recipient refused by test server"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

// Data reads the message and records it, unless the data stage is to
// fail or hang.
func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	if err := ss.srv.fault(StageData); err != nil {
		return err
	}
	ss.msg.Data = buf.Bytes()
	n := ss.srv.record(ss.msg)
	ss.msg = Message{}
	// go-smtp sends the code and text of an SMTPError as they are, which
	// is how a 250 reply gets a queue number in it.
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: QueuedReply(n)}
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
