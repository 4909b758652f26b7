package tabular

import (
	"errors"
	"fmt"
	"io"
	"math"
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
}

// openXLSX opens a workbook with bounded unzip sizes and returns the
// worksheet ch chooses as a table. Cells are read raw: shared strings as
// text, numbers and dates as stored (dates are serial numbers), formulas as
// their cached values.
func openXLSX(path string, lim Limits, ch SheetChoice) (*Source, error) {
	unzip := lim.MaxUnzipBytes
	if fi, err := os.Stat(path); err == nil && fi.Size() <= math.MaxInt64/max(lim.MaxUnzipRatio, 1) {
		unzip = max(unzip, fi.Size()*lim.MaxUnzipRatio)
	}
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    unzip,
		UnzipXMLSizeLimit: min(lim.MaxXMLInMemory, unzip),
	})
	if err != nil {
		return nil, xlsxOpenError(err)
	}
	src, err := chooseSheet(f, lim, ch)
	if err != nil {
		f.Close()
		return nil, err
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		src.Date1904 = *props.Date1904
	}
	src.LastRow = lastRow(f, src.Sheet)
	return src, nil
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
// prefers that the workbook has, else the first worksheet that has a
// non-blank cell in its first rows. Names match without regard to case
// or surrounding spaces. The table's first rows are buffered for replay.
func chooseSheet(f *excelize.File, lim Limits, ch SheetChoice) (*Source, error) {
	sheets := f.GetSheetList()
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
		src, err := openSheet(f, sheet, lim)
		if err == nil && src == nil {
			err = errorf("the sheet %q has no data", sheet)
		}
		return src, err
	}
	for _, want := range ch.Preferred {
		if sheet := find(want); sheet != "" {
			if src, err := openSheet(f, sheet, lim); src != nil || err != nil {
				return src, err
			}
		}
	}
	for _, sheet := range sheets {
		if src, err := openSheet(f, sheet, lim); src != nil || err != nil {
			return src, err
		}
	}
	return nil, errorf("the workbook has no sheet with data")
}

// openSheet returns sheet as a table with its first non-blank row
// buffered, or nil when it has no data in its first rows or no rows at all
// (a chart sheet).
func openSheet(f *excelize.File, sheet string, lim Limits) (*Source, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, nil // a chart sheet or dialog sheet has no rows
	}
	t := &xlsxTable{f: f, rows: rows, lim: lim}
	buf, err := ReadAhead(&limitedTable{t, xlsxScanRows}, 1)
	if err != nil {
		t.rows.Close()
		return nil, err
	}
	if len(buf) == 0 {
		rows.Close()
		return nil, nil
	}
	src := &Source{Table: &Replay{Table: t, Buf: buf}, Format: FormatXLSX, Sheet: sheet, Excel: true}
	for _, s := range f.GetSheetList() {
		if s != sheet {
			src.OtherSheets = append(src.OtherSheets, s)
		}
	}
	return src, nil
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
