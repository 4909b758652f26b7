package report

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// Chart sizes in pixels: as wide as the printed columns of the Ranking
// sheet, and short enough for one landscape page.
const (
	chartWidth     = 1000
	chartMaxHeight = 600
)

// chartHeight fits n bars, within a page.
func chartHeight(n int) uint {
	return uint(min(140+24*n, chartMaxHeight))
}

var (
	chartFont  = excelize.Font{Color: "262626", Size: 9}
	titleFont  = excelize.Font{Color: "262626", Size: 12, Bold: true}
	chartFalse = false
)

// addScoreChart adds at cell at a horizontal bar chart of the scores,
// best at the top, each bar in its tier's colour and, when the ranking
// has intervals (below and above name the columns of their widths), with
// the 90% interval as error bars.
//
// excelize's chart options have neither error bars nor colours for single
// bars of a bar chart, so both are added to the chart's XML, as the
// standard elements c:errBars (custom plus and minus values read from the
// cells) and c:dPt.
func addScoreChart(b *book, rows []survey.RankedWorkstream, intervals [2]string, at string) {
	n := len(rows)
	if b.err != nil || n == 0 {
		return
	}
	ref := func(col string) string { return fmt.Sprintf("%s!$%s$2:$%s$%d", SheetRanking, col, col, n+1) }
	lo, hi := 0.0, 1.0
	title := "Score by workstream, coloured by tier"
	if intervals[0] != "" {
		title = "Score by workstream, coloured by tier, with its 90% interval"
	}
	part := b.addChart(SheetRanking, at, &excelize.Chart{
		Type:       excelize.Bar,
		VaryColors: &chartFalse,
		Series: []excelize.ChartSeries{{Name: SheetRanking + "!$D$1", Categories: ref("B"), Values: ref("D"),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colourBar}}}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &titleFont}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: chartFont},
		YAxis:     excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true, Font: chartFont, MajorUnit: 0.1, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0"}},
		Format:    excelize.GraphicOptions{OffsetX: 4, OffsetY: 4, PrintObject: &chartTrue},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight(n)},
	})
	var points strings.Builder
	for i, r := range rows {
		if c, ok := tierColours[r.Tier]; ok {
			fmt.Fprintf(&points, `<dPt><idx val="%d"/><invertIfNegative val="0"/><bubble3D val="0"/>`+
				`<spPr><a:solidFill><a:srgbClr val="%s"/></a:solidFill></spPr></dPt>`, i, c[0])
		}
	}
	var errBars string
	if intervals[0] != "" {
		errBars = `<errBars><errBarType val="both"/><errValType val="cust"/><noEndCap val="0"/>` +
			`<plus><numRef><f>` + intervals[1] + `</f></numRef></plus>` +
			`<minus><numRef><f>` + intervals[0] + `</f></numRef></minus>` +
			`<spPr><a:ln w="15875"><a:solidFill><a:srgbClr val="262626"/></a:solidFill></a:ln></spPr></errBars>`
	}
	b.decorateSeries(part, points.String(), errBars)
}

var chartTrue = true

// addContributionChart adds at cell at a stacked bar chart of each
// criterion's part of every workstream's score, read from the Ranking
// sheet's contribution columns (from column L), best at the top.
func addContributionChart(b *book, rows []survey.RankedWorkstream, parts []contributionColumn, at string) {
	n := len(rows)
	if b.err != nil || n == 0 || len(parts) == 0 {
		return
	}
	var series []excelize.ChartSeries
	for i, p := range parts {
		col := colName(12 + i)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", SheetRanking, col),
			Categories: fmt.Sprintf("%s!$B$2:$B$%d", SheetRanking, n+1),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", SheetRanking, col, col, n+1),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{p.colour}},
		})
	}
	lo, hi := 0.0, 1.0
	overlap, gap := 100, uint(60)
	b.addChart(SheetRanking, at, &excelize.Chart{
		Type:       excelize.BarStacked,
		VaryColors: &chartFalse,
		Series:     series,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{
			Text: "Why each workstream scores as it does: the part of the score from each criterion", Font: &titleFont}}},
		Legend:    excelize.ChartLegend{Position: "bottom", Font: &chartFont},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: chartFont},
		YAxis:     excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true, Font: chartFont, MajorUnit: 0.1, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0"}},
		Overlap:   &overlap,
		GapWidth:  &gap,
		Format:    excelize.GraphicOptions{OffsetX: 4, OffsetY: 4, PrintObject: &chartTrue},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight(n)},
	})
}

// addChart adds chart to sheet at cell at and returns the name of the
// package part that holds its XML.
func (b *book) addChart(sheet, at string, chart *excelize.Chart) string {
	if b.err != nil {
		return ""
	}
	before := b.chartParts()
	b.fail(sheet+" chart", b.f.AddChart(sheet, at, chart))
	for part := range b.chartParts() {
		if !before[part] {
			return part
		}
	}
	return ""
}

// chartParts returns the names of the chart parts of the workbook.
func (b *book) chartParts() map[string]bool {
	out := map[string]bool{}
	b.f.Pkg.Range(func(k, _ any) bool {
		if name, ok := k.(string); ok && strings.HasPrefix(name, "xl/charts/chart") {
			out[name] = true
		}
		return true
	})
	return out
}

// decorateSeries inserts into the first series of the chart in part the
// data points points (c:dPt elements) and the error bars errBars, in the
// places the chart schema gives them: data points before the series' data
// labels, error bars before its categories.
func (b *book) decorateSeries(part, points, errBars string) {
	if b.err != nil || part == "" || points+errBars == "" {
		return
	}
	v, ok := b.f.Pkg.Load(part)
	raw, isBytes := v.([]byte)
	if !ok || !isBytes {
		b.fail("chart "+part, fmt.Errorf("chart part not found"))
		return
	}
	xml := string(raw)
	start := strings.Index(xml, "<ser>")
	end := strings.Index(xml, "</ser>")
	labels := indexAfter(xml, "<dLbls>", start)
	cat := indexAfter(xml, "<cat>", start)
	if start < 0 || labels < 0 || cat < 0 || labels > end || cat > end {
		b.fail("chart "+part, fmt.Errorf("unexpected series XML"))
		return
	}
	xml = xml[:labels] + points + xml[labels:cat] + errBars + xml[cat:]
	b.f.Pkg.Store(part, []byte(xml))
}

// indexAfter returns the index of the first s in text at or after from,
// or -1.
func indexAfter(text, s string, from int) int {
	if from < 0 {
		return -1
	}
	i := strings.Index(text[from:], s)
	if i < 0 {
		return -1
	}
	return from + i
}
