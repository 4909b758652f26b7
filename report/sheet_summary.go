package report

import (
	"fmt"
	"time"

	"github.com/surveyworker/surveyworker/survey"
)

// Time layouts of the report.
const (
	// displayTime is how times are shown to readers, in the report's zone.
	displayTime = "Mon 2 Jan 2006 15:04 MST"
	// displayDate is the date in e-mail subjects.
	displayDate = "2 Jan 2006"
)

// advisoryNote closes the Summary sheet, as the ranking method asks.
const advisoryNote = "Tiers are advisory; the decision stays with the commissioning committee."

// summaryRow is one label/value row of the Summary sheet. Exactly one of
// text, number or integer is used, by kind.
type summaryRow struct {
	label   string
	kind    string // styleText, styleDecimal or styleInt
	text    string
	number  float64
	integer int
}

func textRow(label, v string) summaryRow { return summaryRow{label: label, kind: styleText, text: v} }
func intRow(label string, n int) summaryRow {
	return summaryRow{label: label, kind: styleInt, integer: n}
}
func decRow(label string, v float64) summaryRow {
	return summaryRow{label: label, kind: styleDecimal, number: v}
}

// writeSummary writes the Summary sheet: a title in A1, then label/value
// rows from row 3, labels in column A and values in column B.
func writeSummary(b *book, in WorkbookInput) {
	b.text(SheetSummary, "A1", in.Title, styleTitle)
	rows := summaryRows(in)
	for i, r := range rows {
		row := i + 3
		b.text(SheetSummary, cell(1, row), r.label, styleLabel)
		switch r.kind {
		case styleInt:
			b.integer(SheetSummary, cell(2, row), r.integer, styleIntLeft)
		case styleDecimal:
			b.number(SheetSummary, cell(2, row), r.number, styleDecimalLeft)
		default:
			b.text(SheetSummary, cell(2, row), r.text, styleText)
		}
	}
	b.colWidths(SheetSummary, 34, 80)
	b.dimension(SheetSummary, cell(2, len(rows)+2))
}

// summaryRows returns the Summary sheet's rows in order.
func summaryRows(in WorkbookInput) []summaryRow {
	r := in.Ranking
	rows := []summaryRow{
		intRow("Responses", r.Respondents),
		intRow("Practices", r.Practices),
		intRow("Files", r.Files),
		intRow("Workstreams", len(r.Rows)),
		textRow("Generated", in.GeneratedAt.In(in.Location).Format(displayTime)),
		textRow("Generated (ISO 8601)", in.GeneratedAt.In(in.Location).Format(time.RFC3339)),
	}
	if r.RunID > 0 {
		rows = append(rows, intRow("Ranking run", int(r.RunID)))
	}
	if !r.CreatedAt.IsZero() {
		rows = append(rows, textRow("Ranking computed", r.CreatedAt.In(in.Location).Format(displayTime)))
	}
	rows = append(rows, textRow("Method", r.Method))
	rows = append(rows, weightRows(r.Weights)...)
	rows = append(rows, paramRows(r)...)
	rows = append(rows, marginRows(r.Sensitivity)...)
	rows = append(rows, tierCountRows(r.Rows)...)
	rows = append(rows, tierRuleRows(in.TierRules)...)
	return append(rows, textRow("Note", advisoryNote))
}

func weightRows(w survey.Weights) []summaryRow {
	return []summaryRow{
		decRow("Weight: practice priority (survey)", w.Survey),
		decRow("Weight: centrally mandated", w.Mandated),
		decRow("Weight: GP Forward View enabler", w.GPFV),
		decRow("Weight: impact", w.Impact),
		decRow("Weight: dependencies", w.Dependencies),
	}
}

// paramRows describe how the survey was weighed and the uncertainty
// computed; runs stored before these were kept show none.
func paramRows(r survey.Ranking) []summaryRow {
	p := r.Params
	if p.Resamples == 0 {
		return nil
	}
	practices := "one practice, one vote"
	if p.WeightByListSize {
		practices = "weighted by registered list size"
	}
	rows := []summaryRow{
		textRow("Practices weighed", practices),
		textRow("Uncertainty", fmt.Sprintf("bootstrap over practices, stratified by federation: %d resamples, seed %d; intervals are 90%%", p.Resamples, p.Seed)),
		textRow("Workshop criteria", p.Criteria),
	}
	if r.Previous != nil {
		rows = append(rows, textRow("Compared with", fmt.Sprintf("ranking run %d of %s: %+d responses since",
			r.Previous.RunID, r.Previous.CreatedAt.Format("2 Jan 2006"), r.NewResponses)))
	}
	return rows
}

// marginRows say, for each weight, how far it can move up and down
// before any workstream changes tier, one row each way.
func marginRows(ms []survey.WeightMargin) []summaryRow {
	var rows []summaryRow
	for _, m := range ms {
		rows = append(rows,
			textRow(fmt.Sprintf("Margin: %s weight up", m.Criterion), shiftText(m.Up)),
			textRow(fmt.Sprintf("Margin: %s weight down", m.Criterion), shiftText(m.Down)))
	}
	return rows
}

// shiftText describes the first tier change moving a weight one way.
func shiftText(s *survey.TierShift) string {
	if s == nil {
		return "no tier changes within range"
	}
	return fmt.Sprintf("by %.3f (to %.3f): %s, %s → %s", s.Delta, s.Weight, s.Workstream, s.From, s.To)
}

// tierCountRows counts the workstreams in each tier, best tier first. The
// Low tier, which the default rules do not use, is listed only when used;
// tiers outside [survey.Tiers] are listed after it in order of appearance.
func tierCountRows(ranked []survey.RankedWorkstream) []summaryRow {
	counts := map[survey.Tier]int{}
	var others []survey.Tier
	for _, r := range ranked {
		if counts[r.Tier] == 0 && !r.Tier.Valid() {
			others = append(others, r.Tier)
		}
		counts[r.Tier]++
	}
	var rows []summaryRow
	for _, t := range append(append([]survey.Tier{}, survey.Tiers...), others...) {
		if t == survey.TierLow && counts[t] == 0 {
			continue
		}
		rows = append(rows, intRow("Tier: "+string(t), counts[t]))
	}
	return rows
}

// tierRuleRows gives each tier rule a row of its own, so none wraps over
// the next.
func tierRuleRows(rules []string) []summaryRow {
	if len(rules) == 0 {
		return []summaryRow{textRow("Tier rules", "See docs/METHOD.md.")}
	}
	var rows []summaryRow
	for i, r := range rules {
		label := ""
		if i == 0 {
			label = "Tier rules"
		}
		rows = append(rows, textRow(label, r))
	}
	return rows
}
