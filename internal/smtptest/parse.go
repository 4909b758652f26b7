package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Parsed is a received message taken apart.
type Parsed struct {
	// Header holds the top-level headers, undecoded.
	Header mail.Header
	// Subject is the decoded Subject header.
	Subject string
	// Text is the first text/plain part, decoded.
	Text string
	// HTML is the first text/html part, decoded.
	HTML string
	// Attachments are the parts with a file name, decoded, in order.
	Attachments []Attachment
	// Structure lists every entity of the message in order, each as the
	// media types from the top down to it, such as "multipart/mixed >
	// multipart/alternative > text/html".
	Structure []string
}

// Attachment is one attached file.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Parse parses the message data with net/mail and mime/multipart.
func (m Message) Parse() (*Parsed, error) {
	return Parse(m.Data)
}

// Parse parses a raw RFC 5322 message: its headers, its first text/plain
// and text/html parts, its attachments and its structure, decoding base64
// and quoted-printable bodies.
func Parse(data []byte) (*Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("smtptest: parse message: %w", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, fmt.Errorf("smtptest: subject: %w", err)
	}
	p := &Parsed{Header: msg.Header, Subject: subject}
	err = p.walk("", msg.Header.Get("Content-Type"), msg.Header.Get("Content-Disposition"),
		msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return nil, fmt.Errorf("smtptest: parse message: %w", err)
	}
	return p, nil
}

// walk collects the text and attachments of one entity, descending into
// multipart entities; parent is the structure path of the entity holding
// it, empty at the top.
func (p *Parsed) walk(parent, contentType, disposition, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	path := mediaType
	if parent != "" {
		path = parent + " > " + mediaType
	}
	p.Structure = append(p.Structure, path)
	if strings.HasPrefix(mediaType, "multipart/") {
		return p.walkMultipart(path, multipart.NewReader(body, params["boundary"]))
	}
	data, err := io.ReadAll(decode(encoding, body))
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	if name := fileName(disposition, params); name != "" {
		p.Attachments = append(p.Attachments, Attachment{Filename: name, ContentType: mediaType, Data: data})
	} else if mediaType == "text/plain" && p.Text == "" {
		p.Text = string(data)
	} else if mediaType == "text/html" && p.HTML == "" {
		p.HTML = string(data)
	}
	return nil
}

func (p *Parsed) walkMultipart(path string, r *multipart.Reader) error {
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		h := part.Header
		err = p.walk(path, h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("Content-Transfer-Encoding"), part)
		if err != nil {
			return err
		}
	}
}

func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// fileName returns the file name from a Content-Disposition header or the
// Content-Type name parameter, or "" for an inline body.
func fileName(disposition string, typeParams map[string]string) string {
	if disposition != "" {
		if _, params, err := mime.ParseMediaType(disposition); err == nil && params["filename"] != "" {
			return params["filename"]
		}
	}
	return typeParams["name"]
}
