package ingest

// jisc is a Jisc Online Surveys CSV export. No export has been seen; what
// is known is its export options: "include unique response number",
// "date and time response started" and "submitted", "code responses"
// (answer codes instead of texts) and "combine scale/rank values", with
// one header row. Only a file with the response number can be told from
// any other CSV, so that is what is recognised: a first column "Unique
// response number". Assumed, to check against a client's file: the
// timestamp columns are headed "Started" and "Submitted" (or with the
// option's words), questions by their text, and a grid row "Question
// [Row]"; dates are UK time in an order left to the dates of the file or
// the configuration. Coded answers (numbers) are read on the priority
// scale like other numeric answers.
//
// A respondent is identified by the response number with the start and
// submit times.
var jisc = &shape{
	platform: "jisc",
	detect: func(top [][]string) (int, bool) {
		return 1, len(top[0]) > 1 && headerStarts(top[0], "unique response number")
	},
	meta: map[string]role{
		"unique response number":           roleResponseID,
		"started":                          roleStarted,
		"date and time response started":   roleStarted,
		"submitted":                        roleSubmitted,
		"date and time response submitted": roleSubmitted,
	},
	key: timedResponseKey("response"),
}
