package ingest

import (
	"fmt"
	"regexp"

	"github.com/surveyworker/surveyworker/survey"
)

// reversedPattern matches, in folded question text, a statement that the
// numbers of the scale run from 1 as the highest priority: "1 = highest
// priority", "1 is the most important", "1 being top priority", "0 = very
// important", "5 = lowest", "5 = not a priority", "0 = highest", "10 =
// lowest", "10 = not important".
var reversedPattern = regexp.MustCompile(`\b[01] (?:is |being |equals |means )?(?:the )?(?:highest|most|top|very high|very important|extremely important)\b` +
	`|\b(?:5|10) (?:is |being |equals |means )?(?:the )?(?:lowest|least|not a priority|no priority|not important|not at all important|unimportant)\b`)

// The numeric scales a priority question has when it states none: 1 to
// defaultScaleMax, or up to wideScaleMax when an answer read ahead is above
// defaultScaleMax (docs/METHOD.md §14).
const (
	defaultScaleMax = 5
	wideScaleMax    = 10
)

// scaleSource says where a priority column's numeric scale comes from.
type scaleSource int

// Sources of a numeric scale.
const (
	scaleUsual       scaleSource = iota // none stated: 1 to defaultScaleMax
	scaleStated                         // the question states it
	scaleFromAnswers                    // none stated; a number above defaultScaleMax was read ahead
)

// numericScale is how a priority column's numbers are read: a number n on
// lo–hi scores (n−lo)/(hi−lo), or 1 minus that when reversed.
type numericScale struct {
	lo, hi   int
	source   scaleSource
	reversed bool
	// mapping, when set, scores the answers instead: a mapping file's
	// scale.
	mapping *Scale
}

// String describes a scale stated or read from the answers, "0-10" or
// "0-10 (from the answers)"; "" for the usual one.
func (s numericScale) String() string {
	switch s.source {
	case scaleStated:
		return fmt.Sprintf("%d-%d", s.lo, s.hi)
	case scaleFromAnswers:
		return fmt.Sprintf("%d-%d (from the answers)", s.lo, s.hi)
	}
	return ""
}

// reversedScale reports whether a workstream question's numeric answers
// run from 1 as the highest priority. Numeric answers (Qualtrics "numeric
// values" exports, or any platform's 1–5 scale) are read with 5 as the
// highest priority, as [survey.ParsePriority] does, unless the question
// text says 1 (or 0) is the highest or 5 (or 10) the lowest; then a number
// scores 1 minus what it would score the other way round. Text labels are
// never reversed. Other scales are in docs/METHOD.md §14.
func reversedScale(header string) bool {
	return reversedPattern.MatchString(survey.NormalizeName(header))
}
