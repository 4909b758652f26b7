package report

import (
	"fmt"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// writeSegments writes the Segments sheet: one row per workstream in rank
// order and one column per segment (federations, then respondent role
// groups) holding the segment's practice priority. A cell backed by too
// few practices shows "too few (n)" instead of a value. A ranking without
// segments gets a one-line note.
func writeSegments(b *book, in WorkbookInput) {
	const sheet = SheetSegments
	segs := in.Ranking.Segments
	if len(segs) == 0 {
		b.text(sheet, "A1", "No segments: the ranking has no practice-level answers by federation or role.", styleText)
		b.colWidths(sheet, 80)
		return
	}
	b.text(sheet, "A1", "Workstream", styleHeader)
	for k, s := range segs {
		b.text(sheet, cell(k+2, 1), segmentTitle(s), styleHeader)
	}
	for i, r := range in.Ranking.Rows {
		row := i + 2
		b.text(sheet, cell(1, row), r.Workstream, styleText)
		for k, s := range segs {
			writeSegmentCell(b, cell(k+2, row), s, r.WorkstreamID)
		}
	}
	last := len(in.Ranking.Rows) + 1
	b.text(sheet, cell(1, last+2), "Practice priority (0–1) within each federation and role group, weighted as in the ranking.", styleNote)
	b.text(sheet, cell(1, last+3), fmt.Sprintf("Cells backed by fewer than %d practices are withheld; the number of practices is shown.",
		analysis.MinSegmentPractices), styleNote)
	widths := []float64{workstreamWidth(in.Ranking.Rows)}
	for range segs {
		widths = append(widths, 17)
	}
	b.colWidths(sheet, widths...)
	b.dimension(sheet, cell(len(segs)+1, last))
	b.freezeHeader(sheet)
}

// segmentTitle heads a segment's column: the federation name, or "Role:"
// and the role group.
func segmentTitle(s survey.Segment) string {
	if s.Kind == survey.SegmentRole {
		return "Role: " + s.Name
	}
	return s.Name
}

// writeSegmentCell writes, at ref, segment s's practice priority of
// workstream id, or "too few (n)" when it is withheld; nothing when s has
// no cell for id.
func writeSegmentCell(b *book, ref string, s survey.Segment, id string) {
	for _, c := range s.Cells {
		if c.WorkstreamID != id {
			continue
		}
		if c.Withheld {
			b.text(SheetSegments, ref, fmt.Sprintf("too few (%d)", c.Practices), styleTextRight)
		} else {
			b.number(SheetSegments, ref, c.PracticePriority, styleDecimal)
		}
		return
	}
}
