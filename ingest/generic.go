package ingest

import "github.com/surveyworker/surveyworker/ingest/tabular"

// generic is any table with one header row and one row per respondent, in
// any column order and with any extra columns: a spreadsheet kept by hand,
// or the export of a platform without a shape of its own. It fits almost
// anything, so it is the last shape tried, and a header row is taken as
// generic only when one of its columns matches a workstream of the
// catalogue or asks for the practice, or when a mapping file applies to it
// (see [Mapping]). Timestamps are read as the file's dates show. A
// respondent is identified by the row's content.
var generic = &shape{
	platform: "generic",
	detect: func(top [][]string) (int, bool) {
		return 1, nonBlankCells(top[0]) >= 2
	},
	meta: map[string]role{
		"timestamp": roleSubmitted, "submitted": roleSubmitted, "submitted at": roleSubmitted,
		"submission date": roleSubmitted, "date submitted": roleSubmitted, "completion time": roleSubmitted,
		"completed": roleSubmitted, "end date": roleSubmitted, "enddate": roleSubmitted,
		"start time": roleStarted, "start date": roleStarted, "startdate": roleStarted, "started": roleStarted,
		"response id": roleResponseID, "responseid": roleResponseID, "respondent id": roleResponseID,
	},
	last: true,
}

// nonBlankCells counts the cells of row that hold something.
func nonBlankCells(row []string) int {
	n := 0
	for _, c := range row {
		if tabular.CleanCell(c) != "" {
			n++
		}
	}
	return n
}

// meaningfulHeader reports whether a generic header row names at least
// one workstream of the catalogue or a practice question.
func meaningfulHeader(cols []column) bool {
	for _, c := range cols {
		if c.Role == roleWorkstream || c.Role == rolePractice {
			return true
		}
	}
	return false
}
