package report

import (
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// RankingHeader is the header row of the Ranking sheet. The columns after
// Practices show the bootstrap's 90% score interval, the rank range, the
// probability of the tier and the rank change since the previous run.
var RankingHeader = []string{"Rank", "Workstream", "Tier", "Score", "Practice priority", "Practices",
	"Score 90% low", "Score 90% high", "Rank range", "Tier probability", "Rank change"}

// writeRanking writes the Ranking sheet: the header in row 1, one row per
// workstream in rank order, a frozen header, an AutoFilter and a bar chart
// of scores below the table (beside it, the chart would halve the table's
// size on a page printed one page wide).
func writeRanking(b *book, in WorkbookInput) {
	for i, h := range RankingHeader {
		b.text(SheetRanking, cell(i+1, 1), h, styleHeader)
	}
	for i, r := range in.Ranking.Rows {
		writeRankingRow(b, i+2, r, in.Ranking.Previous != nil)
	}
	last := len(in.Ranking.Rows) + 1
	b.colWidths(SheetRanking, 7, workstreamWidth(in.Ranking.Rows), 26, 9, 10, 10, 10, 10, 10, 11, 10)
	b.dimension(SheetRanking, cell(len(RankingHeader), last))
	b.freezeHeader(SheetRanking)
	if b.err == nil {
		b.fail("Ranking autofilter", b.f.AutoFilter(SheetRanking, "A1:"+cell(len(RankingHeader), last), nil))
	}
	addScoreChart(b, in.Ranking.Rows, cell(2, last+3))
}

func writeRankingRow(b *book, row int, r survey.RankedWorkstream, hasPrevious bool) {
	b.integer(SheetRanking, cell(1, row), r.Rank, styleIntCentre)
	b.text(SheetRanking, cell(2, row), r.Workstream, styleText)
	b.text(SheetRanking, cell(3, row), string(r.Tier), tierStyle(r.Tier))
	b.number(SheetRanking, cell(4, row), r.Score, styleDecimal)
	b.number(SheetRanking, cell(5, row), r.PracticePriority, styleDecimal)
	b.integer(SheetRanking, cell(6, row), r.Practices, styleInt)
	// A run stored before the bootstrap existed has no rank range; its
	// interval cells stay empty rather than show zeros.
	if r.RankLow > 0 {
		b.number(SheetRanking, cell(7, row), r.CILow, styleDecimal)
		b.number(SheetRanking, cell(8, row), r.CIHigh, styleDecimal)
		b.text(SheetRanking, cell(9, row), rankRange(r), styleTextCentre)
		b.number(SheetRanking, cell(10, row), r.TierProbability, stylePercent)
	}
	switch {
	case r.RankChange != nil:
		b.integer(SheetRanking, cell(11, row), *r.RankChange, styleIntCentre)
	case hasPrevious:
		b.text(SheetRanking, cell(11, row), "new", styleTextCentre)
	}
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
// limits.
func workstreamWidth(rows []survey.RankedWorkstream) float64 {
	w := 24
	for _, r := range rows {
		w = max(w, utf8.RuneCountInString(r.Workstream)+2)
	}
	return float64(min(w, 60))
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

// addScoreChart adds a horizontal bar chart of the workstreams' scores at
// cell at, best at the top. An empty ranking gets no chart. (excelize
// colours single data points of pie charts only, so bars are not coloured
// by tier.)
func addScoreChart(b *book, rows []survey.RankedWorkstream, at string) {
	n := len(rows)
	if b.err != nil || n == 0 {
		return
	}
	ref := func(col string) string { return fmt.Sprintf("%s!$%s$2:$%s$%d", SheetRanking, col, col, n+1) }
	lo, hi := 0.0, 1.0
	axisFont := excelize.Font{Color: "262626", Size: 9}
	b.fail("Ranking chart", b.f.AddChart(SheetRanking, at, &excelize.Chart{
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
