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

// The lean XLSX reader. A workbook is read from its zip with the
// streaming tokenizer of xmlscan.go: its shared strings into one byte
// slice (sst.go), its worksheet row by row as excelize's row iterator
// reads it (xlsxrows.go). excelize still tells which sheets there are,
// which part each is and the date system, from a copy of the workbook's
// small parts in which every sheet part is a stub naming itself in its
// dimension, so it never inflates a sheet. Every limit of ziplimit.go is
// checked as before, and each row's as it is read.
//
// Where the workbook strays from what the lean reader handles exactly as
// excelize would (see [errXMLUnusual]), it is read with excelize
// ([openXLSXExcelize]): the whole workbook when that shows in its shared
// strings or metadata, or the rest of a sheet from the row where it
// shows. So a workbook reads the same either way.

// sheetStubPrefix starts the dimension of a sheet part's stub; the index
// of the part in the zip follows.
const sheetStubPrefix = "surveyworker-part:"

// openXLSX opens the workbook at path and returns the worksheet ch
// chooses as a table, its cells raw: shared and inline strings as text,
// numbers and dates as stored (dates are serial numbers), formulas as
// their cached values.
func openXLSX(path string, lim Limits, ch SheetChoice) (*Source, error) {
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
	if err != nil {
		zr.Close()
		return nil, err
	}
	wb := &leanWorkbook{path: path, zr: zr, parts: parts, lim: lim, refs: 1}
	src, err := wb.open(ch)
	if errors.Is(err, errXMLUnusual) {
		wb.release()
		return openXLSXExcelize(path, lim, ch)
	}
	if err != nil {
		wb.release()
		return nil, err
	}
	wb.release() // the chosen table holds its own reference
	return src, nil
}

// leanWorkbook is an open workbook read by the lean reader, shared by the
// tables of its sheets; the last to close releases it.
type leanWorkbook struct {
	path  string
	zr    *zip.ReadCloser
	parts workbookParts
	lim   Limits
	// meta is excelize over the stub of the workbook's small parts.
	meta   *excelize.File
	sheets []string
	sst    *sharedStrings
	// slow is excelize over the whole workbook, opened when a sheet
	// needs it.
	slow *excelize.File
	refs int
}

// release drops a reference, closing everything with the last.
func (wb *leanWorkbook) release() {
	if wb.refs--; wb.refs > 0 {
		return
	}
	if wb.meta != nil {
		wb.meta.Close()
	}
	if wb.slow != nil {
		wb.slow.Close()
	}
	wb.sst.close()
	wb.zr.Close()
}

// open reads the metadata and shared strings and chooses the sheet.
func (wb *leanWorkbook) open(ch SheetChoice) (*Source, error) {
	stub, err := metadataStub(&wb.zr.Reader)
	if err != nil {
		return nil, xlsxOpenError(err) // a part whose header is damaged
	}
	if wb.meta, err = excelize.OpenReader(bytes.NewReader(stub)); err != nil {
		return nil, errXMLUnusual // excelize says what is wrong
	}
	wb.sheets = wb.meta.GetSheetList()
	if err := wb.readSharedStrings(); err != nil {
		return nil, err
	}
	src, err := chooseSheet(wb.sheets, ch, wb.openSheet)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errorf("the workbook has no sheet with data")
	}
	if props, err := wb.meta.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		src.Date1904 = *props.Date1904
	}
	return src, nil
}

// metadataStub returns a zip of the workbook's parts that excelize needs
// to list its sheets and find their parts: every XML part as it is,
// except that each sheet part (worksheets, chart, dialog and macro
// sheets) is a stub whose dimension names the part's index in zr, and the
// shared strings and binary parts are left out.
func metadataStub(zr *zip.Reader) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, f := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		switch {
		case name == sharedStringsPart:
			continue
		case isSheetPart(name):
			w, err := zw.Create(f.Name)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><dimension ref="%s%d"/><sheetData/></worksheet>`,
				spreadsheetNS, sheetStubPrefix, i)
		case strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels"):
			w, err := zw.CreateRaw(&f.FileHeader)
			if err != nil {
				return nil, err
			}
			r, err := f.OpenRaw()
			if err != nil {
				return nil, err
			}
			if _, err := io.Copy(w, r); err != nil {
				return nil, err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isSheetPart reports whether the part name (lower case, forward
// slashes) is a sheet.
func isSheetPart(name string) bool {
	if !strings.HasSuffix(name, ".xml") {
		return false
	}
	for _, dir := range []string{"xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/"} {
		if strings.HasPrefix(name, dir) && !strings.Contains(name[len(dir):], "/") {
			return true
		}
	}
	return false
}

// readSharedStrings reads the shared-strings part excelize reads (its
// name, in any case, is xl/sharedStrings.xml), if the workbook has one.
func (wb *leanWorkbook) readSharedStrings() error {
	var part *zip.File
	for _, f := range wb.zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), sharedStringsPart) {
			if part != nil {
				return errXMLUnusual // two: excelize keeps the last
			}
			part = f
		}
	}
	if part == nil {
		return nil
	}
	rc, err := openLimited(part, wb.lim.MaxSharedStringsBytes)
	if err != nil {
		return &Error{Reason: "the workbook's shared strings cannot be read", Err: err}
	}
	defer rc.Close()
	wb.sst, err = readSharedStrings(rc, wb.lim.MaxRecordBytes)
	if err != nil && !errors.Is(err, errXMLUnusual) {
		return &Error{Reason: "the workbook's shared strings cannot be read", Err: err}
	}
	return err
}

// openSheet returns sheet as a table of the lean reader, or nil when it
// has no data in its first rows or no rows at all.
func (wb *leanWorkbook) openSheet(sheet string) (*Source, error) {
	if _, err := wb.meta.Rows(sheet); err != nil {
		return nil, nil // a sheet excelize finds no part of has no rows
	}
	ref, err := wb.meta.GetSheetDimension(sheet)
	index, perr := strconv.Atoi(strings.TrimPrefix(ref, sheetStubPrefix))
	if err != nil || !strings.HasPrefix(ref, sheetStubPrefix) || perr != nil || index < 0 || index >= len(wb.zr.File) {
		return nil, errXMLUnusual // a sheet in a part not stubbed
	}
	part := wb.zr.File[index]
	lastRow, err := partLastRow(part, wb.parts.unzip)
	if err != nil {
		return nil, err
	}
	t, err := wb.newTable(sheet, part)
	if err != nil {
		return nil, err
	}
	src, err := sheetSource(t, sheet, wb.sheets)
	if src != nil {
		src.LastRow = lastRow
	}
	return src, err
}

// partLastRow returns the last row the worksheet part's dimension records
// ("A1:P300001"), 0 when it records none or a single cell, as excelize's
// GetSheetDimension and [lastRow] read it: the first dimension before the
// sheet's data, its first ref.
func partLastRow(part *zip.File, unzip int64) (int64, error) {
	rc, err := openLimited(part, unzip)
	if err != nil {
		return 0, &Error{Reason: "the workbook cannot be opened (damaged, encrypted or not .xlsx)", Err: err}
	}
	defer rc.Close()
	sc := newXMLScanner(rc, 1<<20)
	for {
		err := sc.next()
		if err == io.EOF {
			return 0, nil
		}
		if errors.Is(err, errTooDeep) {
			return 0, &Error{Reason: fmt.Sprintf("the worksheet %s cannot be read: %v", part.Name, err)}
		}
		if err != nil {
			return 0, errXMLUnusual
		}
		if sc.kind != xmlStart {
			continue
		}
		switch string(sc.local) {
		case "dimension":
			for a := range eachAttr(sc.attrs) {
				if string(a.local) == "ref" {
					return lastRowOf(string(xmlUnescape(nil, a.value))), nil
				}
			}
		case "sheetData":
			return 0, nil
		}
	}
}

// lastRowOf returns the row of the end of a dimension ref, 0 for none.
func lastRowOf(ref string) int64 {
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

// newTable opens the worksheet part of sheet as a table.
func (wb *leanWorkbook) newTable(sheet string, part *zip.File) (*fastTable, error) {
	rc, err := openLimited(part, wb.parts.unzip)
	if err != nil {
		return nil, &Error{Reason: "the workbook cannot be opened (damaged, encrypted or not .xlsx)", Err: err}
	}
	wb.refs++
	maxToken := rowXMLFactor * wb.lim.MaxRecordBytes
	return &fastTable{wb: wb, sheet: sheet, rc: rc, lim: wb.lim,
		rows: &sheetRows{sc: newXMLScanner(rc, maxToken), sst: wb.sst, lim: wb.lim}}, nil
}

// fastTable is a worksheet read by the lean reader, which hands the rest
// of the sheet to excelize ([xlsxTable]) where it meets XML it does not
// read as excelize would.
type fastTable struct {
	wb    *leanWorkbook
	sheet string
	rc    io.ReadCloser
	rows  *sheetRows
	row   int
	lim   Limits
	slow  *xlsxTable
}

// Next returns the next row, as [xlsxTable.Next] would.
func (t *fastTable) Next() (int, []string, error) {
	if t.slow != nil {
		return t.slow.Next()
	}
	more, err := t.rows.Next()
	if errors.Is(err, errXMLUnusual) {
		return t.switchToExcelize(t.row)
	}
	if errors.Is(err, errTooDeep) {
		return t.row, nil, &Error{Row: t.row + 1, Reason: t.refusal(errTooDeep.Error(), 0)}
	}
	if err != nil {
		return t.row, nil, &Error{Row: t.row + 1, Reason: "unreadable worksheet row", Err: err}
	}
	if !more {
		if t.rows.err != nil {
			return t.row, nil, &Error{Row: t.row + 1, Reason: "unreadable worksheet row", Err: t.rows.err}
		}
		return 0, nil, io.EOF
	}
	t.row++
	cells, err := t.rows.Columns()
	switch {
	case err == nil:
		return t.row, cells, nil
	case errors.Is(err, errXMLUnusual):
		return t.switchToExcelize(t.row - 1)
	case errors.Is(err, errRowLimit):
		return t.row, nil, &Error{Row: t.row, Reason: t.refusal(strings.TrimPrefix(err.Error(), errRowLimit.Error()+": "), t.rows.col)}
	case errors.Is(err, errTokenTooLong), errors.Is(err, errPastLimit):
		return t.row, nil, &Error{Row: t.row, Reason: t.refusal(fmt.Sprintf("the row is longer than %d bytes", t.lim.MaxRecordBytes), t.rows.col)}
	case errors.Is(err, errTooDeep):
		return t.row, nil, &Error{Row: t.row, Reason: t.refusal(errTooDeep.Error(), t.rows.col)}
	}
	return t.row, nil, &Error{Row: t.row, Reason: "unreadable worksheet row", Err: err}
}

// refusal returns reason with the sheet and, when col is set, the cell
// of the current row it was found at: "… (sheet "Form1", cell D7)".
func (t *fastTable) refusal(reason string, col int) string {
	if col > 0 {
		if cell, err := excelize.CoordinatesToCellName(col, max(t.row, 1)); err == nil {
			return fmt.Sprintf("%s (sheet %q, cell %s)", reason, t.sheet, cell)
		}
	}
	return fmt.Sprintf("%s (sheet %q)", reason, t.sheet)
}

// switchToExcelize opens the sheet with excelize, passes over the rows
// already returned (done of them) and returns the next row from it.
func (t *fastTable) switchToExcelize(done int) (int, []string, error) {
	if t.wb.slow == nil {
		f, err := openExcelize(t.wb.path, t.lim)
		if err != nil {
			return done + 1, nil, err
		}
		t.wb.slow = f
	}
	rows, err := t.wb.slow.Rows(t.sheet)
	if err != nil {
		return done + 1, nil, &Error{Row: done + 1, Reason: "unreadable worksheet row", Err: err}
	}
	for i := 0; i < done; i++ {
		rows.Next()
	}
	t.slow = &xlsxTable{f: t.wb.slow, rows: rows, row: done, lim: t.lim}
	t.rc.Close()
	return t.slow.Next()
}

// Close releases the sheet and, with the last table, the workbook.
func (t *fastTable) Close() error {
	if t.slow != nil {
		t.slow.Close()
	} else {
		t.rc.Close()
	}
	t.wb.release()
	return nil
}
