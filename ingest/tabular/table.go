package tabular

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Table is a stream of rows read from one CSV file or worksheet.
type Table interface {
	// Next returns the next row's 1-based number and its cells, or io.EOF
	// after the last row. A row that cannot be read is an *Error.
	Next() (row int, cells []string, err error)
	// Close releases the file.
	Close() error
}

// Source is an opened table and what was learnt opening it.
type Source struct {
	Table
	// Format is [FormatCSV], [FormatTSV] or [FormatXLSX].
	Format string
	// Encoding is a CSV file's text encoding; empty for a workbook.
	Encoding string
	// Delimiter is a CSV file's field separator; empty for a workbook.
	Delimiter string
	// Sheet is the worksheet read from a workbook.
	Sheet string
	// OtherSheets are a workbook's sheets not read, for a rejection that
	// may be of the wrong sheet.
	OtherSheets []string
	// Excel is true for workbooks, whose date cells arrive as serial
	// numbers; Date1904 selects the 1904 date system.
	Excel, Date1904 bool
	// LastRow is the number of the last row a workbook's sheet records
	// having (its dimension); 0 when it records none.
	LastRow int64
}

// Open opens the file at path as a table according to info, which
// [Fingerprint] returned for it; a workbook is read at the sheet ch
// chooses. For a CSV file, read, when not nil, is called with the number
// of the file's bytes read so far as reading goes on.
func Open(path string, info Info, lim Limits, ch SheetChoice, read func(done int64)) (*Source, error) {
	if info.Format == FormatXLSX {
		return openXLSX(path, lim, ch)
	}
	return openCSV(path, info, lim, read)
}

// Row is a row read ahead of the consumer.
type Row struct {
	// Num is the row's 1-based number.
	Num int
	// Cells are the row's cells.
	Cells []string
}

// Replay is a table that returns rows read ahead, Buf, before continuing
// with its Table, so that the first rows can be looked at without holding
// the file in memory.
type Replay struct {
	Table
	// Buf are the rows still to replay.
	Buf []Row
}

// Next returns the next row to replay, else the table's next row.
func (p *Replay) Next() (int, []string, error) {
	if len(p.Buf) > 0 {
		r := p.Buf[0]
		p.Buf = p.Buf[1:]
		return r.Num, r.Cells, nil
	}
	return p.Table.Next()
}

// ReadAhead reads up to n rows that are not blank from t, skipping blank
// ones, and returns them. It stops early at the end of the table.
func ReadAhead(t Table, n int) ([]Row, error) {
	var out []Row
	for len(out) < n {
		row, cells, err := t.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if !BlankRow(cells) {
			out = append(out, Row{row, cells})
		}
	}
	return out, nil
}

// Cells returns the cells of rows read ahead.
func Cells(rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Cells
	}
	return out
}

// BlankRow reports whether every cell is empty or white space.
func BlankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// CleanCell returns a cell's text made safe to store: valid UTF-8, no NUL
// bytes, surrounding white space (including no-break spaces) trimmed.
func CleanCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.TrimFunc(s, unicode.IsSpace)
}

// CleanHeader returns a header cell on one line: cleaned as [CleanCell],
// with runs of white space (line breaks, no-break spaces) collapsed to one
// space.
func CleanHeader(s string) string {
	return strings.Join(strings.FieldsFunc(CleanCell(s), unicode.IsSpace), " ")
}
