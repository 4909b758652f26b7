package report

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// Time layouts of the report.
const (
	// displayTime is how times are shown to readers, in the report's zone.
	displayTime = "Mon 2 Jan 2006 15:04 MST"
	// displayDate is the date in e-mail subjects.
	displayDate = "2 Jan 2006"
	// proseDate is a date in a sentence.
	proseDate = "2 January 2006"
)

// advisoryNote closes the Summary and Method sheets, as the ranking method
// asks.
const advisoryNote = "Tiers are advisory; the decision stays with the commissioning committee."

// smallNumbers are the numbers a sentence spells out.
var smallNumbers = []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// spelled returns n in words up to ten, in digits after.
func spelled(n int) string {
	if n >= 0 && n < len(smallNumbers) {
		return smallNumbers[n]
	}
	return fmt.Sprint(n)
}

// spelledCount is [words.Count] with the number in words up to ten.
func spelledCount(n int, noun, plural string) string {
	if n == 1 {
		return "one " + noun
	}
	if plural == "" {
		plural = noun + "s"
	}
	return spelled(n) + " " + plural
}

// andList joins items as "a", "a and b" or "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// period describes the days from first to last in loc: "3 to 28 November
// 2026", "28 November to 3 December 2026", or one day; empty when either
// is unknown.
func period(first, last time.Time, loc *time.Location) string {
	if first.IsZero() || last.IsZero() {
		return ""
	}
	a, b := first.In(loc), last.In(loc)
	switch {
	case a.Format("2006-01-02") == b.Format("2006-01-02"):
		return a.Format(proseDate)
	case a.Year() == b.Year() && a.Month() == b.Month():
		return fmt.Sprintf("%d to %s", a.Day(), b.Format(proseDate))
	case a.Year() == b.Year():
		return fmt.Sprintf("%s to %s", a.Format("2 January"), b.Format(proseDate))
	}
	return fmt.Sprintf("%s to %s", a.Format(proseDate), b.Format(proseDate))
}

// criterionNames name the five criteria for a reader, in the order of
// [analysis.FormatWeights].
var criterionNames = []struct {
	key, name, short string
}{
	{"survey", "Practice priority (the survey)", "survey"},
	{"impact", "Impact (return on investment)", "impact"},
	{"gpfv", "Enables GP Forward View schemes", "GP Forward View"},
	{"dependencies", "Other work depends on it", "dependencies"},
	{"mandated", "Centrally mandated by NHS England", "mandate"},
}

// criterionName returns the reader's name of criterion key, or key.
func criterionName(key string, short bool) string {
	for _, c := range criterionNames {
		if c.key == key {
			if short {
				return c.short
			}
			return c.name
		}
	}
	return key
}

// weightValues returns w's weights in the order of [criterionNames].
func weightValues(w survey.Weights) []float64 {
	return []float64{w.Survey, w.Impact, w.GPFV, w.Dependencies, w.Mandated}
}

// sum returns the sum of w.
func sum(w []float64) float64 {
	s := 0.0
	for _, x := range w {
		s += x
	}
	return s
}

// tierRules describes the tier rules of opts.
func tierRules(opts analysis.Options) []string {
	t := opts.Thresholds
	rules := []string{fmt.Sprintf("%s: score %.2f or more", survey.TierVeryHigh, t.VeryHigh)}
	if !opts.NoMandateFloor {
		rules = append(rules, fmt.Sprintf("%s: centrally mandated work that scores below %.2f", survey.TierMandated, t.VeryHigh))
	}
	return append(rules,
		fmt.Sprintf("%s: score %.2f or more", survey.TierHigh, t.High),
		fmt.Sprintf("%s: score below %.2f", survey.TierMedium, t.High))
}

// marginSentence says in words what the first tier change moving one
// weight would be: "Improving Printing would drop to Medium if the survey
// weight fell from 0.40 to 0.37".
func marginSentence(criterion string, weight float64, s *survey.TierShift, up bool) string {
	move, dir := "fell", "lower"
	if up {
		move, dir = "rose", "higher"
	}
	name := criterionName(criterion, true)
	if s == nil {
		return fmt.Sprintf("No workstream would change tier if the %s weight went any %s than %.2f.", name, dir, weight)
	}
	verb := "would move to"
	if s.From.Valid() && s.To.Valid() {
		if s.To.Order() < s.From.Order() {
			verb = "would rise to"
		} else {
			verb = "would drop to"
		}
	}
	return fmt.Sprintf("%s %s %s if the %s weight %s from %.2f to %.2f.", s.Workstream, verb, s.To, name, move, weight, s.Weight)
}

// warningLabels name the warning codes the ingester stores, for a person.
var warningLabels = map[string]string{
	"practice_unmatched":      "Practice not found in the registry",
	"practice_ambiguous":      "Practice matches more than one in the registry",
	"practice_missing":        "No practice given",
	"practice_column_missing": "No practice question found",
	"answer_off_scale":        "Answer not on the priority scale",
	"answer_ambiguous":        "More than one level chosen",
	"option_unmatched":        "Option names no workstream",
	"rank_repeated":           "Two items share a rank",
	"respondent_repeated":     "Repeated respondent",
	"timestamp_unreadable":    "Submission time unreadable",
	"column_ignored":          "Column not used",
	"question_not_used":       "Question not used",
	"cell_outside_header":     "Answer in a column without a header",
	"date_order_assumed":      "Date order assumed",
	"date_order_conflict":     "Dates in both orders",
	"date_order_platform":     "Date order from the platform",
}

// warningLabel names a warning code for a person; an unknown code is
// turned into words ("new_code" → "New code"), never shown raw.
func warningLabel(code string) string {
	if l, ok := warningLabels[code]; ok {
		return l
	}
	return capitalise(strings.ReplaceAll(code, "_", " "))
}

// rejectedLabel is the problem shown for a file that was not loaded.
const rejectedLabel = "File rejected: nothing loaded"

// buildVersion returns the version surveyworker was built as, with its
// commit when known.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
