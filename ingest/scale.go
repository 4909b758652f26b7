package ingest

import (
	"regexp"
	"strconv"

	"surveyworker/survey"
)

// reversedPattern matches, in folded question text, a statement that the
// numbers of the scale run from 1 as the highest priority: "1 = highest
// priority", "1 is the most important", "1 being top priority", "5 =
// lowest", "5 = not a priority".
var reversedPattern = regexp.MustCompile(`\b1 (?:is |being |equals |means )?(?:the )?(?:highest|most|top|very high)\b` +
	`|\b5 (?:is |being |equals |means )?(?:the )?(?:lowest|least|not a priority|no priority)\b`)

// reversedScale reports whether a workstream question's numeric answers
// run from 1 as the highest priority. Numeric answers (Qualtrics "numeric
// values" exports, or any platform's 1–5 scale) are read with 5 as the
// highest priority, as [survey.ParsePriority] does, unless the question
// text says 1 is the highest or 5 the lowest; then a number n scores as
// 6-n would. Text labels are never reversed.
func reversedScale(header string) bool {
	return reversedPattern.MatchString(survey.NormalizeName(header))
}

// isNumber reports whether an answer is a whole number.
func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}
