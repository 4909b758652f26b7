package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// formulaLeads are the first characters that make a spreadsheet treat text
// as a formula, or re-evaluate it when a user edits the cell (OWASP ASVS
// 1.2.10, CWE-1236).
const formulaLeads = "=+-@\t\r\x00"

// looksLikeFormula reports whether s starts with a character a spreadsheet
// may read as the start of a formula.
func looksLikeFormula(s string) bool {
	return s != "" && strings.IndexByte(formulaLeads, s[0]) >= 0
}

// book is a workbook being written. Cell writes record the first error and
// do nothing after it, so sheet writers can write cell after cell and
// check [book.err] once.
type book struct {
	f      *excelize.File
	styles map[styleKey]int
	err    error
}

type styleKey struct {
	name  string
	quote bool
}

func newBook() *book {
	return &book{f: excelize.NewFile(), styles: map[styleKey]int{}}
}

// fail records err, wrapped with what, unless an error is already recorded.
func (b *book) fail(what string, err error) {
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("%s: %w", what, err)
	}
}

// text writes s as a string cell with the named style. Text that looks like
// a formula also gets the quotePrefix attribute, so the spreadsheet keeps
// it literal even when a user edits the cell.
func (b *book) text(sheet, cell, s, style string) {
	if b.err != nil {
		return
	}
	b.fail(sheet+"!"+cell, b.f.SetCellStr(sheet, cell, s))
	b.setStyle(sheet, cell, style, looksLikeFormula(s))
}

// number writes v as a numeric cell with the named style.
func (b *book) number(sheet, cell string, v float64, style string) {
	if b.err != nil {
		return
	}
	b.fail(sheet+"!"+cell, b.f.SetCellFloat(sheet, cell, v, -1, 64))
	b.setStyle(sheet, cell, style, false)
}

// integer writes n as a numeric cell with the named style.
func (b *book) integer(sheet, cell string, n int, style string) {
	if b.err != nil {
		return
	}
	b.fail(sheet+"!"+cell, b.f.SetCellInt(sheet, cell, int64(n)))
	b.setStyle(sheet, cell, style, false)
}

// blank styles an empty cell.
func (b *book) blank(sheet, cell, style string) {
	b.setStyle(sheet, cell, style, false)
}

func (b *book) setStyle(sheet, cell, style string, quote bool) {
	if b.err != nil || (style == "" && !quote) {
		return
	}
	id, err := b.style(style, quote)
	if err != nil {
		b.fail("style "+style, err)
		return
	}
	b.fail(sheet+"!"+cell, b.f.SetCellStyle(sheet, cell, cell, id))
}

// paragraph writes s into the cells from..to merged, wrapped, and sets the
// row's height to fit about chars characters per line.
func (b *book) paragraph(sheet, from, to, s, style string, chars int) {
	b.text(sheet, from, s, style)
	b.merge(sheet, from, to)
	_, row, _ := excelize.CellNameToCoordinates(from)
	b.rowHeight(sheet, row, lineHeight(style)*float64(wrappedLines(s, chars)))
}

// merge merges the cells from..to.
func (b *book) merge(sheet, from, to string) {
	if b.err == nil && from != to {
		b.fail(sheet+" merge "+from, b.f.MergeCell(sheet, from, to))
	}
}

// rowHeight sets the height of row in points.
func (b *book) rowHeight(sheet string, row int, h float64) {
	if b.err == nil {
		b.fail(fmt.Sprintf("%s row %d height", sheet, row), b.f.SetRowHeight(sheet, row, h))
	}
}

// lineHeight is the height in points of one line of text in style, with
// a little to spare.
func lineHeight(style string) float64 {
	if style == styleParagraph {
		return 15.5 // 12-point text
	}
	return 15
}

// linesHeight is the height in points of a row holding n lines of
// wrapped text in the default font: a single line keeps the default
// height. Excel spaces lines of 11-point Calibri about 15 points apart,
// LibreOffice closer; the height suits Excel.
func linesHeight(n int) float64 {
	if n <= 1 {
		return 15
	}
	return 14.5*float64(n) + 1
}

// textLines estimates how many lines s takes wrapped in a column of
// width characters. A column's width counts the widest digits of the
// font; text averages narrower letters, so a line holds about a seventh
// more of them.
func textLines(s string, width float64) int {
	return wrappedLines(s, int(width*1.15)-1)
}

// wrappedLines estimates how many lines s takes wrapped at width
// characters, breaking at spaces and after hyphens.
func wrappedLines(s string, width int) int {
	lines := 0
	for _, para := range strings.Split(s, "\n") {
		n, col := 1, 0
		for _, w := range strings.FieldsFunc(strings.ReplaceAll(para, "-", "- "), unicode.IsSpace) {
			l := utf8.RuneCountInString(w)
			if col > 0 && col+1+l > width {
				n, col = n+1, 0
			}
			if col > 0 {
				col++
			}
			col += l
		}
		lines += n
	}
	return max(lines, 1)
}

// colWidths sets the widths of consecutive columns starting at column A.
func (b *book) colWidths(sheet string, widths ...float64) {
	b.colWidthsFrom(sheet, 1, widths...)
}

// colWidthsFrom sets the widths of consecutive columns starting at column
// first (1-based).
func (b *book) colWidthsFrom(sheet string, first int, widths ...float64) {
	for i, w := range widths {
		if b.err != nil {
			return
		}
		col, _ := excelize.ColumnNumberToName(first + i)
		b.fail(sheet+" column "+col, b.f.SetColWidth(sheet, col, col, w))
	}
}

// dimension records the sheet's used range as A1 to bottomRight, for
// readers that trust it instead of scanning the rows.
func (b *book) dimension(sheet, bottomRight string) {
	if b.err == nil {
		b.fail(sheet+" dimension", b.f.SetSheetDimension(sheet, "A1:"+bottomRight))
	}
}

// printTitles repeats rows first..last at the top of every printed page of
// sheet.
func (b *book) printTitles(sheet string, first, last int) {
	if b.err == nil {
		b.fail(sheet+" print titles", b.f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Titles", Scope: sheet,
			RefersTo: fmt.Sprintf("%s!$%d:$%d", quoteSheet(sheet), first, last)}))
	}
}

// printArea limits what is printed of sheet to the ranges of ref,
// separated by commas; each range starts a new page.
func (b *book) printArea(sheet, ref string) {
	if b.err != nil {
		return
	}
	var parts []string
	for _, r := range strings.Split(ref, ",") {
		parts = append(parts, quoteSheet(sheet)+"!"+absolute(r))
	}
	b.fail(sheet+" print area", b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Area", Scope: sheet, RefersTo: strings.Join(parts, ",")}))
}

// pageBreak starts a new printed page at cell.
func (b *book) pageBreak(sheet, cell string) {
	if b.err == nil {
		b.fail(sheet+" page break", b.f.InsertPageBreak(sheet, cell))
	}
}

// quoteSheet quotes a sheet name for a formula or a defined name when it
// needs it.
func quoteSheet(name string) string {
	if strings.ContainsAny(name, " -'!&()") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

// absolute turns "A1:B2" into "$A$1:$B$2".
func absolute(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		col, row, err := excelize.SplitCellName(p)
		if err == nil {
			parts[i] = fmt.Sprintf("$%s$%d", col, row)
		}
	}
	return strings.Join(parts, ":")
}

// cell returns the A1 reference of column col (1-based) and row.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// colName returns the letters of column col (1-based).
func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// stream writes a sheet row by row with excelize's StreamWriter, which
// keeps only the current row in memory and spills the rest to a temporary
// file. Rows are written in order; [stream.flush] ends the sheet.
type stream struct {
	b     *book
	sheet string
	sw    *excelize.StreamWriter
	row   int // the last row written
}

// newStream starts streaming sheet. Page layout, data validation,
// conditional formats and defined names must be set on the sheet before
// flush.
func (b *book) newStream(sheet string) *stream {
	s := &stream{b: b, sheet: sheet}
	if b.err == nil {
		var err error
		s.sw, err = b.f.NewStreamWriter(sheet)
		b.fail(sheet+" stream", err)
	}
	return s
}

// line writes cells as the row after the last one written.
func (s *stream) line(cells ...any) { s.lineWith(excelize.RowOpts{}, cells...) }

// lineWith writes cells as the row after the last one written, with the
// given row options (height, style).
func (s *stream) lineWith(opts excelize.RowOpts, cells ...any) {
	if s.b.err != nil {
		return
	}
	s.row++
	s.b.fail(fmt.Sprintf("%s row %d", s.sheet, s.row), s.sw.SetRow(cell(1, s.row), cells, opts))
}

// skip leaves n empty rows.
func (s *stream) skip(n int) { s.row += n }

// text returns a string cell in style; text that looks like a formula
// carries the quotePrefix attribute, as in [book.text].
func (s *stream) text(v, style string) excelize.Cell {
	return excelize.Cell{Value: v, StyleID: s.styleID(style, looksLikeFormula(v))}
}

// value returns a cell holding v (a number, or nil for an empty cell) in
// style.
func (s *stream) value(v any, style string) excelize.Cell {
	return excelize.Cell{Value: v, StyleID: s.styleID(style, false)}
}

// formula returns a cell holding formula f with cached is the value f
// gives as surveyworker computed it, shown by readers that do not
// calculate.
func (s *stream) formula(f string, cached any, style string) excelize.Cell {
	return excelize.Cell{Formula: f, Value: cached, StyleID: s.styleID(style, false)}
}

func (s *stream) styleID(style string, quote bool) int {
	id, err := s.b.style(style, quote)
	s.b.fail("style "+style, err)
	return id
}

// widths sets the widths of consecutive columns from column A; it must
// come before the first row.
func (s *stream) widths(widths ...float64) {
	for i, w := range widths {
		if s.b.err == nil {
			s.b.fail(s.sheet+" column width", s.sw.SetColWidth(i+1, i+1, w))
		}
	}
}

// merge merges the cells from..to of rows already written or to come.
func (s *stream) merge(from, to string) {
	if s.b.err == nil {
		s.b.fail(s.sheet+" merge "+from, s.sw.MergeCell(from, to))
	}
}

// freeze keeps rows 1..rows in view while scrolling; it must come before
// the first row.
func (s *stream) freeze(rows int) {
	if s.b.err == nil && rows > 0 {
		top := cell(1, rows+1)
		s.b.fail(s.sheet+" panes", s.sw.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: rows, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
		}))
	}
}

// table makes the range ref an Excel table called name, with filter
// buttons on its header row. A table needs a header and at least one row.
func (s *stream) table(ref, name string) {
	if s.b.err == nil {
		s.b.fail(s.sheet+" table", s.sw.AddTable(&excelize.Table{Range: ref, Name: name, StyleName: "TableStyleLight1"}))
	}
}

// flush ends the sheet.
func (s *stream) flush() {
	if s.b.err == nil {
		s.b.fail(s.sheet+" flush", s.sw.Flush())
	}
}
