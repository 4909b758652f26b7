package report

import (
	"fmt"
	"time"

	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// summaryWidths are the Summary sheet's column widths; the paragraph spans
// all of them.
var summaryWidths = []float64{24, 13, 28, 2, 22, 12, 12, 9, 11}

// coverageColumn is the first column of the coverage table, beside the
// label/value rows.
const coverageColumn = 5

// summaryChars is about how many characters of the paragraph's font fit
// on one line across the Summary's columns.
const summaryChars = 152

// summaryRow is one label/value row of the Summary sheet: the value in
// column B, as text, a decimal or an integer (by kind), and a note in C.
type summaryRow struct {
	label   string
	kind    string // styleText, styleDecimal or styleInt
	text    string
	number  float64
	integer int
	note    string
}

func textRow(label, v string) summaryRow { return summaryRow{label: label, kind: styleText, text: v} }
func intRow(label string, n int, note string) summaryRow {
	return summaryRow{label: label, kind: styleInt, integer: n, note: note}
}

// writeSummary writes the Summary sheet, one printed page: the title in
// A1, a line saying which run it reports, the paragraph (after one about
// the view's federations in a federation view), the label/value rows
// (labels in column A, values in B, notes in C) and beside them the
// coverage per federation, then what moved since the last report.
func writeSummary(b *book, in WorkbookInput) {
	const sheet = SheetSummary
	last := colName(len(summaryWidths))
	b.text(sheet, "A1", in.Title, styleTitle)
	b.rowHeight(sheet, 1, 24)
	b.text(sheet, "A2", runLine(in), styleSubtitle)
	b.merge(sheet, "A2", last+"2")
	row := 4
	if len(in.Federations) > 0 {
		b.paragraph(sheet, cell(1, row), cell(len(summaryWidths), row), viewParagraph(in), styleParagraph, summaryChars)
		row++
	}
	b.paragraph(sheet, cell(1, row), cell(len(summaryWidths), row), summaryParagraph(in), styleParagraph, summaryChars)
	top := row + 2
	b.text(sheet, cell(1, top), "In numbers", styleSection)
	rows := summaryRows(in)
	for i, r := range rows {
		writeSummaryRow(b, top+1+i, r)
	}
	row = max(top+len(rows), writeCoverage(b, in, top))
	row = writeMoves(b, in, row+1)
	b.text(sheet, cell(1, row+1), advisoryNote, styleNote)
	b.colWidths(sheet, summaryWidths...)
	b.dimension(sheet, cell(len(summaryWidths), row+1))
}

// runLine says which ranking run the workbook reports and when.
func runLine(in WorkbookInput) string {
	r := in.Ranking
	s := "Ranking"
	if r.RunID > 0 {
		s = fmt.Sprintf("Ranking run %d", r.RunID)
	}
	if !r.CreatedAt.IsZero() {
		s += ", computed " + r.CreatedAt.In(in.Location).Format(displayTime)
	}
	if len(in.Federations) > 0 {
		s += ", in the view for " + viewName(in.Federations)
	}
	return s + ". The What-if sheet recomputes the ranking with weights of your own."
}

func writeSummaryRow(b *book, row int, r summaryRow) {
	const sheet = SheetSummary
	b.text(sheet, cell(1, row), r.label, styleLabel)
	switch r.kind {
	case styleInt:
		b.integer(sheet, cell(2, row), r.integer, styleIntLeft)
	case styleDecimal:
		b.number(sheet, cell(2, row), r.number, styleDecimalLeft)
	default:
		b.text(sheet, cell(2, row), r.text, styleLine)
	}
	if r.note != "" {
		b.text(sheet, cell(3, row), r.note, styleNote)
	}
}

// summaryRows returns the Summary sheet's label/value rows in order.
// Responses, Practices, Files and Generated are relied on by readers of
// the workbook.
func summaryRows(in WorkbookInput) []summaryRow {
	r := in.Ranking
	registry := 0
	for _, c := range in.Coverage {
		registry += c.Practices
	}
	practices := ""
	if registry > 0 {
		practices = fmt.Sprintf("of %d in the registry (%.0f%%)", registry, 100*float64(r.Practices)/float64(registry))
	}
	files := ""
	if n := len(in.Quality.Rejected); n > 0 {
		files = fmt.Sprintf("%s rejected: see Data quality", words.Count(n, "more", "more"))
	}
	comments := 0
	for _, f := range in.Quality.Files {
		comments += f.Comments
	}
	commentsRow := intRow("Comments", comments, "see the Comments sheet")
	if len(in.Federations) > 0 {
		commentsRow = intRow("Comments", in.ViewComments, fmt.Sprintf("of %d in all: see Comments", comments))
	}
	rows := []summaryRow{
		intRow("Responses", r.Respondents, ""),
		intRow("Practices", r.Practices, practices),
		intRow("Files", r.Files, files),
		commentsRow,
	}
	if p := period(in.FirstResponse, in.LastResponse, in.Location); p != "" {
		rows = append(rows, textRow("Survey period", p))
	}
	rows = append(rows,
		textRow("Generated", in.GeneratedAt.In(in.Location).Format(displayTime)),
		textRow("Generated (ISO 8601)", in.GeneratedAt.In(in.Location).Format(time.RFC3339)))
	if r.RunID > 0 {
		rows = append(rows, intRow("Ranking run", int(r.RunID), ""))
	}
	compared := "none: this is the first report"
	if p := r.Previous; p != nil {
		compared = fmt.Sprintf("ranking run %d of %s (%+d responses since)", p.RunID, p.CreatedAt.In(in.Location).Format(displayDate), r.NewResponses)
	}
	return append(rows, textRow("Compared with", compared))
}

// writeCoverage writes, from row in the columns from [coverageColumn],
// the practices that answered in each federation, and returns the last
// row written.
func writeCoverage(b *book, in WorkbookInput, row int) int {
	const sheet = SheetSummary
	if len(in.Coverage) == 0 {
		return row
	}
	c0 := coverageColumn
	b.text(sheet, cell(c0, row), "Who answered, by federation", styleSection)
	row++
	for i, h := range []string{"Federation", "Practices", "Answered", "Share", "Responses"} {
		b.text(sheet, cell(c0+i, row), h, styleHeader)
	}
	for _, c := range viewFirst(in.Coverage, func(c store.FederationCoverage) string { return c.Federation }, in.Federations) {
		row++
		name := c.Federation
		if name == "" {
			name = noFederation
		}
		b.text(sheet, cell(c0, row), name, styleLine)
		b.integer(sheet, cell(c0+1, row), c.Practices, styleIntCentre)
		b.integer(sheet, cell(c0+2, row), c.Responding, styleIntCentre)
		if c.Practices > 0 {
			b.number(sheet, cell(c0+3, row), float64(c.Responding)/float64(c.Practices), stylePercent)
		}
		b.integer(sheet, cell(c0+4, row), c.Respondents, styleIntCentre)
	}
	return row
}

// writeMoves writes, from row, the workstreams whose tier or rank changed
// since the previous run, and returns the last row written.
func writeMoves(b *book, in WorkbookInput, row int) int {
	const sheet = SheetSummary
	r := in.Ranking
	if r.Previous == nil {
		return row - 1
	}
	var moved []survey.RankedWorkstream
	for _, w := range r.Rows {
		if w.RankChange == nil || *w.RankChange != 0 || w.PreviousTier != w.Tier {
			moved = append(moved, w)
		}
	}
	b.text(sheet, cell(1, row+1), "What moved since the last report", styleSection)
	row += 2
	if len(moved) == 0 {
		b.text(sheet, cell(1, row), "No workstream changed rank or tier.", styleLine)
		return row
	}
	for i, h := range []string{"Workstream", "", "Rank now", "Change", "Tier then", "", "Tier now"} {
		b.text(sheet, cell(i+1, row), h, styleHeader)
	}
	b.merge(sheet, cell(1, row), cell(2, row))
	b.merge(sheet, cell(5, row), cell(6, row))
	b.merge(sheet, cell(7, row), cell(8, row))
	for _, w := range moved {
		row++
		b.text(sheet, cell(1, row), w.Workstream, styleLine)
		b.merge(sheet, cell(1, row), cell(2, row))
		b.integer(sheet, cell(3, row), w.Rank, styleIntCentre)
		if w.RankChange != nil {
			b.integer(sheet, cell(4, row), *w.RankChange, styleMovement)
			b.text(sheet, cell(5, row), string(w.PreviousTier), tierStyle(w.PreviousTier))
		} else {
			b.text(sheet, cell(4, row), "new", styleTextCentre)
		}
		b.merge(sheet, cell(5, row), cell(6, row))
		b.text(sheet, cell(7, row), string(w.Tier), tierStyle(w.Tier))
		b.merge(sheet, cell(7, row), cell(8, row))
	}
	return row
}
