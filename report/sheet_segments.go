package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// Heat map colours: the lowest practice priority in the table is white,
// the highest a strong blue.
const (
	heatLow  = "FFFFFF"
	heatMid  = "BDD7EE"
	heatHigh = "4F81BD"
)

// writeFederations writes the By federation sheet: the practice priority
// of every workstream within each federation, as a heat map, the view's
// federations first.
func writeFederations(b *book, in WorkbookInput) {
	writeHeatMap(b, in, SheetFederation, survey.SegmentFederation, "Practice priority by federation", "federation")
}

// writeRoles writes the By role sheet: the practice priority of every
// workstream within each respondent role group, as a heat map.
func writeRoles(b *book, in WorkbookInput) {
	writeHeatMap(b, in, SheetRole, survey.SegmentRole, "Practice priority by respondent role", "role group")
}

// writeHeatMap writes the segments of one kind as a heat map: one row per
// workstream in rank order; the practice priority over all practices,
// then one column per segment, with a colour scale over all of them; and
// beside them the number of practices behind each cell. A cell backed by
// fewer than [analysis.MinSegmentPractices] practices is left empty and
// grey, as the legend below explains, so every value cell holds a number
// or nothing.
func writeHeatMap(b *book, in WorkbookInput, sheet, kind, title, noun string) {
	var segs []survey.Segment
	for _, s := range in.Ranking.Segments {
		if s.Kind == kind {
			segs = append(segs, s)
		}
	}
	if kind == survey.SegmentFederation {
		segs = viewFirst(segs, func(s survey.Segment) string { return s.Name }, in.Federations)
	}
	rows := in.Ranking.Rows
	b.text(sheet, "A1", title, styleTitle)
	b.rowHeight(sheet, 1, 24)
	if len(segs) == 0 || len(rows) == 0 {
		b.text(sheet, "A3", fmt.Sprintf("No practice priorities by %s: no answers from practices matched to the registry.", noun), styleLine)
		b.colWidths(sheet, 100)
		return
	}
	n := len(segs)
	countCol := n + 4 // after the workstream, all practices, the segments and a gap
	b.paragraph(sheet, "A2", cell(countCol+n-1, 2), fmt.Sprintf("Each cell is the practice priority of the workstream "+
		"among the practices of one %s: 0 is \"not a priority\", 1 \"very high\", each practice counting once as in the ranking. "+
		"Darker cells are higher. The number of practices behind each cell is on the right.", noun), styleNoteWrap, 120)
	b.text(sheet, "B4", "Practice priority (0–1)", styleSection)
	b.merge(sheet, "B4", cell(n+2, 4))
	b.text(sheet, cell(countCol, 4), "Practices behind each cell", styleSection)
	b.merge(sheet, cell(countCol, 4), cell(countCol+n-1, 4))
	b.text(sheet, "A5", "Workstream", styleHeader)
	b.text(sheet, "B5", "All practices", styleHeader)
	for k, s := range segs {
		b.text(sheet, cell(k+3, 5), s.Name, styleHeader)
		b.text(sheet, cell(countCol+k, 5), s.Name, styleHeader)
	}
	b.rowHeight(sheet, 5, 45)
	for i, r := range rows {
		row := i + 6
		b.text(sheet, cell(1, row), r.Workstream, styleText)
		fitRow(b, sheet, row, r.Workstream, workstreamWidth(rows))
		if r.Practices > 0 {
			b.number(sheet, cell(2, row), r.PracticePriority, styleHeat)
		}
		for k, s := range segs {
			c, ok := segmentCell(s, r.WorkstreamID)
			switch {
			case !ok:
			case c.Withheld:
				b.blank(sheet, cell(k+3, row), styleWithheld)
			default:
				b.number(sheet, cell(k+3, row), c.PracticePriority, styleHeat)
			}
			if ok {
				b.integer(sheet, cell(countCol+k, row), c.Practices, styleCount)
			}
		}
	}
	last := len(rows) + 5
	if b.err == nil {
		b.fail(sheet+" colour scale", b.f.SetConditionalFormat(sheet, fmt.Sprintf("B6:%s", cell(n+2, last)),
			[]excelize.ConditionalFormatOptions{{Type: "3_color_scale", Criteria: "=",
				MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
				MinColor: heatLow, MidColor: heatMid, MaxColor: heatHigh}}))
	}
	b.blank(sheet, cell(1, last+2), styleWithheld)
	b.text(sheet, cell(1, last+2), "Grey, empty", styleWithheld)
	b.text(sheet, cell(2, last+2), fmt.Sprintf("Fewer than %d practices answered: withheld, so that no cell shows the answers of one or two practices.",
		analysis.MinSegmentPractices), styleNote)
	b.text(sheet, cell(1, last+3), "White to blue", styleLine)
	b.text(sheet, cell(2, last+3), "The lowest to the highest practice priority on this sheet.", styleNote)
	row := last + 4
	for _, s := range segs {
		if c := analysis.SegmentCaution(s); c != "" {
			b.text(sheet, cell(1, row), s.Name, styleLine)
			b.text(sheet, cell(2, row), c, styleNote)
			row++
		}
	}
	widths := []float64{workstreamWidth(rows), 11}
	for range segs {
		widths = append(widths, 12)
	}
	widths = append(widths, 2)
	for range segs {
		widths = append(widths, 12)
	}
	b.colWidths(sheet, widths...)
	b.dimension(sheet, cell(countCol+n-1, last+3))
	b.freezePanes(sheet, 5, 1)
}

// segmentCell returns segment s's cell for workstream id.
func segmentCell(s survey.Segment, id string) (survey.SegmentCell, bool) {
	for _, c := range s.Cells {
		if c.WorkstreamID == id {
			return c, true
		}
	}
	return survey.SegmentCell{}, false
}

// freezePanes keeps the first rows rows and cols columns in view while
// scrolling.
func (b *book) freezePanes(sheet string, rows, cols int) {
	if b.err != nil {
		return
	}
	top := cell(cols+1, rows+1)
	b.fail(sheet+" panes", b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: top, ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomRight"}},
	}))
}
