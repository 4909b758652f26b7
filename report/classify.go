package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// SMTP error classes, as counted by [Metrics] and logged.
const (
	// ErrClassTemporary is a 4xx reply about one message: it is retried.
	ErrClassTemporary = "temporary"
	// ErrClassPermanent is a 5xx reply about one message or recipient, or
	// a message that cannot be addressed: that message fails, the others
	// go on.
	ErrClassPermanent = "permanent"
	// ErrClassConnection is a failure that got no SMTP reply: refused or
	// broken connection, a command that timed out. It is
	// retried, and the pass stops: every other message would wait for the
	// same relay.
	ErrClassConnection = "connection"
	// ErrClassRelay is a reply refusing the session rather than a message
	// (greeting, EHLO, STARTTLS, AUTH, MAIL FROM), such as a wrong password
	// or a sender the relay does not allow, and go-mail refusing the session
	// (STARTTLS required but not offered, an untrusted certificate, no
	// AUTH mechanism in common). It is retried, since fixing the
	// relay or the configuration clears it, and the pass stops.
	ErrClassRelay = "relay"
)

// errorClasses lists the classes, for metrics.
var errorClasses = []string{ErrClassTemporary, ErrClassPermanent, ErrClassConnection, ErrClassRelay}

// sendFailure is what one failed send attempt means.
type sendFailure struct {
	class string
	// reply is the SMTP server's answer, "451 4.2.1 try later"; empty when
	// there was none.
	reply string
}

// retry reports whether the message should be tried again.
func (f sendFailure) retry() bool { return f.class != ErrClassPermanent }

// stop reports whether the rest of the pass should wait.
func (f sendFailure) stop() bool { return f.class == ErrClassConnection || f.class == ErrClassRelay }

// classify says what err, returned by go-mail for one message, means.
func classify(err error) sendFailure {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return classifySendError(se)
	}
	// Before any message: greeting, EHLO, STARTTLS or AUTH.
	var te *textproto.Error
	if errors.As(err, &te) {
		return sendFailure{class: ErrClassRelay, reply: fmt.Sprintf("%03d %s", te.Code, te.Msg)}
	}
	if isNetworkError(err) {
		return sendFailure{class: ErrClassConnection}
	}
	// Refused by go-mail itself: STARTTLS required but not offered, no
	// AUTH mechanism in common, a certificate not trusted.
	return sendFailure{class: ErrClassRelay}
}

// isNetworkError reports whether err is the network failing: a refused,
// reset or closed connection, or an I/O deadline.
func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func classifySendError(se *gomail.SendError) sendFailure {
	code := se.ErrorCode()
	reply := replyText(se.Error())
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return sendFailure{class: ErrClassPermanent}
	case gomail.ErrSMTPMailFrom:
		if code == 0 {
			return sendFailure{class: ErrClassConnection}
		}
		return sendFailure{class: ErrClassRelay, reply: reply}
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		switch {
		case code >= 500:
			return sendFailure{class: ErrClassPermanent, reply: reply}
		case code >= 400:
			return sendFailure{class: ErrClassTemporary, reply: reply}
		}
	}
	return sendFailure{class: ErrClassConnection, reply: reply}
}

// replyPattern finds an SMTP reply in go-mail's error text, which joins
// the command, the replies and the recipients.
var replyPattern = regexp.MustCompile(`\b[2-5][0-9][0-9] [^\r\n]*`)

// replyText returns the first SMTP reply quoted in msg, without go-mail's
// trailing notes and quotes, or "".
func replyText(msg string) string {
	r := replyPattern.FindString(msg)
	for _, tail := range []string{", affected recipient(s): ", ", affected message ID: "} {
		if i := strings.Index(r, tail); i >= 0 {
			r = r[:i]
		}
	}
	if len(r) > 4 {
		if text, err := strconv.Unquote(r[4:]); err == nil {
			r = r[:4] + text
		}
	}
	return r
}
