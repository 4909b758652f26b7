package report

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSPolicy says how the connection to the SMTP server is secured.
type TLSPolicy string

// The TLS policies.
const (
	// TLSStartTLS requires STARTTLS; the send fails if the server does not
	// offer it. It is the default.
	TLSStartTLS TLSPolicy = "starttls"
	// TLSOpportunistic uses STARTTLS when offered and plain text otherwise.
	TLSOpportunistic TLSPolicy = "opportunistic"
	// TLSImplicit connects with TLS from the start (SMTPS, usually port 465).
	TLSImplicit TLSPolicy = "tls"
	// TLSNone never encrypts; use it only for a relay on the same host.
	TLSNone TLSPolicy = "none"
)

// Defaults of [SMTPConfig].
const (
	DefaultSMTPPort    = 587
	DefaultSMTPSPort   = 465
	DefaultSMTPTimeout = 30 * time.Second
)

// messageTimeouts is how many command timeouts one whole message may
// take, connection included, however steadily the relay trickles.
const messageTimeouts = 10

// SMTPConfig is how to reach the mail relay. The zero value has no Host,
// which makes [Deliver] write .eml files instead of sending. Formatting a
// SMTPConfig with fmt or log/slog never shows the password.
type SMTPConfig struct {
	// Host is the relay's host name; empty means no SMTP.
	Host string
	// Port is the relay's port; 0 means 465 for TLSImplicit and 587
	// otherwise.
	Port int
	// Username and Password authenticate to the relay when Username is
	// set; the strongest mechanism the server offers is used, and
	// plain-text mechanisms only over TLS.
	Username string
	Password string
	// From is the sender address, e.g. "Roadmap <roadmap@example.org>".
	From string
	// TLS is the TLS policy; empty means TLSStartTLS.
	TLS TLSPolicy
	// TLSConfig, when set, replaces the default TLS settings, for example
	// to trust a private certificate authority.
	TLSConfig *tls.Config
	// Timeout bounds connecting to the relay and then each SMTP command:
	// every read of a reply and every write must make progress within it,
	// so a relay that accepts a connection and never answers fails the
	// message after Timeout, not never. A whole message, connection
	// included, is bounded by ten times Timeout. 0 means
	// DefaultSMTPTimeout.
	Timeout time.Duration
}

// Enabled reports whether an SMTP host is configured.
func (c SMTPConfig) Enabled() bool { return c.Host != "" }

// Validate reports a configuration that cannot work: an invalid sender,
// TLS policy or port. A config without Host needs only a valid sender.
func (c SMTPConfig) Validate() error {
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("smtp: from address %q: %w", c.From, err)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("smtp: tls policy %q: want starttls, opportunistic, tls or none", c.TLS)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("smtp: port %d out of range", c.Port)
	}
	return nil
}

func (c SMTPConfig) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.TLS == TLSImplicit:
		return DefaultSMTPSPort
	}
	return DefaultSMTPPort
}

func (c SMTPConfig) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultSMTPTimeout
}

func (c SMTPConfig) policy() TLSPolicy {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

// LogValue implements slog.LogValuer, masking the password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.port()),
		slog.String("username", c.Username), slog.String("password", mask(c.Password)),
		slog.String("from", c.From), slog.String("tls", string(c.policy())),
		slog.Duration("timeout", c.timeout()),
	)
}

// String describes the configuration with the password masked.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("smtp{host=%s port=%d username=%s password=%s from=%s tls=%s timeout=%s}",
		c.Host, c.port(), c.Username, mask(c.Password), c.From, c.policy(), c.timeout())
}

// GoString is [SMTPConfig.String], so %#v does not show the password either.
func (c SMTPConfig) GoString() string { return c.String() }

func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "xxxxx"
}

// client returns a go-mail client for the configuration whose
// connections are bounded by ctx and give each SMTP command its own
// deadline (see [deadlineConn]). Implicit TLS is set up by the dialer
// too, so that it runs over the same deadlines.
func (c SMTPConfig) client(ctx context.Context) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.port()), gomail.WithTimeout(c.timeout()),
		gomail.WithDialContextFunc(c.dialer(ctx))}
	switch c.policy() {
	case TLSImplicit:
		// The dialer returns a TLS connection; STARTTLS is never offered
		// over one (RFC 3207), and go-mail then sees the handshake done and
		// allows plain-text AUTH mechanisms, as over STARTTLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	cl, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client for %s: %w", c.Host, err)
	}
	return cl, nil
}

// dialer returns the function go-mail dials the relay with. Its
// connections live until ctx is done, whatever context go-mail dials with.
func (c SMTPConfig) dialer(ctx context.Context) gomail.DialContextFunc {
	return func(dctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: c.timeout()}
		raw, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := newDeadlineConn(ctx, raw, c.timeout())
		if c.policy() != TLSImplicit {
			return conn, nil
		}
		tc := tls.Client(conn, c.implicitTLSConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		return tc, nil
	}
}

func (c SMTPConfig) implicitTLSConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.Host
	}
	return cfg
}
