package ingest

import (
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// smartSurvey is a SmartSurvey raw-data export, CSV or XLSX. No export has
// been seen; what is known comes from code that reads exports fetched from
// SmartSurvey's API, and the rest is an assumption to check against a
// client's file. Known: the first column is the respondent's user ID and
// an "IP Address" column follows it; question columns begin with their
// number ("Q1. Which practice…?"), and a question that spans several
// columns (a grid, a multiple choice) leaves the headers of its later
// columns blank, with each column's item in the rows below it (up to three
// header rows in all), those rows having no user ID; an apostrophe in the
// text is written "@SQ@" ("Don@SQ@t know"). Assumed: the metadata columns
// "UserID, Name, Email, IP Address, Unique ID, Started, Ended" and dates
// written day first ("03/11/2026 09:15:02") in UK time; as that order is
// not confirmed, it is left to the dates of the file or the configuration.
//
// Header rows are merged like SurveyMonkey's: the question text carried
// forward over blank headers, followed by " [item]". A respondent is
// identified by the user ID with the start and end times.
var smartSurvey = &shape{
	platform: "smartsurvey",
	detect:   detectSmartSurvey,
	meta: map[string]role{
		"userid": roleResponseID, "user id": roleResponseID, "userno": roleResponseID,
		"unique id": roleMeta, "tracking link": roleMeta,
		"started": roleStarted, "ended": roleSubmitted,
	},
	metaPrefixes: []string{"custom variable"},
	headers:      smartSurveyHeaders,
	unescape:     smartSurveyUnescape,
	key:          timedResponseKey("user"),
}

// detectSmartSurvey recognises a first header naming the user ID in a row
// that also has "IP Address", and counts as header rows the rows below it
// that have no user ID but label some column (at most two).
func detectSmartSurvey(top [][]string) (int, bool) {
	if len(top[0]) < 2 {
		return 0, false
	}
	if !slices.Contains([]string{"userid", "user id", "userno"}, fold(top[0][0])) ||
		!slices.Contains(foldAll(top[0]), "ip address") {
		return 0, false
	}
	n := 1
	for n < min(len(top), 3) && cellAt(top[n], 0) == "" && !tabular.BlankRow(top[n]) {
		n++
	}
	return n, true
}

// smartSurveyHeaders merges the question row with the item rows below it.
func smartSurveyHeaders(rows [][]string) []string {
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	out := make([]string, width)
	question := ""
	for i := range out {
		if q := smartSurveyUnescape(plainText(cellAt(rows[0], i))); q != "" {
			question = q
		}
		out[i] = question
		for _, r := range rows[1:] {
			out[i] = withSubLabel(out[i], smartSurveyUnescape(plainText(cellAt(r, i))))
		}
	}
	return out
}

// smartSurveyUnescape restores the apostrophes SmartSurvey writes as
// "@SQ@".
func smartSurveyUnescape(s string) string {
	if !strings.Contains(s, "@SQ@") {
		return s
	}
	return strings.ReplaceAll(s, "@SQ@", "'")
}
