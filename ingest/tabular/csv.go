package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
)

// SniffSize is how much text is examined to choose the delimiter.
const SniffSize = 64 << 10

// errRecordTooLarge is returned when one CSV record exceeds the limit.
var errRecordTooLarge = errors.New("record too large")

// csvTable reads a CSV file record by record.
type csvTable struct {
	file  *os.File
	r     *csv.Reader
	guard *recordGuard
	row   int
	lim   Limits
}

// openCSV opens a text file of the given encoding, sniffs its delimiter and
// returns it as a table, calling read, when not nil, with the bytes read
// from the file so far.
func openCSV(path string, info Info, lim Limits, read func(int64)) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	if read != nil {
		r = &countingReader{r: f, read: read}
	}
	text, err := decodeText(r, info.Encoding)
	if err != nil {
		f.Close()
		return nil, err
	}
	guard := &recordGuard{r: text, limit: int64(lim.MaxRecordBytes) + SniffSize}
	br := bufio.NewReaderSize(guard, SniffSize)
	comma := SniffDelimiter(br)
	t := &csvTable{file: f, r: NewCSVReader(br, comma), guard: guard, lim: lim}
	format := FormatCSV
	if comma == '\t' {
		format = FormatTSV
	}
	return &Source{Table: t, Format: format, Encoding: info.Encoding, Delimiter: string(comma)}, nil
}

// NewCSVReader returns a strict RFC 4180 reader of r that allows records
// of any length.
func NewCSVReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return cr
}

// StripBOM returns r without a leading UTF-8 byte order mark.
func StripBOM(r *bufio.Reader) *bufio.Reader {
	if b, err := r.Peek(3); err == nil && string(b) == "\uFEFF" {
		r.Discard(3)
	}
	return r
}

// sniffLines is how many lines are examined to choose the delimiter.
const sniffLines = 10

// SniffDelimiter chooses ',', ';' or '\t' by counting each outside quotes
// on the first lines of r, which it does not advance. A delimiter
// separates the same number of cells on neighbouring lines, so the one
// with the most neighbouring lines that have the same non-zero count
// wins: a title row above the header ("Practice survey, Oxford" above a
// ';' header) or free text with commas does not outvote the header and
// the rows under it. Ties, and a file of one line, go to the most on the
// first line, then the comma, then the tab.
func SniffDelimiter(r *bufio.Reader) rune {
	head, _ := r.Peek(SniffSize)
	var lines []map[byte]int
	counts := map[byte]int{}
	quoted := false
	for i, c := range head {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' || c == '\r' {
			if len(counts) > 0 {
				lines = append(lines, counts)
				counts = map[byte]int{}
			}
			if len(lines) == sniffLines {
				break
			}
			continue
		}
		counts[c]++
		if i == len(head)-1 {
			lines = append(lines, counts)
		}
	}
	steady := func(c byte) int {
		n := 0
		for i := 1; i < len(lines); i++ {
			if lines[i][c] > 0 && lines[i][c] == lines[i-1][c] {
				n++
			}
		}
		return n
	}
	first := func(c byte) int {
		if len(lines) == 0 {
			return 0
		}
		return lines[0][c]
	}
	best := byte(',')
	for _, c := range []byte{'\t', ';'} {
		if sc, sb := steady(c), steady(best); sc > sb || sc == sb && first(c) > first(best) {
			best = c
		}
	}
	return rune(best)
}

func (t *csvTable) Next() (int, []string, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	t.row++
	if err != nil {
		return t.row, nil, t.readError(err)
	}
	off := t.r.InputOffset()
	if off-t.guard.mark > int64(t.lim.MaxRecordBytes) {
		return t.row, nil, &Error{Row: t.row, Reason: fmt.Sprintf("the row is longer than %d bytes", t.lim.MaxRecordBytes)}
	}
	t.guard.mark = off
	if len(rec) > t.lim.MaxColumns {
		return t.row, nil, &Error{Row: t.row, Reason: fmt.Sprintf("the row has %d columns, more than the limit of %d", len(rec), t.lim.MaxColumns)}
	}
	return t.row, rec, nil
}

// readError turns a CSV reading error into an *Error with its position.
func (t *csvTable) readError(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRecordTooLarge):
		return &Error{Row: t.row, Reason: fmt.Sprintf("the row is longer than %d bytes", t.lim.MaxRecordBytes)}
	case errors.As(err, &pe):
		return &Error{Row: t.row, Reason: fmt.Sprintf("malformed CSV at line %d, character %d", pe.Line, pe.Column), Err: pe.Err}
	}
	return &Error{Row: t.row, Reason: "unreadable text", Err: err}
}

func (t *csvTable) Close() error { return t.file.Close() }

// recordGuard stops a CSV reader from buffering an endless record: it fails
// once more than limit bytes have been read past mark, the end of the last
// complete record.
type recordGuard struct {
	r     io.Reader
	read  int64
	mark  int64
	limit int64
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.read-g.mark > g.limit {
		return 0, errRecordTooLarge
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// countingReader reports the bytes read through it: the file's bytes,
// before decoding, so that they add up to its size.
type countingReader struct {
	r    io.Reader
	n    int64
	read func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.read(c.n)
	return n, err
}
