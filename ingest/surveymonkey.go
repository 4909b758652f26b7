package ingest

import (
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// surveyMonkey is a SurveyMonkey "all responses" export, CSV or XLSX,
// expanded or condensed. It has two header rows. Row 1 holds the metadata
// names "Respondent ID, Collector ID, Start Date, End Date, IP Address,
// Email Address, First Name, Last Name, Custom Data" (older exports write
// "RespondentID", "CollectorID", "StartDate", "LastName") and then each
// question's text in the first of its columns, the others left blank (or
// merged in XLSX). Row 2 holds each column's sub-label: "Response" (a
// single answer), "Open-Ended Response" (free text), a matrix row label or
// a checkbox option, or "Other (please specify)"; under the metadata it is
// empty or a NUL byte. Labels may carry HTML ("No<br>Please explain").
//
// The two rows are merged into one header per column: the question text
// carried forward, followed by " [label]" when the label names a matrix row
// or option, so a priority matrix reads like a grid question of the other
// platforms ("How high a priority…? [Cyber Security]"). Dates are written
// "MM/DD/YYYY HH:MM:SS" in US order without a zone. A respondent is
// identified by the Respondent ID.
var surveyMonkey = &shape{
	platform: "surveymonkey",
	detect: func(top [][]string) (int, bool) {
		if len(top) < 2 || len(top[0]) < 2 {
			return 0, false
		}
		first, second := fold(top[0][0]), fold(top[0][1])
		return 2, slices.Contains([]string{"respondentid", "respondent id"}, first) &&
			slices.Contains([]string{"collectorid", "collector id"}, second)
	},
	meta: map[string]role{
		"respondentid": roleResponseID, "respondent id": roleResponseID,
		"collectorid": roleMeta, "collector id": roleMeta,
		"startdate": roleStarted, "start date": roleStarted,
		"enddate": roleSubmitted, "end date": roleSubmitted,
	},
	metaPrefixes: []string{"custom data", "customdata"},
	headers:      surveyMonkeyHeaders,
	dateOrder:    MonthFirst,
	key:          responseKey("respondent"),
}

// surveyMonkeyHeaders merges the question row and the sub-label row.
func surveyMonkeyHeaders(rows [][]string) []string {
	questions, labels := rows[0], rows[1]
	out := make([]string, max(len(questions), len(labels)))
	question := ""
	for i := range out {
		if q := plainText(cellAt(questions, i)); q != "" {
			question = q
		}
		out[i] = withSubLabel(question, plainText(cellAt(labels, i)))
	}
	return out
}

// withSubLabel appends a SurveyMonkey sub-label that names a matrix row or
// option to its question.
func withSubLabel(question, label string) string {
	switch fold(label) {
	case "", "response", "openended response":
		return question
	}
	if question == "" {
		return label
	}
	return question + " [" + label + "]"
}

// htmlTag matches a tag in a label ("<br>", "<br />", "<strong>").
var htmlTag = regexp.MustCompile(`<[A-Za-z/!][^<>]*>`)

// plainText returns header text without HTML tags and entities, on one
// line. Every platform's headers are read so: Typeform writes
// "<strong>…</strong>", SurveyMonkey "<br>", LimeSurvey "&amp;".
func plainText(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		return tabular.CleanHeader(s)
	}
	return tabular.CleanHeader(html.UnescapeString(htmlTag.ReplaceAllString(s, " ")))
}
