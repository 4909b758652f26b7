package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a lean, streaming XML tokenizer for the parts of a
// workbook: start tags, end tags and text, as byte slices into its
// buffer, valid until the next call. It decodes nothing it is not asked
// to (see [xmlUnescape]) and allocates nothing per token.
//
// On well-formed XML its tokens are those encoding/xml's Decoder.Token
// gives, a self-closing tag giving a start and an end: the reader built
// on it mirrors excelize's, which is built on encoding/xml, and must see
// the same stream. Everything it does not handle as encoding/xml does
// (comments, CDATA, processing instructions other than a UTF-8 XML
// declaration, DOCTYPE, names that are not ASCII, namespace declarations
// below the root, and every syntax error encoding/xml would report) ends
// the stream with errXMLUnusual, and the caller hands the part to
// excelize instead.
type xmlScanner struct {
	r   io.Reader
	buf []byte
	pos int // next byte to scan in buf
	end int // bytes of buf filled
	eof bool
	err error // a read error other than io.EOF
	// base is the offset in the part of buf[0].
	base int64
	// maxToken bounds a token; longer ones are errTokenTooLong.
	maxToken int
	// nestedNS allows namespace declarations below the root. The sheet's
	// reader sets it past the sheet's data, where Excel's extensions
	// (extLst, mc:AlternateContent) bind prefixes of their own and only
	// the local names of elements matter, as they do to excelize.
	nestedNS bool
	// limitAt, when set, is the offset in the part past which no token
	// may start: a token beyond it is errPastLimit. The reader of rows
	// sets it at each row's start, so that no cell, however it nests or
	// repeats its elements, makes a row's XML longer than its bound.
	limitAt int64

	// The current token.
	kind      xmlKind
	name      []byte // start and end: the qualified name
	local     []byte // start and end: the name after any prefix
	attrs     []byte // start: the text between the name and ">" or "/>"
	text      []byte // text: undecoded
	tokStart  int64  // offset in the part where the token began
	selfClose bool   // the start tag was "<x/>": its end comes next

	// names is the stack of open elements' qualified names.
	names []byte
	ends  []int
	// started is set once the first token was read: an XML declaration
	// may only come first.
	started bool
}

// xmlKind is the kind of an [xmlScanner] token.
type xmlKind int

// Token kinds.
const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
)

var (
	// errXMLUnusual is returned for XML the scanner does not read as
	// encoding/xml would: the caller uses excelize for the part.
	errXMLUnusual = errors.New("xml the lean reader does not handle")
	// errTokenTooLong is returned for a tag or text longer than the
	// scanner's maxToken.
	errTokenTooLong = errors.New("an XML tag or text is longer than the limit")
	// errPastLimit is returned for a token that starts past limitAt.
	errPastLimit = errors.New("the XML goes on past the limit")
	// errTooDeep is returned for an element nested more than
	// maxXMLDepth deep.
	errTooDeep = fmt.Errorf("the XML nests elements more than %d deep", maxXMLDepth)
)

// maxOpenNameBytes bounds the names of the elements open at once, which
// the scanner keeps: at most maxXMLDepth of them, but each may be as long
// as a token, so depth alone would let a small file of long nested names
// hold the size of its whole part. A worksheet's open names take a few
// dozen bytes.
const maxOpenNameBytes = 64 << 10

// maxXMLDepth bounds how deep elements nest. A worksheet's cells nest
// six deep; encoding/xml, and so excelize, refuses to decode an element
// nested 10,000 deep, and so does the scanner, anywhere in a part.
const maxXMLDepth = 10_000

// scanBuffer is the scanner's buffer size; it grows for a longer token.
const scanBuffer = 256 << 10

func newXMLScanner(r io.Reader, maxToken int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, scanBuffer), maxToken: maxToken}
}

// offset returns the offset in the part of the next byte to scan.
func (s *xmlScanner) offset() int64 { return s.base + int64(s.pos) }

// depth returns the number of open elements.
func (s *xmlScanner) depth() int { return len(s.ends) }

// within reads the next token of the element opened at depth (the depth
// after its start) and reports whether it is still inside it: false for
// the element's end. A part that ends first is XML the lean reader leaves
// to excelize.
func (s *xmlScanner) within(depth int) (bool, error) {
	if err := s.next(); err != nil {
		if err == io.EOF {
			err = errXMLUnusual
		}
		return false, err
	}
	return s.kind != xmlEnd || s.depth() >= depth, nil
}

// fill makes at least n bytes from pos available unless the part ends
// first; it returns false when they are not.
func (s *xmlScanner) fill(n int) bool {
	for s.end-s.pos < n {
		if s.eof || s.err != nil {
			return false
		}
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.base += int64(s.pos)
			s.pos = 0
		}
		if s.end == len(s.buf) {
			if len(s.buf) >= s.maxToken+64 {
				s.err = errTokenTooLong
				return false
			}
			grown := make([]byte, min(2*len(s.buf), s.maxToken+64))
			copy(grown, s.buf[:s.end])
			s.buf = grown
		}
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
	}
	return true
}

// indexFrom returns the index, from pos+from, of the first c in the
// buffer, reading more as needed, or -1 when the part ends first.
func (s *xmlScanner) indexFrom(from int, c byte) int {
	for {
		if i := bytes.IndexByte(s.buf[s.pos+from:s.end], c); i >= 0 {
			return from + i
		}
		from = s.end - s.pos
		if !s.fill(from + 1) {
			return -1
		}
	}
}

// next reads the next token. It returns io.EOF at the end of the part
// with every element closed, errXMLUnusual for XML it does not handle,
// and errTokenTooLong or a read error otherwise.
func (s *xmlScanner) next() error {
	if s.selfClose {
		s.selfClose = false
		s.kind = xmlEnd
		s.pop()
		return nil
	}
	if !s.fill(1) {
		if s.err != nil {
			return s.err
		}
		if len(s.ends) > 0 {
			return errXMLUnusual // unexpected EOF
		}
		return io.EOF
	}
	s.tokStart = s.offset()
	if s.limitAt > 0 && s.tokStart > s.limitAt {
		return errPastLimit
	}
	first := !s.started
	s.started = true
	if s.buf[s.pos] != '<' {
		return s.scanText()
	}
	if !s.fill(2) {
		return s.failed()
	}
	switch s.buf[s.pos+1] {
	case '/':
		return s.scanEnd()
	case '?':
		if !first {
			return errXMLUnusual
		}
		return s.scanDeclaration()
	case '!':
		return errXMLUnusual // comment, CDATA, DOCTYPE
	}
	return s.scanStart()
}

// failed returns the read error, or errXMLUnusual for a part that ends
// inside a token.
func (s *xmlScanner) failed() error {
	if s.err != nil {
		return s.err
	}
	return errXMLUnusual
}

// scanText reads text up to the next "<" or the end of the part, and
// checks it as encoding/xml does: UTF-8, characters XML allows, and
// entities it knows.
func (s *xmlScanner) scanText() error {
	i := s.indexFrom(0, '<')
	if i < 0 {
		if s.err != nil {
			return s.err
		}
		i = s.end - s.pos
	}
	if i > s.maxToken {
		return errTokenTooLong
	}
	s.text = s.buf[s.pos : s.pos+i]
	s.pos += i
	s.kind = xmlText
	if !validText(s.text) {
		return errXMLUnusual
	}
	return nil
}

// scanEnd reads an end tag and checks it closes the open element.
func (s *xmlScanner) scanEnd() error {
	i := s.indexFrom(2, '>')
	if i < 0 {
		return s.failed()
	}
	if i > s.maxToken {
		return errTokenTooLong
	}
	tag := s.buf[s.pos+2 : s.pos+i]
	s.pos += i + 1
	n := nameLen(tag)
	if n == 0 || !allSpace(tag[n:]) {
		return errXMLUnusual
	}
	s.name = tag[:n]
	if len(s.ends) == 0 || !bytes.Equal(s.name, s.top()) {
		return errXMLUnusual // unexpected or mismatched end element
	}
	if s.local = localName(s.name); s.local == nil {
		return errXMLUnusual
	}
	s.kind = xmlEnd
	s.pop()
	return nil
}

// scanStart reads a start tag and its attributes.
func (s *xmlScanner) scanStart() error {
	// Attribute values may hold ">", so the tag ends at the first ">"
	// outside quotes.
	i, quote := 1, byte(0)
	for {
		if !s.fill(i + 1) {
			return s.failed()
		}
		chunk := s.buf[s.pos+i : s.end]
		j := 0
		for ; j < len(chunk); j++ {
			c := chunk[j]
			if quote != 0 {
				if c == quote {
					quote = 0
				} else if c == '<' {
					return errXMLUnusual // unescaped < inside quoted string
				}
				continue
			}
			if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' || c == '<' {
				break
			}
		}
		i += j
		if j < len(chunk) {
			if chunk[j] == '<' {
				return errXMLUnusual
			}
			break
		}
		if i > s.maxToken {
			return errTokenTooLong
		}
	}
	if i > s.maxToken {
		return errTokenTooLong
	}
	tag := s.buf[s.pos+1 : s.pos+i]
	s.pos += i + 1
	n := nameLen(tag)
	if n == 0 {
		return errXMLUnusual
	}
	s.name = tag[:n]
	if s.local = localName(s.name); s.local == nil {
		return errXMLUnusual
	}
	rest := tag[n:]
	s.selfClose = len(rest) > 0 && rest[len(rest)-1] == '/'
	if s.selfClose {
		rest = rest[:len(rest)-1]
	}
	if !validAttrs(rest) {
		return errXMLUnusual
	}
	if len(s.ends) > 0 && !s.nestedNS && hasNamespaceDecl(rest) {
		return errXMLUnusual // a prefix bound below the root
	}
	s.attrs = rest
	s.kind = xmlStart
	if len(s.ends) >= maxXMLDepth || len(s.names)+len(s.name) > maxOpenNameBytes {
		return errTooDeep
	}
	s.push(s.name)
	// Names are slices of the buffer, which the next fill may move; the
	// stack keeps its own copy.
	return nil
}

// scanDeclaration reads the XML declaration, accepting only version 1.0
// and UTF-8, which need no character set reader.
func (s *xmlScanner) scanDeclaration() error {
	from := 2
	for {
		i := s.indexFrom(from, '>')
		if i < 0 {
			return s.failed()
		}
		if i > s.maxToken {
			return errTokenTooLong
		}
		if s.buf[s.pos+i-1] == '?' {
			decl := s.buf[s.pos+2 : s.pos+i-1]
			s.pos += i + 1
			if !bytes.HasPrefix(decl, []byte("xml")) || len(decl) > 3 && !isSpace(decl[3]) {
				return errXMLUnusual
			}
			for _, p := range []struct{ name, want string }{{"version", "1.0"}, {"encoding", "utf-8"}} {
				v, ok := declParam(decl[3:], p.name)
				if ok && !bytes.EqualFold(v, []byte(p.want)) {
					return errXMLUnusual
				}
			}
			if !utf8.Valid(decl) {
				return errXMLUnusual
			}
			return s.next()
		}
		from = i + 1
	}
}

// declParam returns the value of param in the text of an XML declaration,
// as encoding/xml's procInst finds it.
func declParam(decl []byte, param string) ([]byte, bool) {
	_, v, ok := bytes.Cut(decl, []byte(param))
	if !ok {
		return nil, false
	}
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 || v[0] != '=' {
		return nil, false
	}
	v = bytes.TrimLeft(v[1:], " \t\r\n")
	if len(v) == 0 || v[0] != '\'' && v[0] != '"' {
		return nil, false
	}
	end := bytes.IndexByte(v[1:], v[0])
	if end < 0 {
		return nil, false
	}
	return v[1 : 1+end], true
}

func (s *xmlScanner) push(name []byte) {
	s.names = append(s.names, name...)
	s.ends = append(s.ends, len(s.names))
}

func (s *xmlScanner) top() []byte {
	start := 0
	if len(s.ends) > 1 {
		start = s.ends[len(s.ends)-2]
	}
	return s.names[start:s.ends[len(s.ends)-1]]
}

func (s *xmlScanner) pop() {
	s.ends = s.ends[:len(s.ends)-1]
	if len(s.ends) == 0 {
		s.names = s.names[:0]
	} else {
		s.names = s.names[:s.ends[len(s.ends)-1]]
	}
}

// isSpace reports whether c is XML white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func allSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// nameByte reports whether c may be in an ASCII XML name, and nameStart
// whether it may begin one.
func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
}

func nameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// nameLen returns the length of the ASCII name b starts with, 0 when it
// starts with none. A name that goes on in bytes that are not ASCII is
// not read (0).
func nameLen(b []byte) int {
	if len(b) == 0 || !nameStart(b[0]) {
		return 0
	}
	n := 1
	for n < len(b) && nameByte(b[n]) {
		n++
	}
	if n < len(b) && b[n] >= utf8.RuneSelf {
		return 0
	}
	return n
}

// localName returns the part of a qualified name after its prefix, or
// nil for a name whose colons encoding/xml reads otherwise than "p:l".
func localName(name []byte) []byte {
	i := bytes.IndexByte(name, ':')
	if i < 0 {
		return name
	}
	if i == 0 || i == len(name)-1 || bytes.IndexByte(name[i+1:], ':') >= 0 {
		return nil
	}
	return name[i+1:]
}

// validAttrs checks the attributes text of a start tag: white-space
// separated name="value" pairs (single or double quotes), names ASCII,
// values valid text.
func validAttrs(b []byte) bool {
	for {
		i := 0
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		b = b[i:]
		if len(b) == 0 {
			return true
		}
		n := nameLen(b)
		if n == 0 || localName(b[:n]) == nil {
			return false
		}
		b = b[n:]
		for len(b) > 0 && isSpace(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 || b[0] != '=' {
			return false
		}
		b = b[1:]
		for len(b) > 0 && isSpace(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 || b[0] != '"' && b[0] != '\'' {
			return false
		}
		end := bytes.IndexByte(b[1:], b[0])
		if end < 0 || !validText(b[1:1+end]) {
			return false
		}
		b = b[2+end:]
	}
}

// hasNamespaceDecl reports whether attrs declare a namespace (xmlns or
// xmlns:p).
func hasNamespaceDecl(attrs []byte) bool {
	if !bytes.Contains(attrs, []byte("xmlns")) {
		return false
	}
	for a := range eachAttr(attrs) {
		if bytes.Equal(a.name, []byte("xmlns")) || bytes.HasPrefix(a.name, []byte("xmlns:")) {
			return true
		}
	}
	return false
}

// rawAttr is one attribute of a start tag, its value undecoded.
type rawAttr struct {
	name, local, value []byte
}

// eachAttr yields the attributes of a start tag's text, which
// [validAttrs] accepted.
func eachAttr(b []byte) func(yield func(rawAttr) bool) {
	return func(yield func(rawAttr) bool) {
		for {
			for len(b) > 0 && isSpace(b[0]) {
				b = b[1:]
			}
			if len(b) == 0 {
				return
			}
			n := nameLen(b)
			if n == 0 {
				return
			}
			a := rawAttr{name: b[:n], local: localName(b[:n])}
			b = b[n:]
			eq := bytes.IndexByte(b, '=')
			if eq < 0 {
				return
			}
			b = b[eq+1:]
			for len(b) > 0 && isSpace(b[0]) {
				b = b[1:]
			}
			if len(b) < 2 {
				return
			}
			end := bytes.IndexByte(b[1:], b[0])
			if end < 0 {
				return
			}
			a.value, b = b[1:1+end], b[2+end:]
			if !yield(a) {
				return
			}
		}
	}
}

// validText reports whether encoding/xml accepts b as text: valid UTF-8
// of characters XML allows, with entities it knows (the five named ones
// and character references) standing for such characters.
func validText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '&':
			r, n := entity(b[i:])
			if n == 0 || !xmlChar(r) {
				return false
			}
			i += n
		case c >= 0x20 && c < utf8.RuneSelf:
			i++
		case c < 0x20:
			if c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 || !xmlChar(r) {
				return false
			}
			i += n
		}
	}
	return true
}

// xmlChar reports whether r is a character XML allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// maxEntity is the longest entity read, "&#x" and six hex digits and ";"
// with room for leading zeros.
const maxEntity = 32

// entity reads the entity b starts with ("&amp;", "&#10;", "&#x41;") and
// returns the character it stands for and its length, 0 when encoding/xml
// would refuse it. A character reference to no character (a surrogate)
// stands for U+FFFD, as string(rune(n)) makes it.
func entity(b []byte) (rune, int) {
	end := bytes.IndexByte(b[:min(len(b), maxEntity)], ';')
	if end < 2 {
		return 0, 0
	}
	name := b[1:end]
	switch string(name) {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "apos":
		return '\'', end + 1
	case "quot":
		return '"', end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, 0
	}
	n, err := strconv.ParseUint(string(digits), base, 64)
	if err != nil || n > utf8.MaxRune {
		return 0, 0
	}
	r := rune(n)
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return r, end + 1
}

// xmlUnescape appends the text b (which [validText] accepted) to dst as
// encoding/xml decodes it: entities replaced, and line ends ("\r\n" and a
// lone "\r") made "\n".
func xmlUnescape(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "&\r")
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if b[0] == '\r' {
			dst = append(dst, '\n')
			b = b[1:]
			if len(b) > 0 && b[0] == '\n' {
				b = b[1:]
			}
			continue
		}
		r, n := entity(b)
		dst = utf8.AppendRune(dst, r)
		b = b[n:]
	}
	return dst
}
