package ingest

import (
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

// reversedScale reports whether a workstream question's numeric answers
// run from 1 as the highest priority. Numeric answers (Qualtrics "numeric
// values" exports, or any platform's 1–5 scale) are read with 5 as the
// highest priority, as [survey.ParsePriority] does, unless the question
// text says 1 (or 0) is the highest or 5 (or 10) the lowest; then a number
// scores 1 minus what it would score the other way round. Text labels are
// never reversed. Other scales are described at [kind].
func reversedScale(header string) bool {
	return reversedPattern.MatchString(survey.NormalizeName(header))
}
