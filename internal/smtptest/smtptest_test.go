package smtptest

import (
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const multipartMsg = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?UTF-8?q?Ranking_=E2=80=93_25_Nov_2026?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=XYZ\r\n" +
	"\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Top =3D 5\r\n" +
	"--XYZ\r\n" +
	"Content-Type: application/octet-stream; name=\"r.bin\"\r\n" +
	"Content-Disposition: attachment; filename=\"r.bin\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"aGVs\r\nbG8=\r\n" +
	"--XYZ--\r\n"

func TestServerRecordsAndRejects(t *testing.T) {
	srv := Start(t, Options{})
	srv.RejectRecipient("Gone@example.org", 550)
	err := smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{"gone@example.org"}, []byte(multipartMsg))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("rejected recipient: got %v, want a 550 reply", err)
	}
	if err := smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{"b@example.org"}, []byte(multipartMsg)); err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitForMessages(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].From != "a@example.org" || !cmp.Equal(msgs[0].To, []string{"b@example.org"}) {
		t.Fatalf("messages %+v, want one from a@ to b@", msgs)
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	want := &Parsed{Subject: "Ranking – 25 Nov 2026", Text: "Top = 5",
		Attachments: []Attachment{{Filename: "r.bin", ContentType: "application/octet-stream", Data: []byte("hello")}},
		Structure:   []string{"multipart/mixed", "multipart/mixed > text/plain", "multipart/mixed > application/octet-stream"}}
	p.Header = nil
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	srv.Reset()
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}
}

func TestServerTLSAndAuth(t *testing.T) {
	srv := Start(t, Options{TLS: true, Username: "u", Password: "p"})
	send := func(password string) error {
		c, err := smtp.Dial(srv.Addr())
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.StartTLS(srv.ClientTLSConfig()); err != nil {
			return err
		}
		if err := c.Auth(smtp.PlainAuth("", "u", password, srv.Host)); err != nil {
			return err
		}
		return c.Mail("a@example.org")
	}
	if err := send("p"); err != nil {
		t.Errorf("right credentials: %v", err)
	}
	if err := send("wrong"); err == nil || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: got %v, want 535", err)
	}
	if plain := Start(t, Options{}); plain.ClientTLSConfig() != nil {
		t.Errorf("server without TLS returned a client TLS config")
	}
}

// sendOne sends a short message from a@ to b@example.org with net/smtp.
func sendOne(srv *Server) error {
	return smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{"b@example.org"}, []byte(multipartMsg))
}

func TestServerReplyAtEachStage(t *testing.T) {
	srv := Start(t, Options{})
	for _, tt := range []struct {
		stage Stage
		code  int
	}{{StageHello, 421}, {StageMail, 451}, {StageRcpt, 550}, {StageData, 554}} {
		srv.Reply(tt.stage, tt.code)
		err := sendOne(srv)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
			t.Errorf("%s answering %d: got %v", tt.stage, tt.code, err)
		}
		srv.Reply(tt.stage, 0)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages recorded while refusing, want 0", n)
	}
	if err := sendOne(srv); err != nil {
		t.Errorf("after clearing the replies: %v", err)
	}
}

func TestServerStopAndRestart(t *testing.T) {
	srv := Start(t, Options{})
	srv.Stop()
	if err := sendOne(srv); err == nil {
		t.Fatal("stopped server accepted a message")
	}
	srv.Stop() // a second Stop does nothing
	srv.Restart(t)
	if err := sendOne(srv); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestServerHangs(t *testing.T) {
	for _, stage := range []Stage{StageConnect, StageMail, StageData} {
		t.Run(string(stage), func(t *testing.T) {
			srv := Start(t, Options{})
			srv.Hang(stage)
			c, err := net.Dial("tcp", srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// The client gives up after a short deadline: only that the
			// server said nothing is checked, never how long it took.
			c.SetDeadline(time.Now().Add(200 * time.Millisecond))
			err = converse(c, stage)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("hanging at %s: got %v, want a timeout", stage, err)
			}
			srv.Unhang()
			if err := sendOne(srv); err != nil {
				t.Errorf("after Unhang: %v", err)
			}
			if srv.Connections() != 2 {
				t.Errorf("Connections() = %d, want 2", srv.Connections())
			}
		})
	}
}

// converse speaks SMTP on c up to stage and returns the first error.
func converse(c net.Conn, stage Stage) error {
	tc := textproto.NewConn(c)
	if _, _, err := tc.ReadResponse(220); err != nil || stage == StageConnect {
		return err
	}
	steps := []struct {
		cmd  string
		code int
	}{{"EHLO client", 250}, {"MAIL FROM:<a@example.org>", 250}, {"RCPT TO:<b@example.org>", 250}, {"DATA", 354}, {"Subject: x\r\n\r\nhi\r\n.", 250}}
	for _, st := range steps {
		id, err := tc.Cmd("%s", st.cmd)
		if err != nil {
			return err
		}
		tc.StartResponse(id)
		_, _, err = tc.ReadResponse(st.code)
		tc.EndResponse(id)
		if err != nil {
			return err
		}
	}
	return nil
}
