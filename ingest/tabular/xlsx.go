package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxScanRows is how many rows of each sheet are searched for data when
// choosing the sheet to read.
const xlsxScanRows = 20

// xlsxTable streams the rows of one worksheet with excelize's row iterator;
// the worksheet is never loaded whole (large sheets are unzipped to a
// temporary file by excelize).
type xlsxTable struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
	lim  Limits
	// closeFile closes f with the table: set on the sheet chosen, not on
	// those passed over while f serves the next.
	closeFile bool
}

// openExcelize opens a workbook with excelize, with bounded unzip sizes:
// before excelize reads anything, the workbook's parts are checked
// against lim ([checkWorkbook]) and so are its rows ([checkRows]), since
// excelize holds the shared strings and each row whole.
func openExcelize(path string, lim Limits) (*excelize.File, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, xlsxOpenError(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		zr.Close()
		return nil, err
	}
	parts, err := checkWorkbook(&zr.Reader, fi.Size(), lim)
	if err == nil {
		err = checkRows(parts, lim)
	}
	zr.Close()
	if err != nil {
		return nil, err
	}
	inMemory := min(lim.MaxXMLInMemory, parts.unzip)
	if parts.sharedStrings > sharedStringsInMemory {
		// Decoded whole, each shared string costs excelize some 500
		// bytes; above this many it reads them from a temporary file.
		inMemory = min(inMemory, max(parts.sharedBytes-1, 1))
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: parts.unzip, UnzipXMLSizeLimit: inMemory})
	if err != nil {
		return nil, xlsxOpenError(err)
	}
	return f, nil
}

// openXLSXExcelize opens a workbook with excelize and returns the
// worksheet ch chooses as a table read with excelize's row iterator. It
// is how workbooks were read before the lean reader ([openXLSX]), which
// still hands it the workbooks it does not read itself, and the
// reference the tests compare the lean reader with.
func openXLSXExcelize(path string, lim Limits, ch SheetChoice) (*Source, error) {
	f, err := openExcelize(path, lim)
	if err != nil {
		return nil, err
	}
	sheets := f.GetSheetList()
	src, err := chooseSheet(sheets, ch, func(sheet string) (*Source, error) { return openSheet(f, sheet, lim) })
	if err != nil {
		f.Close()
		return nil, err
	}
	if src == nil {
		f.Close()
		return nil, errorf("the workbook has no sheet with data")
	}
	src.Table.(*Replay).Table.(*xlsxTable).closeFile = true
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		src.Date1904 = *props.Date1904
	}
	src.LastRow = lastRow(f, src.Sheet)
	return src, nil
}

// sharedStringsInMemory is the most shared strings excelize is let decode
// in memory.
const sharedStringsInMemory = 100_000

// rowXMLFactor bounds a worksheet row's XML, and the shared strings it
// refers to, at this many times MaxRecordBytes: markup and escapes make
// the XML of a row longer than its text, but not by this much.
const rowXMLFactor = 8

// checkRows reads every worksheet of the workbook with a tag scanner and
// refuses a row that excelize could not build within lim: more than
// MaxColumns cells, or XML or shared strings of more than rowXMLFactor
// times MaxRecordBytes. Excelize builds a whole row before it returns it,
// so the limits of [xlsxTable.Next] would come too late for such a row.
func checkRows(parts workbookParts, lim Limits) error {
	for _, ws := range parts.worksheets {
		if err := checkSheetRows(ws, parts, lim); err != nil {
			return err
		}
	}
	return nil
}

// checkSheetRows is [checkRows] for the worksheet part ws.
func checkSheetRows(ws *zip.File, parts workbookParts, lim Limits) error {
	rc, err := openLimited(ws, parts.unzip)
	if err != nil {
		return &Error{Reason: "the workbook cannot be opened (damaged, encrypted or not .xlsx)", Err: err}
	}
	defer rc.Close()
	maxXML := int64(rowXMLFactor) * int64(lim.MaxRecordBytes)
	s := newTagScanner(rc)
	var row, cells int
	var rowStart, shared int64
	inRow, sharedCell, inValue := false, false, false
	tooLong := func() error {
		return errorf("row %d of the workbook's %s is longer than %d bytes", row, ws.Name, lim.MaxRecordBytes)
	}
	for {
		name, attrs, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &Error{Reason: "unreadable worksheet", Err: err}
		}
		if inRow && s.offset-rowStart > maxXML {
			return tooLong()
		}
		switch name {
		case "row":
			row++
			inRow, cells, shared, rowStart = !selfClosing(attrs), 0, 0, s.tagStart
		case "/row":
			inRow = false
		case "c":
			if !inRow {
				continue
			}
			if cells++; cells > lim.MaxColumns {
				return errorf("row %d of the workbook's %s has more than %d columns, the limit", row, ws.Name, lim.MaxColumns)
			}
			sharedCell = !selfClosing(attrs) && attrIs(attrs, "t", "s")
		case "/c":
			sharedCell = false
		case "v":
			inValue = sharedCell && !selfClosing(attrs)
		case "/v":
			if inValue {
				if i, ok := atoiBytes(bytes.TrimSpace(s.text)); ok && i < len(parts.sharedLen) {
					if shared += int64(parts.sharedLen[i]); shared > maxXML {
						return tooLong()
					}
				}
			}
			inValue = false
		}
	}
}

// attrIs reports whether the attributes text of a tag gives attribute
// name the value want.
func attrIs(attrs []byte, name, want string) bool {
	for len(attrs) > 0 {
		i := bytes.Index(attrs, []byte(name))
		if i < 0 {
			return false
		}
		before := i == 0 || strings.IndexByte(" \t\r\n", attrs[i-1]) >= 0
		rest := bytes.TrimLeft(attrs[i+len(name):], " \t\r\n")
		attrs = attrs[i+len(name):]
		if !before || len(rest) == 0 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		return end >= 0 && string(rest[1:1+end]) == want
	}
	return false
}

// atoiBytes reads a small non-negative decimal number.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// lastRow returns the number of the last row of sheet that its dimension
// records ("A1:P300001"), or 0 when it records none or a single cell
// ("A1"), which excelize writes whatever the sheet holds. Only the start
// of the sheet is read.
func lastRow(f *excelize.File, sheet string) int64 {
	ref, err := f.GetSheetDimension(sheet)
	if err != nil {
		return 0
	}
	_, end, ok := strings.Cut(ref, ":")
	if !ok {
		return 0
	}
	_, row, err := excelize.CellNameToCoordinates(end)
	if err != nil {
		return 0
	}
	return int64(row)
}

// xlsxOpenError explains why a workbook could not be opened.
func xlsxOpenError(err error) error {
	switch {
	case errors.Is(err, excelize.ErrOptionsUnzipSizeLimit), errors.Is(err, excelize.ErrWorkbookFileFormat):
		return &Error{Reason: "the workbook is not a readable .xlsx file", Err: err}
	case strings.HasPrefix(err.Error(), "unzip size exceeds"):
		return &Error{Reason: "the workbook unzips to more than the size limit (a decompression bomb?)", Err: err}
	}
	return &Error{Reason: "the workbook cannot be opened (damaged, encrypted or not .xlsx)", Err: err}
}

// SheetChoice says which worksheet of a workbook to read.
type SheetChoice struct {
	// Required names the sheet to read; a workbook without it is
	// refused. Empty means none is required.
	Required string
	// Preferred name sheets to read, in order, when the workbook has one.
	Preferred []string
}

// chooseSheet returns the sheet ch requires, else the first sheet ch
// prefers that the workbook has, else the first worksheet of sheets that
// has a non-blank cell in its first rows, as open opens it (nil for a
// sheet without data), or nil when none has data. Names match without
// regard to case or surrounding spaces.
func chooseSheet(sheets []string, ch SheetChoice, open func(sheet string) (*Source, error)) (*Source, error) {
	find := func(want string) string {
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(want)) {
				return s
			}
		}
		return ""
	}
	if ch.Required != "" {
		sheet := find(ch.Required)
		if sheet == "" {
			return nil, errorf("the workbook has no sheet named %q; its sheets are %s", ch.Required, QuoteList(sheets))
		}
		src, err := open(sheet)
		if err == nil && src == nil {
			err = errorf("the sheet %q has no data", sheet)
		}
		return src, err
	}
	for _, want := range ch.Preferred {
		if sheet := find(want); sheet != "" {
			if src, err := open(sheet); src != nil || err != nil {
				return src, err
			}
		}
	}
	for _, sheet := range sheets {
		if src, err := open(sheet); src != nil || err != nil {
			return src, err
		}
	}
	return nil, nil
}

// sheetSource returns t, the table of sheet, as a Source with its first
// non-blank row buffered, or nil (t closed) when it has no data in its
// first rows. sheets are the workbook's sheets.
func sheetSource(t Table, sheet string, sheets []string) (*Source, error) {
	buf, err := ReadAhead(&limitedTable{t, xlsxScanRows}, 1)
	if err != nil {
		t.Close()
		return nil, err
	}
	if len(buf) == 0 {
		t.Close()
		return nil, nil
	}
	src := &Source{Table: &Replay{Table: t, Buf: buf}, Format: FormatXLSX, Sheet: sheet, Excel: true}
	for _, s := range sheets {
		if s != sheet {
			src.OtherSheets = append(src.OtherSheets, s)
		}
	}
	return src, nil
}

// openSheet returns sheet of the excelize workbook f as a table, or nil
// when it has no data in its first rows or no rows at all (a chart
// sheet).
func openSheet(f *excelize.File, sheet string, lim Limits) (*Source, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, nil // a chart sheet or dialog sheet has no rows
	}
	t := &xlsxTable{f: f, rows: rows, lim: lim}
	return sheetSource(t, sheet, f.GetSheetList())
}

// QuoteList returns the names quoted and joined with commas.
func QuoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

func (t *xlsxTable) Next() (int, []string, error) {
	if !t.rows.Next() {
		if err := t.rows.Error(); err != nil {
			return t.row, nil, &Error{Row: t.row + 1, Reason: "unreadable worksheet row", Err: err}
		}
		return 0, nil, io.EOF
	}
	t.row++
	cells, err := t.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return t.row, nil, &Error{Row: t.row, Reason: "unreadable worksheet row", Err: err}
	}
	if len(cells) > t.lim.MaxColumns {
		return t.row, nil, &Error{Row: t.row, Reason: fmt.Sprintf("the row has %d columns, more than the limit of %d", len(cells), t.lim.MaxColumns)}
	}
	size := 0
	for _, c := range cells {
		size += len(c)
	}
	if size > t.lim.MaxRecordBytes {
		return t.row, nil, &Error{Row: t.row, Reason: fmt.Sprintf("the row is longer than %d bytes", t.lim.MaxRecordBytes)}
	}
	return t.row, cells, nil
}

func (t *xlsxTable) Close() error {
	t.rows.Close()
	if !t.closeFile {
		return nil
	}
	return t.f.Close()
}

// limitedTable ends a table after n rows.
type limitedTable struct {
	Table
	n int
}

func (l *limitedTable) Next() (int, []string, error) {
	if l.n <= 0 {
		return 0, nil, io.EOF
	}
	l.n--
	return l.Table.Next()
}
