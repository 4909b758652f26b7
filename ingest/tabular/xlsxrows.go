package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"
)

// Limits of SpreadsheetML that excelize's reader enforces too.
const (
	xlsxMaxRows    = 1_048_576
	xlsxMaxColumns = 16_384
)

// errMaxRows is excelize's error for a row number beyond the last row.
var errMaxRows = errors.New("row number exceeds maximum limit")

// sheetRows reads the rows of one worksheet part as excelize's Rows
// iterator does with RawCellValue: its Next and Columns are a port of
// excelize's (rows.go), over [xmlScanner] tokens instead of encoding/xml
// ones, so row numbers, gaps, blank cells and each cell's value come out
// the same. Where the scanner meets XML it does not handle, they return
// errXMLUnusual and the table switches to excelize ([fastTable]).
type sheetRows struct {
	sc  *xmlScanner
	sst *sharedStrings
	lim Limits
	// curRow and seekRow are excelize's: the row number last found, and
	// the row Next has reached.
	curRow, seekRow int
	// pending is set when a <row> start was read ahead (excelize's
	// rows.token); pendingAttrs are its attributes and pendingAt where
	// it began.
	pending      bool
	pendingAttrs []byte
	pendingAt    int64
	err          error
	// text holds the row's decoded values, which its cells share: a new
	// buffer for each row, never written again once a cell is made of it.
	text  []byte
	width int // cells of the last row, to size the next
	si    siValue
	// rowStart is the offset of the row's tag, for the row's XML limit.
	rowStart int64
	// ref and typ hold a cell's r and t attributes.
	ref, typ []byte
	// col is the column of the cell last read, 0 before the row's
	// first, for a refusal to name the cell.
	col int
}

// attrInt is excelize's attrValToInt: each attribute named local parsed
// with strconv.Atoi, the last one counting, the first that fails ending
// the search with Atoi's value and error.
func attrInt(attrs []byte, local string) (val int, err error) {
	for a := range eachAttr(attrs) {
		if string(a.local) == local {
			if val, err = strconv.Atoi(string(xmlUnescape(nil, a.value))); err != nil {
				return val, err
			}
		}
	}
	return val, err
}

// keepRow remembers the current <row> start token as read ahead.
func (s *sheetRows) keepRow() {
	s.pending = true
	s.pendingAttrs = append(s.pendingAttrs[:0], s.sc.attrs...)
	s.pendingAt = s.sc.tokStart
}

// Next advances to the next row, as excelize's (*Rows).Next: a gap in
// the row numbers gives empty rows. It returns false at the end of the
// sheet's data, or with err set.
func (s *sheetRows) Next() (bool, error) {
	if s.err != nil {
		return false, nil
	}
	s.seekRow++
	if s.curRow >= s.seekRow {
		return true, nil
	}
	for {
		err := s.sc.next()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		switch s.sc.kind {
		case xmlStart:
			if string(s.sc.local) == "row" {
				s.curRow++
				rowNum, _ := attrInt(s.sc.attrs, "r")
				if rowNum > xlsxMaxRows {
					s.err = errMaxRows
					return false, nil
				}
				if rowNum != 0 {
					s.curRow = rowNum
				}
				s.keepRow()
				return true, nil
			}
		case xmlEnd:
			if string(s.sc.local) == "sheetData" {
				s.sc.nestedNS = true
				return false, nil
			}
		}
	}
}

// Columns returns the current row's cells, as excelize's (*Rows).Columns
// with RawCellValue: up to the last cell with a value or a formula,
// cells without one blank. The cells are valid until the next call. A
// problem of the XML is returned as itself; one excelize would report
// too, wrapped in a *[Error]-free error for the table to word.
func (s *sheetRows) Columns() ([]string, error) {
	if s.curRow > s.seekRow {
		return nil, nil
	}
	s.col = 0
	s.text = make([]byte, 0, max(len(s.text), 256))
	cells := make([]string, 0, s.width)
	defer func() { s.width = len(cells) }()
	var iterErr error
	cellCol, size := 0, 0
	for {
		var attrs []byte
		fromPending := s.pending
		if fromPending {
			attrs = s.pendingAttrs
		} else {
			err := s.sc.next()
			if err == io.EOF {
				s.sc.limitAt = 0
				break
			}
			if err != nil {
				return cells, err
			}
			if s.sc.kind == xmlEnd {
				if string(s.sc.local) == "sheetData" {
					s.sc.limitAt, s.sc.nestedNS = 0, true
					return cells, iterErr
				}
				continue
			}
			if s.sc.kind != xmlStart {
				continue
			}
			attrs = s.sc.attrs
		}
		if fromPending || string(s.sc.local) == "row" {
			var rowNum int
			rowNum, iterErr = attrInt(attrs, "r")
			if rowNum > xlsxMaxRows {
				s.err, s.pending = errMaxRows, false
				return cells, s.err
			} else if rowNum != 0 {
				s.curRow = rowNum
			} else if !fromPending {
				s.curRow++
			}
			if fromPending {
				s.rowStart = s.pendingAt
			} else {
				s.rowStart = s.sc.tokStart
			}
			s.sc.limitAt = s.rowStart + int64(rowXMLFactor)*int64(s.lim.MaxRecordBytes)
			s.pending = false
			if s.curRow > s.seekRow || iterErr != nil {
				return cells, iterErr
			}
			continue
		}
		if string(s.sc.local) != "c" {
			continue
		}
		cellCol++
		s.col = cellCol
		val, hasF, ref, err := s.readCell()
		if err != nil {
			if c, cerr := columnOf(ref); ref != nil && cerr == nil {
				s.col = c
			}
			return cells, err
		}
		if ref != nil {
			if cellCol, err = columnOf(ref); err != nil {
				return cells, err
			}
			s.col = cellCol
		}
		if val != "" || hasF {
			if blank := cellCol - len(cells); blank > 1 {
				for range blank - 1 {
					cells = append(cells, "")
				}
			}
			cells = append(cells, val)
			if len(cells) > s.lim.MaxColumns {
				return cells, fmt.Errorf("%w: the row has more than %d columns, the limit", errRowLimit, s.lim.MaxColumns)
			}
			if size += len(val); size > s.lim.MaxRecordBytes {
				return cells, fmt.Errorf("%w: the row is longer than %d bytes", errRowLimit, s.lim.MaxRecordBytes)
			}
		}
		if s.sc.offset()-s.rowStart > int64(rowXMLFactor)*int64(s.lim.MaxRecordBytes) {
			return cells, fmt.Errorf("%w: the row is longer than %d bytes", errRowLimit, s.lim.MaxRecordBytes)
		}
	}
	return cells, iterErr
}

// errRowLimit marks a row beyond the limits.
var errRowLimit = errors.New("row limit")

// columnOf is excelize's CellNameToCoordinates, for the column: "AB12"
// gives 28, "$A$1" 1; a reference of no cell is an error.
func columnOf(ref []byte) (int, error) {
	// The usual reference: upper-case letters, then a row number.
	i, col := 0, 0
	for i < len(ref) && i < 4 && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	row, j := 0, i
	for j < len(ref) && j-i < 8 && ref[j] >= '0' && ref[j] <= '9' {
		row = row*10 + int(ref[j]-'0')
		j++
	}
	if i > 0 && j > i && j == len(ref) && ref[i] != '0' && row <= xlsxMaxRows && col <= xlsxMaxColumns {
		return col, nil
	}
	return columnOfSlow(string(ref))
}

// columnOfSlow is [columnOf] for every other reference, step by step as
// excelize's SplitCellName and ColumnNameToNumber.
func columnOfSlow(ref string) (int, error) {
	alpha := func(r rune) bool { return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || r == '$' }
	bad := func() error {
		return fmt.Errorf("cannot convert cell %q to coordinates: invalid cell name %q", ref, ref)
	}
	if strings.IndexFunc(ref, alpha) != 0 {
		return -1, bad()
	}
	i := strings.LastIndexFunc(ref, alpha)
	if i < 0 || i >= len(ref)-1 {
		return -1, bad()
	}
	col, rowText := strings.ReplaceAll(ref[:i+1], "$", ""), ref[i+1:]
	row, err := strconv.Atoi(rowText)
	if err != nil || row <= 0 {
		return -1, bad()
	}
	if row > xlsxMaxRows {
		return -1, errMaxRows
	}
	if col == "" {
		return -1, fmt.Errorf("invalid column name %q", col)
	}
	n, multi := 0, 1
	for j := len(col) - 1; j >= 0; j-- {
		c := col[j]
		switch {
		case c >= 'A' && c <= 'Z':
			n += int(c-'A'+1) * multi
		case c >= 'a' && c <= 'z':
			n += int(c-'a'+1) * multi
		default:
			return -1, fmt.Errorf("invalid column name %q", col)
		}
		if n > xlsxMaxColumns {
			return -1, errors.New("the column number must be greater than or equal to 1 and less than or equal to 16384")
		}
		multi *= 26
	}
	return n, nil
}

// formulaAttrs are the typed attributes of <f> in excelize's xlsxF.
var formulaAttrs = []typedAttr{boolAttr("aca"), boolAttr("dt2D"), boolAttr("dtr"), boolAttr("del1"),
	boolAttr("del2"), boolAttr("ca"), intAttr("si"), boolAttr("bx")}

// readCell reads the cell whose <c> start was the last token, as
// excelize's cellXMLHandler and getValueFrom do with raw values: its
// value, whether it has a formula and its reference (r, nil for none).
func (s *sheetRows) readCell() (val string, hasF bool, ref []byte, err error) {
	var typ []byte
	var v string
	var hasIS bool
	s.ref = s.ref[:0]
	hasRef := false
	for a := range eachAttr(s.sc.attrs) {
		switch string(a.local) {
		case "r":
			s.ref, hasRef = unescaped(s.ref[:0], a.value), true
		case "s":
			// Parsed without trimming; an attribute that is not a number
			// ends excelize's cell handler before it reads the cell's
			// content, which its row loop then passes over.
			if !isInt64(a.value) {
				return "", false, refOrNil(s.ref, hasRef), nil
			}
		case "t":
			typ = unescaped(s.typ[:0], a.value)
			s.typ = typ
		}
	}
	ref = refOrNil(s.ref, hasRef)
	if s.sc.selfClose {
		if err := s.sc.next(); err != nil {
			return "", false, ref, err
		}
	} else if v, hasF, hasIS, err = s.readCellContent(); err != nil {
		return "", false, ref, err
	}
	val, err = s.cellValue(typ, v, hasIS)
	return val, hasF, ref, err
}

// refOrNil returns ref when the cell had an r attribute (an empty one
// counts as none, as in excelize), else nil.
func refOrNil(ref []byte, has bool) []byte {
	if !has || len(ref) == 0 {
		return nil
	}
	return ref
}

// unescaped returns the attribute value b decoded, appending to dst only
// when it holds an entity or a line end to decode.
func unescaped(dst, b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return append(dst, b...)
	}
	return xmlUnescape(dst, b)
}

// isInt64 reports whether strconv.ParseInt(b, 10, 64) accepts b, an
// attribute value as written (an entity in it decoded).
func isInt64(b []byte) bool {
	digits := b
	if len(digits) > 0 && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		_, err := strconv.ParseInt(string(xmlUnescape(nil, b)), 10, 64)
		return err == nil
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			_, err := strconv.ParseInt(string(xmlUnescape(nil, b)), 10, 64)
			return err == nil
		}
	}
	return true
}

// readCellContent reads the content of a cell up to its end: the text
// of its last <v>, whether it has an <f>, and its inline string (<is>)
// decoded into s.si. As in excelize, <v>, <f> and <is> count wherever
// they are inside the cell.
func (s *sheetRows) readCellContent() (v string, hasF, hasIS bool, err error) {
	depth := s.sc.depth()
	s.si = siValue{runs: s.si.runs[:0], t: s.si.t[:0], out: s.si.out}
	isStarted := false
	for {
		if err := s.sc.next(); err != nil {
			if err == io.EOF {
				err = errXMLUnusual
			}
			return "", false, false, err
		}
		if s.sc.kind == xmlEnd && s.sc.depth() < depth {
			return v, hasF, hasIS, nil
		}
		if s.sc.kind != xmlStart {
			continue
		}
		switch string(s.sc.local) {
		case "c":
			// excelize would end the cell at this element's end if its
			// name matched the cell's: the scanner does not resolve
			// namespaces, so excelize reads such a cell.
			return "", false, false, errXMLUnusual
		case "v":
			start := len(s.text)
			if s.text, err = elementText(s.sc, s.text); err != nil {
				return "", false, false, err
			}
			v = s.shared(start)
		case "f":
			if !typedAttrsOK(s.sc.attrs, formulaAttrs...) {
				return "", false, false, errXMLUnusual
			}
			hasF = true
			if err := skipElement(s.sc, false); err != nil {
				return "", false, false, err
			}
		case "is":
			// Decoded into the same xlsxSI each time: its <t> replaced,
			// its runs added to.
			if err := s.si.readMore(s.sc, isStarted); err != nil {
				return "", false, false, err
			}
			hasIS, isStarted = true, true
		}
	}
}

// readMore is [siValue.read] continuing a string already decoded into
// when more is set, as encoding/xml decodes a second element into the
// same struct.
func (v *siValue) readMore(sc *xmlScanner, more bool) error {
	if !more {
		return v.read(sc)
	}
	t, hasT, runs, nrun := append([]byte(nil), v.t...), v.hasT, v.runs, v.nrun
	v.runs = nil
	if err := v.read(sc); err != nil {
		return err
	}
	if !v.hasT {
		v.t, v.hasT = t, hasT
	}
	added := v.runs[:v.nrun]
	v.runs, v.nrun = append(runs[:nrun], added...), nrun+len(added)
	return nil
}

// shared returns the text decoded into s.text from start as a string
// sharing its bytes: they are not written again (a longer row's text
// grows into a new buffer, leaving the old one as it was).
func (s *sheetRows) shared(start int) string {
	b := s.text[start:]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// keep copies b into the row's text and returns it as a string.
func (s *sheetRows) keep(b []byte) string {
	start := len(s.text)
	s.text = append(s.text, b...)
	return s.shared(start)
}

// cellValue is excelize's getValueFrom with raw values for a cell of
// type typ and value v: a shared string looked up, an inline string
// decoded, anything else as written.
func (s *sheetRows) cellValue(typ []byte, v string, hasIS bool) (string, error) {
	switch string(typ) {
	case "s":
		if v == "" {
			return "", nil
		}
		// An index of no string is an error excelize's row reader
		// passes over: the cell is blank.
		i, _ := strconv.Atoi(strings.TrimSpace(v))
		if s.sst == nil || i < 0 || i >= s.sst.len() {
			return "", nil
		}
		return s.sst.at(i), nil
	case "inlineStr":
		if hasIS {
			return s.keep(s.si.text()), nil
		}
		return v, nil
	}
	return v, nil
}
