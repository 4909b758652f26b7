package report

import (
	"fmt"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/words"

	"github.com/surveyworker/surveyworker/survey"
)

// TiersHeader is the header of each tier's block on the Tiers sheet.
var TiersHeader = []string{"Rank", "Workstream", "Score", "90% interval", "Tier probability",
	"Practice priority", "In the published roadmap", "Since the last report"}

// writeTiers writes the Tiers sheet, the roadmap view: one block per tier,
// best first, headed by a band in the tier's colour with its rule, its
// number of workstreams and its score range, then the tier's workstreams
// with their scores, intervals and the probability that they stay in the
// tier.
func writeTiers(b *book, in WorkbookInput) {
	const sheet = SheetTiers
	rows := in.Ranking.Rows
	b.text(sheet, "A1", "The roadmap by tier", styleTitle)
	b.rowHeight(sheet, 1, 24)
	note := "As in the roadmap document, each tier lists its workstreams, best first."
	switch p := in.Ranking.Params; {
	case p.Intervals != "":
		note += " The tier probability is the probability that the workstream's true tier is the one shown (see the Method sheet): " +
			"near 100% the tier is settled, near 50% it could go either way."
	case p.Resamples > 0:
		note += fmt.Sprintf(" The tier probability is how often the workstream stays in its tier when the practices that answered are "+
			"redrawn %d times (the bootstrap on the Method sheet): near 100%% the tier is settled, near 50%% it could go either way.", p.Resamples)
	}
	if c := analysis.IntervalCaution(in.Ranking); c != "" {
		note += " " + c
	}
	b.paragraph(sheet, "A2", "H2", note, styleNoteWrap, 140)
	row := 4
	for _, t := range tierOrder(rows) {
		row = writeTierBlock(b, in, t, row) + 2
	}
	if len(rows) == 0 {
		b.text(sheet, "A4", "No workstream has been ranked yet.", styleLine)
	}
	b.colWidths(sheet, 6, workstreamWidth(rows), 8, 12, 11, 10, 25, 16)
	b.dimension(sheet, cell(len(TiersHeader), max(row-2, 4)))
}

// writeTierBlock writes tier t's block from row and returns its last row.
func writeTierBlock(b *book, in WorkbookInput, t survey.Tier, row int) int {
	const sheet = SheetTiers
	var members []survey.RankedWorkstream
	for _, w := range in.Ranking.Rows {
		if w.Tier == t {
			members = append(members, w)
		}
	}
	lo, hi := members[0].Score, members[0].Score
	for _, w := range members {
		lo, hi = min(lo, w.Score), max(hi, w.Score)
	}
	band := fmt.Sprintf("%s   ·   %s   ·   %s", t, words.Count(len(members), "workstream", ""), scoreRange(lo, hi))
	if rule := tierRule(in, t); rule != "" {
		band += "   ·   " + rule
	}
	b.text(sheet, cell(1, row), band, tierBandStyle(t))
	for c := 2; c <= len(TiersHeader); c++ {
		b.blank(sheet, cell(c, row), tierBandStyle(t))
	}
	b.merge(sheet, cell(1, row), cell(len(TiersHeader), row))
	b.rowHeight(sheet, row, 24)
	row++
	for i, h := range TiersHeader {
		b.text(sheet, cell(i+1, row), h, styleHeader)
	}
	b.rowHeight(sheet, row, 30)
	docTiers := in.Catalogue
	for _, w := range members {
		row++
		b.integer(sheet, cell(1, row), w.Rank, styleIntCentre)
		b.text(sheet, cell(2, row), w.Workstream, styleText)
		b.number(sheet, cell(3, row), w.Score, styleDecimal)
		if w.RankLow > 0 {
			b.text(sheet, cell(4, row), fmt.Sprintf("%.2f–%.2f", w.CILow, w.CIHigh), styleTextCentre)
			b.number(sheet, cell(5, row), w.TierProbability, stylePercent)
		}
		b.number(sheet, cell(6, row), w.PracticePriority, styleDecimal)
		if ws, ok := docTiers.ByID(w.WorkstreamID); ok && ws.DocTier != "" {
			b.text(sheet, cell(7, row), string(ws.DocTier), styleLine)
		}
		b.text(sheet, cell(8, row), sinceLast(w, in.Ranking.Previous != nil), styleTextCentre)
		fitRow(b, sheet, row, w.Workstream, workstreamWidth(in.Ranking.Rows))
	}
	return row
}

// scoreRange describes a tier's scores: "score 0.62" or "scores 0.48 to
// 0.63".
func scoreRange(lo, hi float64) string {
	if fmt.Sprintf("%.2f", lo) == fmt.Sprintf("%.2f", hi) {
		return fmt.Sprintf("score %.2f", hi)
	}
	return fmt.Sprintf("scores %.2f to %.2f", lo, hi)
}

// tierRule states the rule of tier t under the report's thresholds.
func tierRule(in WorkbookInput, t survey.Tier) string {
	th := in.Rank.Thresholds
	switch t {
	case survey.TierVeryHigh:
		return fmt.Sprintf("score %.2f or more", th.VeryHigh)
	case survey.TierMandated:
		return "centrally mandated"
	case survey.TierHigh:
		return fmt.Sprintf("score %.2f to %.2f", th.High, th.VeryHigh)
	case survey.TierMedium:
		return fmt.Sprintf("score below %.2f", th.High)
	}
	return ""
}

// sinceLast describes a workstream's move since the previous run.
func sinceLast(w survey.RankedWorkstream, hasPrevious bool) string {
	switch {
	case !hasPrevious:
		return ""
	case w.RankChange == nil:
		return "new"
	case w.PreviousTier != "" && w.PreviousTier != w.Tier:
		return "from " + string(w.PreviousTier)
	case *w.RankChange > 0:
		return fmt.Sprintf("up %d", *w.RankChange)
	case *w.RankChange < 0:
		return fmt.Sprintf("down %d", -*w.RankChange)
	}
	return "no change"
}

// fitRow makes row tall enough for text wrapped in a column of width
// characters.
func fitRow(b *book, sheet string, row int, text string, width float64) {
	if n := textLines(text, width); n > 1 {
		b.rowHeight(sheet, row, linesHeight(n))
	}
}
