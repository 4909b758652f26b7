package ingest

import "slices"

// surveyGizmo is a SurveyGizmo (now Alchemer) CSV export,
// "<timestamp>-SurveyExport.csv": every field quoted, the metadata
// "Response ID, Time Started, Date Submitted, Status" (some exports leave
// out the ID) and, when chosen, "Contact ID, Legacy Comments, Comments,
// Language, Referer, SessionID, User Agent, IP Address, Longitude,
// Latitude, Country, City, State/Region, Postal", then the questions. A
// question asked several times reads "Tool / Application #1:Question",
// and an "other" box "Other - Write In:Question". "Status" is "Complete"
// or "Partial" (or "Disqualified"); partial responses are left out
// unless configured. Times are "2015-12-21 22:21:47" in the account's
// zone, taken as the configured one.
//
// A respondent is identified by the response ID with its times, since IDs
// restart in every survey, or by the row's content without one.
var surveyGizmo = &shape{
	platform: "surveygizmo",
	detect: func(top [][]string) (int, bool) {
		cells := foldAll(top[0])
		return 1, slices.Contains(cells, "time started") && slices.Contains(cells, "date submitted")
	},
	meta: map[string]role{
		"response id": roleResponseID, "time started": roleStarted, "date submitted": roleSubmitted,
		"status": roleMeta, "contact id": roleMeta, "legacy comments": roleMeta, "language": roleMeta,
		"referer": roleMeta, "extended referer": roleMeta, "sessionid": roleMeta, "user agent": roleMeta,
		"extended user agent": roleMeta, "longitude": roleMeta, "latitude": roleMeta, "country": roleMeta,
		"city": roleMeta, "state region": roleMeta, "postal": roleMeta, "tags": roleMeta,
	},
	metaPrefixes: []string{"data quality"},
	completion:   &completion{column: headerIs("status"), partial: valueIs("Partial")},
	key:          timedResponseKey("response"),
}
