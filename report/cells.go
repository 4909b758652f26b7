package report

import (
	"fmt"
	"strings"

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

// colWidths sets the widths of consecutive columns starting at column A.
func (b *book) colWidths(sheet string, widths ...float64) {
	for i, w := range widths {
		if b.err != nil {
			return
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
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

// cell returns the A1 reference of column col (1-based) and row.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
