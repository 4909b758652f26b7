package ingest

import (
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// qualtrics is a Qualtrics response export, CSV or tab-separated (the TSV
// is UTF-16, decoded by the CSV layer). The current exporter writes three
// header rows: the export tags ("StartDate, EndDate, Status, IPAddress, …,
// ResponseId, RecipientLastName, RecipientFirstName, RecipientEmail, …, Q1,
// Q5_1, Q5_2"), the question texts in the survey's language (a matrix
// column reads "Question - Statement"), and a JSON object per column
// ({"ImportId":"QID5_1"}). The legacy exporter writes two: "V1…V10, Q1, …"
// then "ResponseID, ResponseSet, Name, ExternalDataReference, EmailAddress,
// IPAddress, Status, StartDate, EndDate, Finished", the question texts, and
// a trailing empty column.
//
// Each column's header is its tag when the tag names metadata or personal
// data (row 2 may be localised, so it is never used for those), else its
// question text from row 2 (for the legacy layout row 2 holds the metadata
// names too). Answers are "choice text" (the labels) or "numeric values"
// (recode values 1–5); numbers are read with 5 as the highest priority
// unless the question text says otherwise (see [reversedScale]). Dates are
// "YYYY-MM-DD HH:MM:SS" in the zone chosen at export. A respondent is
// identified by the ResponseId.
var qualtrics = &shape{
	platform: "qualtrics",
	detect:   detectQualtrics,
	meta:     qualtricsMeta,
	headers:  qualtricsHeaders,
	// "Finished" is 1 (or True) for a completed response, 0 (False) for
	// one recorded before the respondent finished.
	completion: &completion{column: headerIs("finished"), partial: valueIs("0", "false")},
	key:        responseKey("response"),
}

// qualtricsMeta maps folded Qualtrics metadata tags, current and legacy,
// to their roles. Recipient names, e-mail and IP address are personal data
// and classified as such.
var qualtricsMeta = map[string]role{
	"responseid": roleResponseID, "startdate": roleStarted, "enddate": roleSubmitted,
	"status": roleMeta, "progress": roleMeta, "duration in seconds": roleMeta, "finished": roleMeta,
	"recordeddate": roleMeta, "externalreference": roleMeta, "externaldatareference": roleMeta,
	"locationlatitude": roleMeta, "locationlongitude": roleMeta, "locationaccuracy": roleMeta,
	"distributionchannel": roleMeta, "userlanguage": roleMeta, "responseset": roleMeta,
}

// detectQualtrics recognises the current layout (tags with StartDate and
// ResponseId, then labels, then ImportId JSON when present) and the legacy
// one (V1, V2, … then ResponseID).
func detectQualtrics(top [][]string) (int, bool) {
	if len(top) < 2 {
		return 0, false
	}
	tags := foldAll(top[0])
	switch {
	case slices.Contains(tags, "startdate") && slices.Contains(tags, "responseid"):
		if len(top) > 2 && hasImportIDs(top[2]) {
			return 3, true
		}
		return 2, true
	case headerStarts(top[0], "v1", "v2") && slices.Contains(foldAll(top[1]), "responseid"):
		return 2, true
	}
	return 0, false
}

// hasImportIDs reports whether a row is Qualtrics' ImportId JSON row.
func hasImportIDs(row []string) bool {
	for _, c := range row {
		if strings.HasPrefix(strings.TrimSpace(c), `{"ImportId"`) {
			return true
		}
	}
	return false
}

// foldAll folds every cell of a row.
func foldAll(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = fold(c)
	}
	return out
}

// qualtricsHeaders chooses each column's header from the tag row and the
// question-text row.
func qualtricsHeaders(rows [][]string) []string {
	tags, texts := rows[0], rows[1]
	out := make([]string, max(len(tags), len(texts)))
	for i := range out {
		tag, text := tabular.CleanHeader(cellAt(tags, i)), plainText(cellAt(texts, i))
		f := fold(tag)
		_, meta := qualtricsMeta[f]
		_, _, personal := personalRole(f)
		out[i] = text
		if meta || personal || text == "" {
			out[i] = tag
		}
	}
	return out
}
