package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// DeliveryHeader is the header of the Dependencies sheet's delivery order.
var DeliveryHeader = []string{"Step", "Workstreams delivered together", "Best tier", "Must be considered with (outside the step)", "Comes after step"}

// DependencyHeader is the header of the Dependencies sheet's table of
// workstreams.
var DependencyHeader = []string{"Step", "Workstream", "Tier", "Must be considered with (it lists)", "Considered by (they list it)"}

// depWidths are the Dependencies sheet's column widths.
var depWidths = []float64{6, 40, 25, 36, 36}

// deliveryMethod says how the delivery order was made, on the sheet.
const deliveryMethod = "How the order was made: each workstream lists, as in the roadmap's \"What else needs to be " +
	"considered\", the workstreams it must be considered with, and those come first. Workstreams that list one " +
	"another, directly or through others, form a cycle that no order can respect; each such cycle is one step, " +
	"delivered together. The steps then follow the lists (a topological order): a step comes only after every step " +
	"it lists, so the work that others depend on comes earliest. When several steps could come next, the one whose " +
	"best workstream ranks best goes first: by tier, then by score."

// writeDependencies writes the Dependencies sheet: the suggested delivery
// order, how it was made, and each workstream with what it must be
// considered with, in both directions.
func writeDependencies(b *book, in WorkbookInput) {
	const sheet = SheetDependencies
	rows := in.Ranking.Rows
	b.text(sheet, "A1", "Dependencies and a suggested delivery order", styleTitle)
	b.rowHeight(sheet, 1, 24)
	b.colWidths(sheet, depWidths...)
	if len(rows) == 0 {
		b.text(sheet, "A3", "No workstream has been ranked yet.", styleLine)
		return
	}
	bundles := analysis.DeliveryOrder(in.Catalogue, rows)
	byID := map[string]survey.RankedWorkstream{}
	for _, r := range rows {
		byID[r.WorkstreamID] = r
	}
	stepOf := map[string]int{}
	for _, bu := range bundles {
		for _, id := range bu.Workstreams {
			stepOf[id] = bu.Step
		}
	}
	b.paragraph(sheet, "A2", "E2", deliveryMethod, styleNoteWrap, 145)
	row := writeDeliveryOrder(b, in.Catalogue, bundles, byID, 4)
	row = writeConsideredWith(b, in.Catalogue, rows, stepOf, row+2)
	b.dimension(sheet, cell(len(DependencyHeader), row))
}

// writeDeliveryOrder writes the delivery order from row and returns its
// last row.
func writeDeliveryOrder(b *book, cat *survey.Catalogue, bundles []analysis.Bundle, byID map[string]survey.RankedWorkstream, row int) int {
	const sheet = SheetDependencies
	b.text(sheet, cell(1, row), "Suggested delivery order", styleSection)
	row++
	for i, h := range DeliveryHeader {
		b.text(sheet, cell(i+1, row), h, styleHeader)
	}
	b.rowHeight(sheet, row, 30)
	for _, bu := range bundles {
		row++
		names := namesOf(bu.Workstreams, byID)
		best := byID[bu.Workstreams[0]].Tier
		b.integer(sheet, cell(1, row), bu.Step, styleIntCentre)
		b.text(sheet, cell(2, row), strings.Join(names, "\n"), styleText)
		b.text(sheet, cell(3, row), string(best), tierStyle(best))
		outside := outsideNeeds(cat, bu.Workstreams, byID)
		b.text(sheet, cell(4, row), orNone(outside), styleText)
		b.text(sheet, cell(5, row), joinInts(bu.After), styleTextCentre)
		lines := 0
		for _, n := range names {
			lines += textLines(n, depWidths[1])
		}
		lines = max(lines, textLines(strings.Join(outside, "; "), depWidths[3]))
		if lines > 1 {
			b.rowHeight(sheet, row, linesHeight(lines))
		}
	}
	return row
}

// writeConsideredWith writes, from row, each workstream with what it lists
// and what lists it, and returns the last row.
func writeConsideredWith(b *book, cat *survey.Catalogue, rows []survey.RankedWorkstream, stepOf map[string]int, row int) int {
	const sheet = SheetDependencies
	b.text(sheet, cell(1, row), "What each workstream must be considered with", styleSection)
	row++
	for i, h := range DependencyHeader {
		b.text(sheet, cell(i+1, row), h, styleHeader)
	}
	b.rowHeight(sheet, row, 30)
	byID := map[string]survey.RankedWorkstream{}
	for _, r := range rows {
		byID[r.WorkstreamID] = r
	}
	by := analysis.ConsideredBy(cat)
	for _, r := range rows {
		row++
		var lists []string
		if w, ok := cat.ByID(r.WorkstreamID); ok {
			lists = namesOf(w.ConsideredWith, byID)
		}
		listedBy := namesOf(by[r.WorkstreamID], byID)
		b.integer(sheet, cell(1, row), stepOf[r.WorkstreamID], styleIntCentre)
		b.text(sheet, cell(2, row), r.Workstream, styleText)
		b.text(sheet, cell(3, row), string(r.Tier), tierStyle(r.Tier))
		b.text(sheet, cell(4, row), orNone(lists), styleText)
		b.text(sheet, cell(5, row), orNone(listedBy), styleText)
		lines := max(textLines(r.Workstream, depWidths[1]), textLines(strings.Join(lists, "; "), depWidths[3]), textLines(strings.Join(listedBy, "; "), depWidths[4]))
		if lines > 1 {
			b.rowHeight(sheet, row, linesHeight(lines))
		}
	}
	return row
}

// outsideNeeds names the workstreams that members list outside their own
// step.
func outsideNeeds(cat *survey.Catalogue, members []string, byID map[string]survey.RankedWorkstream) []string {
	var ids []string
	for _, id := range members {
		w, ok := cat.ByID(id)
		if !ok {
			continue
		}
		for _, o := range w.ConsideredWith {
			if !slices.Contains(members, o) && !slices.Contains(ids, o) {
				ids = append(ids, o)
			}
		}
	}
	return namesOf(ids, byID)
}

// namesOf returns the display names of ids, skipping unranked ones.
func namesOf(ids []string, byID map[string]survey.RankedWorkstream) []string {
	var out []string
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r.Workstream)
		}
	}
	return out
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, "; ")
}

func joinInts(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, fmt.Sprint(n))
	}
	if len(s) == 0 {
		return "–"
	}
	return strings.Join(s, ", ")
}
