package ingest

import (
	"regexp"
	"slices"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// typeform is a Typeform responses CSV: one header row whose first column,
// "#", holds each response's token (32 hexadecimal digits), then one
// column per question, and last "Start Date (UTC)", "Submit Date (UTC)"
// and "Network ID" (newer exports add "Response Type" and "Tags"). A
// multiple-choice question with several answers has one column per
// option, headed by the option text, plus an "Other" column, so headers
// repeat ("Other" once per such question) and columns are told apart by
// position. Question texts may recall an earlier answer with a
// placeholder such as "{{answer_42471732}}". Dates are "2018-04-03
// 09:05:14" in UTC, as the headers say ("2017-02-22 15:07" once re-saved
// by Excel). The network ID is a hash of the respondent's IP address and
// is treated as one.
//
// A respondent is identified by the response token.
var typeform = &shape{
	platform: "typeform",
	detect: func(top [][]string) (int, bool) {
		if len(top[0]) < 2 || tabular.CleanHeader(top[0][0]) != "#" {
			return 0, false
		}
		cells := foldAll(top[0])
		return 1, slices.Contains(cells, "submit date utc") || slices.Contains(cells, "start date utc") ||
			slices.Contains(cells, "network id")
	},
	meta: map[string]role{
		"#":               roleResponseID,
		"start date utc":  roleStarted,
		"submit date utc": roleSubmitted,
		"response type":   roleMeta,
		"tags":            roleMeta,
	},
	headers: typeformHeaders,
	// Newer exports say "partial" or "completed" in "Response Type".
	completion: &completion{column: headerIs("response type"), partial: valueIs("partial")},
	key:        responseKey("token"),
}

// recallPlaceholder matches Typeform's reference to an earlier answer in a
// question's text.
var recallPlaceholder = regexp.MustCompile(`\{\{answer_\d+\}\}`)

// typeformHeaders replaces recall placeholders by an ellipsis: they stand
// for what the respondent typed, which differs per row.
func typeformHeaders(rows [][]string) []string {
	out := make([]string, len(rows[0]))
	for i, h := range rows[0] {
		out[i] = recallPlaceholder.ReplaceAllString(h, "…")
	}
	return out
}
