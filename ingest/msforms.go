package ingest

// microsoftForms is the Excel workbook of a Microsoft Form's responses: one
// header row "ID, Start time, Completion time, Email, Name" (newer forms add
// "Last modified time"), then one column per question; a Likert question has
// one column per statement, headed by the statement text. Times are Excel
// date cells in the downloader's local time. Anonymous responses have
// "anonymous" as the e-mail.
//
// A respondent is identified by the response ID with its start and
// completion times, since IDs restart at 1 in every form.
var microsoftForms = &shape{
	platform: "microsoft-forms",
	detect: func(top [][]string) (int, bool) {
		return 1, headerStarts(top[0], "id", "start time", "completion time")
	},
	meta: map[string]role{
		"id":                 roleResponseID,
		"start time":         roleStarted,
		"completion time":    roleSubmitted,
		"last modified time": roleMeta,
		"total points":       roleMeta,
		"quiz feedback":      roleMeta,
		"grade posted time":  roleMeta,
	},
	metaPrefixes: []string{"points ", "feedback "}, // per-question quiz columns
	key:          timedResponseKey("id"),
}
