package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// summaryParagraph is the Summary sheet's paragraph, in plain English for
// a board paper: what was surveyed and who answered, the top tier in a
// sentence each, what moved since the last report and why, and the data
// quality headline.
func summaryParagraph(in WorkbookInput) string {
	parts := []string{surveyedSentence(in), tierCountSentence(in.Ranking)}
	parts = append(parts, topTierSentences(in.Ranking)...)
	parts = append(parts, analysis.IntervalCaution(in.Ranking), movedSentence(in), qualitySentence(in.Quality))
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// surveyedSentence says what was surveyed, when, and how many practices of
// the registry answered, per federation.
func surveyedSentence(in WorkbookInput) string {
	r := in.Ranking
	registry := 0
	for _, c := range in.Coverage {
		registry += c.Practices
	}
	who := fmt.Sprintf("%s from %s", words.Count(r.Respondents, "member of staff", "staff"), words.Count(r.Practices, "GP practice", ""))
	switch {
	case registry > 0 && r.Practices == registry:
		who = fmt.Sprintf("%s from all %d GP practices in the registry", words.Count(r.Respondents, "member of staff", "staff"), registry)
	case registry > 0:
		who = fmt.Sprintf("%s from %d of the %d GP practices in the registry", words.Count(r.Respondents, "member of staff", "staff"), r.Practices, registry)
	}
	s := fmt.Sprintf("%s answered the survey on the priority of %s", who, words.Count(len(r.Rows), "primary care IT workstream", ""))
	switch p := period(in.FirstResponse, in.LastResponse, in.Location); {
	case p == "":
		s = capitalise(s)
	case strings.Contains(p, " to "):
		s = "Between " + strings.Replace(p, " to ", " and ", 1) + ", " + s
	default:
		s = "On " + p + ", " + s
	}
	if fed := federationCoverage(in.Coverage); fed != "" {
		s += " (" + fed + ")"
	}
	return s + "."
}

// federationCoverage lists each federation's responding practices, "North
// 5 of 6 practices, City 4 of 5", for up to eight federations.
func federationCoverage(cov []store.FederationCoverage) string {
	if len(cov) < 2 || len(cov) > 8 {
		return ""
	}
	var items []string
	for i, c := range cov {
		name := c.Federation
		if name == "" {
			name = "no federation"
		}
		item := fmt.Sprintf("%s %d of %d", name, c.Responding, c.Practices)
		if i == 0 {
			item += " practices"
		}
		items = append(items, item)
	}
	return strings.Join(items, ", ")
}

// tierCountSentence says how many workstreams each tier holds.
func tierCountSentence(r survey.Ranking) string {
	if len(r.Rows) == 0 {
		return "No workstream has been ranked yet."
	}
	var items []string
	for i, t := range tierOrder(r.Rows) {
		n := spelled(countTier(r.Rows, t))
		if i == 0 {
			n = spelledCount(countTier(r.Rows, t), "workstream", "")
		}
		items = append(items, fmt.Sprintf("%s in %s", n, t))
	}
	return "With the roadmap workshop's criteria (central mandate, GP Forward View, impact and dependencies), " +
		"the survey places " + andList(items) + "."
}

func countTier(rows []survey.RankedWorkstream, t survey.Tier) int {
	n := 0
	for _, w := range rows {
		if w.Tier == t {
			n++
		}
	}
	return n
}

// tierOrder returns the tiers rows use, best first: the known tiers in
// their order, then unknown ones in order of appearance.
func tierOrder(rows []survey.RankedWorkstream) []survey.Tier {
	var out []survey.Tier
	for _, t := range survey.Tiers {
		if countTier(rows, t) > 0 {
			out = append(out, t)
		}
	}
	for _, w := range rows {
		if !w.Tier.Valid() && !slices.Contains(out, w.Tier) {
			out = append(out, w.Tier)
		}
	}
	return out
}

// topTierSentences describe each workstream of the best tier in one
// sentence: its score and what earns it.
func topTierSentences(r survey.Ranking) []string {
	if len(r.Rows) == 0 {
		return nil
	}
	top := r.Rows[0].Tier
	var out []string
	for _, w := range r.Rows {
		if w.Tier == top {
			out = append(out, workstreamSentence(w))
		}
	}
	return out
}

// workstreamSentence says why w scores as it does: "Cyber Security scores
// 0.95: practices rate it 0.88 of 1, it enables GP Forward View schemes,
// its impact is 5 of 5 and eleven other workstreams depend on it."
func workstreamSentence(w survey.RankedWorkstream) string {
	var clauses []string
	if w.Practices > 0 {
		clauses = append(clauses, fmt.Sprintf("practices rate it %.2f of 1", w.PracticePriority))
	} else {
		clauses = append(clauses, "no practice has rated it yet")
	}
	if w.Mandated {
		clauses = append(clauses, "it is centrally mandated")
	}
	if w.GPFV {
		clauses = append(clauses, "it enables GP Forward View schemes")
	}
	if w.Impact > 0 {
		clauses = append(clauses, fmt.Sprintf("its impact is %d of 5", w.Impact))
	}
	switch {
	case w.Dependents == 1:
		clauses = append(clauses, "one other workstream depends on it")
	case w.Dependents > 1:
		clauses = append(clauses, fmt.Sprintf("%s other workstreams depend on it", spelled(w.Dependents)))
	}
	return fmt.Sprintf("%s scores %.2f: %s.", w.Workstream, w.Score, andList(clauses))
}

// movedSentence says what moved since the previous run and why.
func movedSentence(in WorkbookInput) string {
	r := in.Ranking
	if r.Previous == nil {
		return "This is the first report, so there is no earlier ranking to compare with."
	}
	s := fmt.Sprintf("Since the last report (run %d, %s)", r.Previous.RunID, r.Previous.CreatedAt.In(in.Location).Format(proseDate))
	switch {
	case r.NewResponses > 0:
		s += fmt.Sprintf(", %s arrived", spelledCount(r.NewResponses, "new response", ""))
	case r.NewResponses < 0:
		s += fmt.Sprintf(", %s are counted (files were removed)", spelledCount(-r.NewResponses, "fewer response", "fewer responses"))
	default:
		s += ", no new responses arrived"
	}
	s += "; " + movesClause(r.Rows)
	if why := changedCriteria(in); why != "" {
		s += ". " + capitalise(why)
	} else if r.NewResponses != 0 {
		s += ". The weights and workshop criteria are unchanged, so every move comes from the answers"
	}
	return s + "."
}

// movesClause lists the tier changes, or the largest rank move when no
// workstream changed tier.
func movesClause(rows []survey.RankedWorkstream) string {
	var tiers []string
	var biggest *survey.RankedWorkstream
	for i, w := range rows {
		if w.PreviousTier != "" && w.PreviousTier != w.Tier {
			verb := "moved"
			if w.TierChange > 0 {
				verb = "rose"
			} else if w.TierChange < 0 {
				verb = "fell"
			}
			tiers = append(tiers, fmt.Sprintf("%s %s from %s to %s", w.Workstream, verb, w.PreviousTier, w.Tier))
		}
		if w.RankChange != nil && *w.RankChange != 0 && (biggest == nil || abs(*w.RankChange) > abs(*biggest.RankChange)) {
			biggest = &rows[i]
		}
	}
	switch {
	case len(tiers) > 4:
		return andList(append(tiers[:4:4], fmt.Sprintf("%d more changed tier", len(tiers)-4)))
	case len(tiers) > 0:
		return andList(tiers)
	case biggest == nil:
		return "no workstream changed place"
	}
	dir := "up"
	if *biggest.RankChange < 0 {
		dir = "down"
	}
	return fmt.Sprintf("no workstream changed tier; the largest move was %s, %s %s", biggest.Workstream, dir,
		words.Count(abs(*biggest.RankChange), "place", ""))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// changedCriteria says how the weights and workshop criteria differ from
// the previous run's, empty when they do not (or it is unknown).
func changedCriteria(in WorkbookInput) string {
	prev := in.Previous
	if prev == nil {
		return ""
	}
	var parts []string
	var weights []string
	now, then := weightValues(in.Ranking.Weights), weightValues(prev.Weights)
	for i, c := range criterionNames {
		if math.Abs(now[i]-then[i]) > 1e-9 {
			weights = append(weights, fmt.Sprintf("%s %.2f → %.2f", c.short, then[i], now[i]))
		}
	}
	if len(weights) > 0 {
		parts = append(parts, "the weights changed ("+strings.Join(weights, ", ")+")")
	}
	before := map[string]survey.RankedWorkstream{}
	for _, w := range prev.Rows {
		before[w.WorkstreamID] = w
	}
	var criteria []string
	for _, w := range in.Ranking.Rows {
		p, ok := before[w.WorkstreamID]
		if !ok || p.Impact == 0 { // not ranked then, or stored without criteria
			continue
		}
		if d := criteriaDiff(p, w); d != "" {
			criteria = append(criteria, fmt.Sprintf("%s (%s)", w.Workstream, d))
		}
	}
	if len(criteria) > 0 {
		parts = append(parts, "the workshop criteria changed for "+andList(criteria))
	}
	return andList(parts)
}

// criteriaDiff describes how a workstream's workshop criteria changed.
func criteriaDiff(then, now survey.RankedWorkstream) string {
	var d []string
	yesNo := map[bool]string{true: "yes", false: "no"}
	if then.Impact != now.Impact {
		d = append(d, fmt.Sprintf("impact %d → %d", then.Impact, now.Impact))
	}
	if then.Mandated != now.Mandated {
		d = append(d, "mandated "+yesNo[then.Mandated]+" → "+yesNo[now.Mandated])
	}
	if then.GPFV != now.GPFV {
		d = append(d, "GP Forward View "+yesNo[then.GPFV]+" → "+yesNo[now.GPFV])
	}
	if then.Dependents != now.Dependents {
		d = append(d, fmt.Sprintf("dependents %d → %d", then.Dependents, now.Dependents))
	}
	return strings.Join(d, ", ")
}

// practiceProblemCodes are the warnings of an answer that did not match
// exactly one practice.
var practiceProblemCodes = []string{"practice_unmatched", "practice_ambiguous"}

// qualitySentence is the data-quality headline.
func qualitySentence(q DataQuality) string {
	unmatched, other := 0, 0
	for _, f := range q.Files {
		for code, n := range f.Warnings {
			if slices.Contains(practiceProblemCodes, code) {
				unmatched += n
			} else {
				other += n
			}
		}
	}
	var items []string
	if len(q.Rejected) > 0 {
		items = append(items, spelledCount(len(q.Rejected), "file", "")+" could not be loaded")
	}
	if unmatched > 0 {
		verb := "answers did not"
		if unmatched == 1 {
			verb = "answer did not"
		}
		items = append(items, fmt.Sprintf("%d %s match a practice", unmatched, verb))
	}
	if other > 0 {
		items = append(items, words.Count(other, "other problem", "")+" were noted")
	}
	if len(items) == 0 {
		return "Every file loaded and every practice answer matched a practice of the registry."
	}
	s := capitalise(andList(items))
	if other == 1 {
		s = strings.Replace(s, "1 other problem were noted", "1 other problem was noted", 1)
	}
	return s + ": see Data quality."
}

// noFederation names the practices in no federation.
const noFederation = analysis.NoFederation
