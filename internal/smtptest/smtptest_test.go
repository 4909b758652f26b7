package smtptest

import (
	"net/smtp"
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
		Attachments: []Attachment{{Filename: "r.bin", ContentType: "application/octet-stream", Data: []byte("hello")}}}
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
