package ingest

// googleForms is the responses sheet of a Google Form, downloaded as CSV or
// XLSX: one header row starting "Timestamp", then "Email address" when the
// form collects addresses, then one column per question. A grid question
// has one column per row, headed "Question text [Row label]". Timestamps
// follow the sheet's locale: "7/1/2024 22:05:36" in the US, "01/07/2024
// 22:05:36" in the UK, with no time zone.
//
// Google Forms has no response ID, so a respondent is identified by the
// row's content (see [mapper.respondentKey]).
var googleForms = &shape{
	platform: "google-forms",
	detect: func(top [][]string) (int, bool) {
		return 1, len(top[0]) > 1 && headerStarts(top[0], "timestamp")
	},
	meta: map[string]role{
		"timestamp": roleSubmitted,
		"score":     roleMeta, // quizzes
	},
}
