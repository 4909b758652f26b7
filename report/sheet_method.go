package report

import (
	"fmt"

	"github.com/surveyworker/surveyworker/analysis"

	"github.com/surveyworker/surveyworker/survey"
)

// CriteriaHeader is the header of the Method sheet's table of each
// workstream's workshop criteria.
var CriteriaHeader = []string{"Workstream", "Centrally mandated", "GP Forward View", "Impact (1–5)", "Dependents",
	"Must be considered with", "Published roadmap tier"}

// methodWidths are the Method sheet's column widths.
var methodWidths = []float64{44, 11, 11, 11, 11, 38, 24}

// answerScale is the five-level answer scale and its scores.
var answerScale = []struct {
	answer string
	score  string
}{
	{"Very high priority", "1"}, {"High priority", "0.75"}, {"Medium priority", "0.5"},
	{"Low priority", "0.25"}, {"Not a priority", "0"},
	{"Don't know, Not applicable, blank", "left out: never counted as 0 or as the middle"},
}

// writeMethod writes the Method sheet: the criteria and their weights, the
// answer scale, the tier rules, the bootstrap, how far each weight may move
// before a workstream changes tier, the workshop criteria of every
// workstream and the version that made the workbook.
func writeMethod(b *book, in WorkbookInput) {
	const sheet = SheetMethod
	m := &methodSheet{b: b, row: 1}
	b.text(sheet, "A1", "How the ranking was made", styleTitle)
	b.rowHeight(sheet, 1, 24)
	b.paragraph(sheet, "A2", "G2", "Each workstream's score is a weighted sum of five criteria, each scored from 0 to 1; "+
		"fixed score thresholds then give the tiers. docs/METHOD.md in surveyworker describes every step with a worked example. "+
		advisoryNote, styleNoteWrap, 150)
	m.row = 3
	m.weights(in)
	m.scale()
	m.tiers(in)
	m.uncertainty(in)
	m.margins(in)
	m.criteria(in)
	m.about(in)
	b.colWidths(sheet, methodWidths...)
	b.dimension(sheet, cell(len(methodWidths), m.row))
}

// methodSheet writes the Method sheet's sections one after another.
type methodSheet struct {
	b   *book
	row int // the last row written
}

func (m *methodSheet) section(title string) {
	m.row += 2
	m.b.text(SheetMethod, cell(1, m.row), title, styleSection)
}

func (m *methodSheet) header(h ...string) {
	m.row++
	for i, s := range h {
		m.b.text(SheetMethod, cell(i+1, m.row), s, styleHeader)
	}
	m.b.rowHeight(SheetMethod, m.row, 30)
}

// line writes label in A and text across B to G.
func (m *methodSheet) line(label, text string) {
	m.row++
	m.b.text(SheetMethod, cell(1, m.row), label, styleLabel)
	m.b.text(SheetMethod, cell(2, m.row), text, styleText)
	m.b.merge(SheetMethod, cell(2, m.row), cell(7, m.row))
	if n := textLines(text, methodTextWidth()); n > 1 {
		m.b.rowHeight(SheetMethod, m.row, linesHeight(n))
	}
}

func (m *methodSheet) weights(in WorkbookInput) {
	m.section("The five criteria and their weights")
	m.header("Criterion", "Weight", "How it is scored from 0 to 1")
	m.b.merge(SheetMethod, cell(3, m.row), cell(7, m.row))
	survey := "The practice priority: each practice's mean answer, then the mean over practices, each practice counting once"
	if in.Ranking.Params.WeightByListSize {
		survey = "The practice priority: each practice's mean answer, then the mean over practices weighted by registered list size"
	}
	how := []string{
		survey,
		"The workshop's impact (return on investment) score from 1 to 5, as (impact − 1) / 4",
		"1 when the work is needed to enable GP Forward View schemes, else 0",
		fmt.Sprintf("How many other workstreams must be considered with it, up to %d: min(dependents, %d) / %d",
			in.Rank.DependencyCap, in.Rank.DependencyCap, in.Rank.DependencyCap),
		"1 when NHS England centrally mandates the work, else 0; mandated work also has its own tier (below)",
	}
	w := weightValues(in.Ranking.Weights)
	for i, c := range criterionNames {
		m.row++
		m.b.text(SheetMethod, cell(1, m.row), c.name, styleLine)
		m.b.number(SheetMethod, cell(2, m.row), w[i], styleHeat)
		m.b.text(SheetMethod, cell(3, m.row), how[i], styleText)
		m.b.merge(SheetMethod, cell(3, m.row), cell(7, m.row))
	}
	m.row++
	m.b.text(SheetMethod, cell(1, m.row), "Score = the sum of weight × value over the five criteria; the weights add up to 1.", styleNote)
}

func (m *methodSheet) scale() {
	m.section("Answer scale")
	m.header("Answer", "Score")
	for _, a := range answerScale {
		m.row++
		m.b.text(SheetMethod, cell(1, m.row), a.answer, styleLine)
		m.b.text(SheetMethod, cell(2, m.row), a.score, styleLine)
	}
	m.row++
	m.b.text(SheetMethod, cell(1, m.row), "Other scales (1–5, 0–10, rankings, \"pick your top five\") are mapped to 0–1 as docs/METHOD.md describes.", styleNote)
}

func (m *methodSheet) tiers(in WorkbookInput) {
	m.section("Tiers")
	for i, r := range in.TierRules {
		label := ""
		if i == 0 {
			label = "Tier rules"
		}
		m.line(label, r)
	}
	m.line("Ties", "A score within 0.000000001 below a threshold counts as reaching it. Workstreams in the same tier "+
		"whose scores are equal to two decimals share a rank (1, 2, 2, 4).")
	m.line("Order", "By tier, then by score, then by name.")
}

func (m *methodSheet) uncertainty(in WorkbookInput) {
	m.section("Uncertainty")
	p := in.Ranking.Params
	if c := analysis.IntervalCaution(in.Ranking); c != "" {
		m.line("Too few practices", c)
	}
	if p.Intervals == "" {
		// A run stored before the intervals below existed.
		if p.Resamples == 0 {
			m.line("Uncertainty", "Not computed for this ranking run.")
			return
		}
		m.line("Bootstrap", fmt.Sprintf("The practices that answered were redrawn %d times, with replacement, within each federation "+
			"(seed %d, so the figures repeat exactly).", p.Resamples, p.Seed))
		m.line("90% interval", "The 5th to the 95th percentile of the redrawn scores.")
		m.line("Rank range", "The 5th to the 95th percentile of the redrawn ranks.")
		m.line("Tier probability", "The share of redraws that gave the workstream the tier it has.")
		return
	}
	m.line("90% interval", "The range that holds the score the workstream would get if every practice of the area answered, "+
		"9 times in 10: from the spread of the practices' answers and how many answered (a t interval on the logit scale, "+
		"docs/METHOD.md §9). It was checked on simulated surveys of 10 to 150 practices.")
	m.line("Tier probability", "The probability that the workstream's true tier is the one reported, from the same interval: "+
		"among workstreams reported at 80%, about 8 in 10 are in their true tier.")
	if p.Resamples > 0 {
		m.line("Rank range", fmt.Sprintf("The 5th to the 95th percentile of the rank when the practices that answered are "+
			"redrawn %d times, with replacement (seed %d, so the figures repeat exactly).", p.Resamples, p.Seed))
	}
}

func (m *methodSheet) margins(in WorkbookInput) {
	m.section("How far each weight can move before a workstream changes tier")
	if len(in.Ranking.Sensitivity) == 0 {
		m.line("", "Not computed for this ranking run.")
		return
	}
	for _, wm := range in.Ranking.Sensitivity {
		name := capitalise(criterionName(wm.Criterion, true))
		m.line(name+" up", marginSentence(wm.Criterion, wm.Weight, wm.Up, true))
		m.line(name+" down", marginSentence(wm.Criterion, wm.Weight, wm.Down, false))
	}
	m.row++
	m.b.text(SheetMethod, cell(1, m.row), "When one weight moves, the others are rescaled in proportion so that the weights still add up to 1.", styleNote)
}

func (m *methodSheet) criteria(in WorkbookInput) {
	m.section("The workshop's criteria for each workstream")
	m.header(CriteriaHeader...)
	yes := map[bool]string{true: "yes", false: "no"}
	byID := map[string]survey.RankedWorkstream{}
	for _, r := range in.Ranking.Rows {
		byID[r.WorkstreamID] = r
	}
	for _, r := range in.Ranking.Rows {
		m.row++
		m.b.text(SheetMethod, cell(1, m.row), r.Workstream, styleText)
		m.b.text(SheetMethod, cell(2, m.row), yes[r.Mandated], styleTextCentre)
		m.b.text(SheetMethod, cell(3, m.row), yes[r.GPFV], styleTextCentre)
		if r.Impact > 0 {
			m.b.integer(SheetMethod, cell(4, m.row), r.Impact, styleIntCentre)
		}
		m.b.integer(SheetMethod, cell(5, m.row), r.Dependents, styleIntCentre)
		var lists []string
		var doc survey.Tier
		if w, ok := in.Catalogue.ByID(r.WorkstreamID); ok {
			lists, doc = namesOf(w.ConsideredWith, byID), w.DocTier
		}
		m.b.text(SheetMethod, cell(6, m.row), orNone(lists), styleText)
		m.b.text(SheetMethod, cell(7, m.row), string(doc), styleLine)
		lines := 0
		for _, n := range []int{textLines(r.Workstream, methodWidths[0]), textLines(orNone(lists), methodWidths[5])} {
			lines = max(lines, n)
		}
		if lines > 1 {
			m.b.rowHeight(SheetMethod, m.row, linesHeight(lines))
		}
	}
	m.row++
	m.b.text(SheetMethod, cell(1, m.row), fmt.Sprintf("Workshop criteria from: %s.", orCatalogue(in.Ranking.Params.Criteria)), styleNote)
}

// methodTextWidth is the width of the Method sheet's columns B to G,
// across which its text lines are merged.
func methodTextWidth() float64 {
	return sum(methodWidths[1:])
}

func orCatalogue(s string) string {
	if s == "" || s == "catalogue" {
		return "the built-in catalogue of the published roadmap (survey/catalogue.yaml)"
	}
	return s
}

func (m *methodSheet) about(in WorkbookInput) {
	r := in.Ranking
	m.section("About this workbook")
	m.line("Method", r.Method)
	if r.RunID > 0 {
		m.line("Ranking run", fmt.Sprint(r.RunID))
	}
	if !r.CreatedAt.IsZero() {
		m.line("Ranking computed", r.CreatedAt.In(in.Location).Format(displayTime))
	}
	m.line("Generated", in.GeneratedAt.In(in.Location).Format(displayTime))
	m.line("surveyworker version", in.Version)
}
