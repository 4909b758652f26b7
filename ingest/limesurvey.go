package ingest

import (
	"regexp"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// limeSurvey is a LimeSurvey response export (CSV). LimeSurvey writes a
// UTF-8 byte order mark, quotes every header and value, separates fields
// with ";" unless the exporter chose "," or a tab, ends records with CRLF
// and adds one blank line at the end. It has one header row, in one of
// two heading formats. With question codes, the metadata columns are "id,
// submitdate, lastpage, startlanguage, seed", then "token" when the survey
// has participants, "startdate, datestamp" when it records dates, "ipaddr"
// and "refurl" when it records those, and timings ("interviewtime",
// "groupTime12"); a question with sub-questions has one column per
// sub-question, "Q3[SQ001]", so such columns are only recognised when the
// codes name them ("priority[CyberSecurity]"). With full question texts
// the same metadata read "Response ID, Date submitted, Last page, Start
// language, Seed, Access code, Date started, Date last action, IP address,
// Referrer URL", and a sub-question's column reads "Question text [Item
// text]". Question texts are HTML: entities such as "&amp;" are decoded
// and tags removed. A ranking question has one column per rank, "[Rank
// 1]", "[Rank 2]", each holding the item placed there. Answers are codes
// or full texts, as chosen at export. Dates are "2026-11-03 09:15:02" in
// the server's zone, taken as the configured one.
//
// A file re-saved without its metadata columns is recognised only when it
// has a ranking question in full-text headings; otherwise nothing tells
// it from any other CSV. A respondent is identified by the response ID
// with its start and submit times, since IDs restart at 1 in every survey.
var limeSurvey = &shape{
	platform: "limesurvey",
	detect:   detectLimeSurvey,
	meta: map[string]role{
		"id": roleResponseID, "response id": roleResponseID,
		"submitdate": roleSubmitted, "date submitted": roleSubmitted,
		"startdate": roleStarted, "date started": roleStarted,
		"lastpage": roleMeta, "last page": roleMeta,
		"startlanguage": roleMeta, "start language": roleMeta,
		"seed":      roleMeta,
		"datestamp": roleMeta, "date last action": roleMeta,
		"refurl": roleMeta, "referrer url": roleMeta,
		"token": roleMeta, "access code": roleMeta,
		"interviewtime": roleMeta,
	},
	metaPrefixes: []string{"grouptime"},
	headers:      limeSurveyHeaders,
	// An incomplete response, exported when the exporter asks for them,
	// has no submit date.
	completion: &completion{column: headerIs("submitdate", "date submitted"), partial: func(v string) bool { return v == "" }},
	key:        timedResponseKey("id"),
}

// limeSurveyMeta are the metadata headers other than the response ID, in
// code and full-text headings; two of them with the ID mark a LimeSurvey
// export.
var limeSurveyMeta = map[string]bool{
	"submitdate": true, "lastpage": true, "startlanguage": true, "seed": true, "startdate": true, "datestamp": true,
	"date submitted": true, "last page": true, "start language": true, "date started": true, "date last action": true,
}

// detectLimeSurvey recognises the response ID ("id" or "Response ID") with
// two other metadata columns, or else a ranking question in full-text
// headings: columns "Question [Rank 1]" and "Question [Rank 2]".
func detectLimeSurvey(top [][]string) (int, bool) {
	id, meta := false, 0
	for _, f := range foldAll(top[0]) {
		switch {
		case f == "id" || f == "response id":
			id = true
		case limeSurveyMeta[f]:
			meta++
		}
	}
	return 1, id && meta >= 2 || hasRankBlock(top[0])
}

// rankHeader matches a full-text ranking column, capturing its question.
var rankHeader = regexp.MustCompile(`^(.*\S)\s*\[Rank (\d+)\]$`)

// hasRankBlock reports whether a row has the columns of rank 1 and rank 2
// of one question.
func hasRankBlock(row []string) bool {
	first := map[string]bool{}
	for _, c := range row {
		m := rankHeader.FindStringSubmatch(tabular.CleanHeader(c))
		switch {
		case m == nil:
		case m[2] == "1":
			first[m[1]] = true
		case m[2] == "2" && first[m[1]]:
			return true
		}
	}
	return false
}

// limeSurveyHeaders decodes HTML entities and removes tags from the
// headers.
func limeSurveyHeaders(rows [][]string) []string {
	out := make([]string, len(rows[0]))
	for i, h := range rows[0] {
		out[i] = plainText(h)
	}
	return out
}
