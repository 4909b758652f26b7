package ingest

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// table is a stream of rows read from one CSV file or worksheet.
type table interface {
	// next returns the next row's 1-based number and its cells, or io.EOF
	// after the last row.
	next() (row int, cells []string, err error)
	close() error
}

// source is an opened table and what was learnt opening it.
type source struct {
	table
	format    string
	encoding  string
	delimiter string
	sheet     string
	// otherSheets are a workbook's sheets not read, for a rejection that
	// may be of the wrong sheet.
	otherSheets []string
	// excel is true for workbooks, whose date cells arrive as serial
	// numbers; date1904 selects the 1904 date system.
	excel, date1904 bool
	// lastRow is the number of the last row a workbook's sheet records
	// having (its dimension); 0 when it records none.
	lastRow int64
}

// bufferedRow is a row read ahead of the consumer.
type bufferedRow struct {
	row   int
	cells []string
}

// peekTable replays rows read ahead before continuing with its table, so
// detection and date-order sniffing can look at the first rows without
// holding the file in memory.
type peekTable struct {
	table
	buf []bufferedRow
}

func (p *peekTable) next() (int, []string, error) {
	if len(p.buf) > 0 {
		r := p.buf[0]
		p.buf = p.buf[1:]
		return r.row, r.cells, nil
	}
	return p.table.next()
}

// readAhead reads up to n rows that are not blank from t, skipping blank
// ones, and returns them. It stops early at the end of the table.
func readAhead(t table, n int) ([]bufferedRow, error) {
	var out []bufferedRow
	for len(out) < n {
		row, cells, err := t.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if !blankRow(cells) {
			out = append(out, bufferedRow{row, cells})
		}
	}
	return out, nil
}

// blankRow reports whether every cell is empty or white space.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cleanCell returns a cell's text made safe to store: valid UTF-8, no NUL
// bytes, surrounding white space (including no-break spaces) trimmed.
func cleanCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.TrimFunc(s, unicode.IsSpace)
}

// cleanHeader returns a header cell on one line: cleaned as [cleanCell],
// with runs of white space (line breaks, no-break spaces) collapsed to one
// space.
func cleanHeader(s string) string {
	return strings.Join(strings.FieldsFunc(cleanCell(s), unicode.IsSpace), " ")
}
