package report

import (
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"surveyworker/survey"
)

// RankingHeader is the header row of the Ranking sheet.
var RankingHeader = []string{"Rank", "Workstream", "Tier", "Score", "Practice priority", "Practices"}

// writeRanking writes the Ranking sheet: the header in row 1, one row per
// workstream in rank order, a frozen header, an AutoFilter and a bar chart
// of scores to the right of the table.
func writeRanking(b *book, in WorkbookInput) {
	for i, h := range RankingHeader {
		b.text(SheetRanking, cell(i+1, 1), h, styleHeader)
	}
	for i, r := range in.Ranking.Rows {
		writeRankingRow(b, i+2, r)
	}
	last := len(in.Ranking.Rows) + 1
	b.colWidths(SheetRanking, 7, workstreamWidth(in.Ranking.Rows), 26, 9, 12, 11)
	b.dimension(SheetRanking, cell(len(RankingHeader), last))
	b.freezeHeader(SheetRanking)
	if b.err == nil {
		b.fail("Ranking autofilter", b.f.AutoFilter(SheetRanking, "A1:"+cell(len(RankingHeader), last), nil))
	}
	addScoreChart(b, in.Ranking.Rows)
}

func writeRankingRow(b *book, row int, r survey.RankedWorkstream) {
	b.integer(SheetRanking, cell(1, row), r.Rank, styleInt)
	b.text(SheetRanking, cell(2, row), r.Workstream, styleText)
	b.text(SheetRanking, cell(3, row), string(r.Tier), tierStyle(r.Tier))
	b.number(SheetRanking, cell(4, row), r.Score, styleDecimal)
	b.number(SheetRanking, cell(5, row), r.PracticePriority, styleDecimal)
	b.integer(SheetRanking, cell(6, row), r.Practices, styleInt)
}

// workstreamWidth fits the Workstream column to its longest name, within
// limits.
func workstreamWidth(rows []survey.RankedWorkstream) float64 {
	w := 24
	for _, r := range rows {
		w = max(w, utf8.RuneCountInString(r.Workstream)+2)
	}
	return float64(min(w, 60))
}

// freezeHeader keeps row 1 in view while scrolling.
func (b *book) freezeHeader(sheet string) {
	if b.err != nil {
		return
	}
	b.fail(sheet+" panes", b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}))
}

// addScoreChart adds a horizontal bar chart of the workstreams' scores at
// H2, best at the top. An empty ranking gets no chart. (excelize colours
// single data points of pie charts only, so bars are not coloured by tier.)
func addScoreChart(b *book, rows []survey.RankedWorkstream) {
	n := len(rows)
	if b.err != nil || n == 0 {
		return
	}
	ref := func(col string) string { return fmt.Sprintf("%s!$%s$2:$%s$%d", SheetRanking, col, col, n+1) }
	lo, hi := 0.0, 1.0
	axisFont := excelize.Font{Color: "262626", Size: 9}
	b.fail("Ranking chart", b.f.AddChart(SheetRanking, "H2", &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{Name: SheetRanking + "!$D$1", Categories: ref("B"), Values: ref("D"),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}}}},
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Overall score by workstream"}}},
		Legend: excelize.ChartLegend{Position: "none"},
		XAxis:  excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis: excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true, Font: axisFont,
			NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0"}},
		Dimension: excelize.ChartDimension{Width: 640, Height: uint(120 + 22*n)},
	}))
}
