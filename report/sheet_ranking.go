package report

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// RankingHeader is the header row of the Ranking sheet. The columns after
// Practices show the bootstrap's 90% score interval, the rank range, the
// probability of the tier and the rank change since the previous run;
// after them come the score's parts, one column per criterion with a
// weight ("Score from survey", …).
var RankingHeader = []string{"Rank", "Workstream", "Tier", "Score", "Practice priority", "Practices",
	"Score 90% low", "Score 90% high", "Rank range", "Tier probability", "Rank change"}

// rankingTable names the Excel table of the Ranking sheet.
const rankingTable = "RankingTable"

// contributionColumn is one criterion's part of the score on the Ranking
// sheet and in its stacked chart.
type contributionColumn struct {
	header string
	colour string
	value  func(survey.Contributions) float64
}

// contributionColumns are the score's parts in the order of
// [criterionNames], each with its chart colour.
var contributionColumns = []contributionColumn{
	{"Score from survey", "4472C4", func(c survey.Contributions) float64 { return c.Survey }},
	{"Score from impact", "ED7D31", func(c survey.Contributions) float64 { return c.Impact }},
	{"Score from GP Forward View", "A5A5A5", func(c survey.Contributions) float64 { return c.GPFV }},
	{"Score from dependencies", "FFC000", func(c survey.Contributions) float64 { return c.Dependencies }},
	{"Score from mandate", "70AD47", func(c survey.Contributions) float64 { return c.Mandated }},
}

// usedContributions returns the contribution columns of the criteria with
// a weight.
func usedContributions(w survey.Weights) []contributionColumn {
	var out []contributionColumn
	for i, v := range weightValues(w) {
		if v > 0 {
			out = append(out, contributionColumns[i])
		}
	}
	return out
}

// writeRanking writes the Ranking sheet: the header in row 1 and one row
// per workstream in rank order, as an Excel table with filter buttons and
// a data bar on the scores; then, to the right and each on a printed page
// of its own, a bar chart of the scores with their 90% intervals as error
// bars and a stacked bar chart of each criterion's part of the score. The
// parts are in the table after Rank change; the chart's interval widths
// are in two hidden columns after it. Of the table, the first eleven
// columns are printed, with the header on every page.
func writeRanking(b *book, in WorkbookInput) {
	const sheet = SheetRanking
	rows := in.Ranking.Rows
	parts := usedContributions(in.Ranking.Weights)
	header := append(append([]string{}, RankingHeader...), headersOf(parts)...)
	for i, h := range header {
		b.text(sheet, cell(i+1, 1), h, styleHeader)
	}
	for i, r := range rows {
		writeRankingRow(b, i+2, r, in.Ranking.Previous != nil, parts)
		fitRow(b, sheet, i+2, r.Workstream, workstreamWidth(rows))
	}
	last := len(rows) + 1
	widths := rankingWidths(in)
	for range parts {
		widths = append(widths, 12)
	}
	b.colWidths(sheet, widths...)
	b.freezeHeader(sheet)
	b.rowHeight(sheet, 1, 32)
	if len(rows) == 0 {
		b.dimension(sheet, cell(len(header), 1))
		return
	}
	b.dimension(sheet, cell(len(header), last))
	b.fail("Ranking table", b.f.AddTable(sheet, &excelize.Table{Range: "A1:" + cell(len(header), last),
		Name: rankingTable, StyleName: "TableStyleLight1"}))
	b.fail("Ranking data bar", b.f.SetConditionalFormat(sheet, fmt.Sprintf("D2:D%d", last), []excelize.ConditionalFormatOptions{{
		Type: "data_bar", Criteria: "=", MinType: "num", MinValue: "0", MaxType: "num", MaxValue: "1",
		BarColor: colourBar, BarSolid: true,
	}}))
	intervals := writeIntervalColumns(b, rows, len(header)+1)
	// The charts stand to the right of the table, each on a printed page
	// of its own: below it they would print under the header row that
	// every page of the table repeats.
	col := len(header) + 4
	b.colWidthsFrom(sheet, col, slices.Repeat([]float64{chartColumnWidth}, chartColumns)...)
	b.pageBreak(sheet, cell(1, 2+chartRows))
	addScoreChart(b, rows, intervals, cell(col, 2))
	addContributionChart(b, rows, parts, cell(col, 2+chartRows))
	b.printArea(sheet, fmt.Sprintf("A1:K%d,%s1:%s%d", last, colName(col), colName(col+chartColumns-1), 1+2*chartRows))
	b.printTitles(sheet, 1, 1)
}

// Rows and columns of the sheet a chart of the Ranking sheet covers: it
// stands on a printed page of its own.
const (
	chartRows        = 32
	chartColumns     = 16
	chartColumnWidth = 8.43 // 64 pixels
)

// rankingWidths are the widths of the Ranking sheet's printed columns, A
// to K.
func rankingWidths(in WorkbookInput) []float64 {
	return []float64{6, workstreamWidth(in.Ranking.Rows), 27, 8, 9.5, 9.5, 9, 9, 8, 10.5, 9}
}

func headersOf(parts []contributionColumn) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p.header)
	}
	return out
}

func writeRankingRow(b *book, row int, r survey.RankedWorkstream, hasPrevious bool, parts []contributionColumn) {
	const sheet = SheetRanking
	b.integer(sheet, cell(1, row), r.Rank, styleIntCentre)
	b.text(sheet, cell(2, row), r.Workstream, styleText)
	b.text(sheet, cell(3, row), string(r.Tier), tierStyle(r.Tier))
	b.number(sheet, cell(4, row), r.Score, styleDecimal)
	b.number(sheet, cell(5, row), r.PracticePriority, styleDecimal)
	b.integer(sheet, cell(6, row), r.Practices, styleIntCentre)
	// A run stored before the bootstrap existed has no rank range; its
	// interval cells stay empty rather than show zeros.
	if r.RankLow > 0 {
		b.number(sheet, cell(7, row), r.CILow, styleDecimal)
		b.number(sheet, cell(8, row), r.CIHigh, styleDecimal)
		b.text(sheet, cell(9, row), rankRange(r), styleTextCentre)
		b.number(sheet, cell(10, row), r.TierProbability, stylePercent)
	}
	switch {
	case r.RankChange != nil:
		b.integer(sheet, cell(11, row), *r.RankChange, styleMovement)
	case hasPrevious:
		b.text(sheet, cell(11, row), "new", styleTextCentre)
	}
	for i, p := range parts {
		b.number(sheet, cell(12+i, row), p.value(r.Contributions), styleDecimal)
	}
}

// writeIntervalColumns writes, from column col, the distance from each
// score down and up to its interval's ends, which the score chart's error
// bars read, and hides the two columns. It returns the ranges of the
// distances below and above, or empty ones when the ranking has no
// intervals.
func writeIntervalColumns(b *book, rows []survey.RankedWorkstream, col int) [2]string {
	const sheet = SheetRanking
	if rows[0].RankLow == 0 {
		return [2]string{}
	}
	b.text(sheet, cell(col, 1), "Interval below score", styleHeader)
	b.text(sheet, cell(col+1, 1), "Interval above score", styleHeader)
	for i, r := range rows {
		b.number(sheet, cell(col, i+2), max(r.Score-r.CILow, 0), styleDecimal)
		b.number(sheet, cell(col+1, i+2), max(r.CIHigh-r.Score, 0), styleDecimal)
	}
	if b.err == nil {
		b.fail("Ranking interval columns", b.f.SetColVisible(sheet, colName(col)+":"+colName(col+1), false))
	}
	n := len(rows) + 1
	return [2]string{fmt.Sprintf("%s!$%s$2:$%s$%d", sheet, colName(col), colName(col), n),
		fmt.Sprintf("%s!$%s$2:$%s$%d", sheet, colName(col+1), colName(col+1), n)}
}

// rankRange shows the bootstrap rank range as "2–5", or one rank when the
// range is a single rank.
func rankRange(r survey.RankedWorkstream) string {
	if r.RankLow == r.RankHigh {
		return fmt.Sprint(r.RankLow)
	}
	return fmt.Sprintf("%d–%d", r.RankLow, r.RankHigh)
}

// workstreamWidth fits the Workstream column to its longest name, within
// limits; longer names wrap.
func workstreamWidth(rows []survey.RankedWorkstream) float64 {
	w := 24
	for _, r := range rows {
		w = max(w, utf8.RuneCountInString(r.Workstream)+2)
	}
	return float64(min(w, 44))
}

// freezeHeader keeps row 1, the header, in view while scrolling, and
// gives it the height of two lines for the headers that wrap.
func (b *book) freezeHeader(sheet string) {
	if b.err != nil {
		return
	}
	b.fail(sheet+" header height", b.f.SetRowHeight(sheet, 1, 30))
	b.fail(sheet+" panes", b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}))
}
