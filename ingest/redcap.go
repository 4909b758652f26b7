package ingest

import (
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// redCap is a REDCap record export (CSV, raw or labels). Its first column
// is the record ID, named as the project names it ("record_id",
// "study_id"). Then come "redcap_event_name" in a longitudinal project,
// "redcap_repeat_instrument" and "redcap_repeat_instance" for repeating
// forms, "redcap_survey_identifier" for surveys, and each form's fields
// followed by "<form>_timestamp" (a survey's completion time, or "[not
// completed]") and "<form>_complete", the form's status: 0 incomplete, 1
// unverified, 2 complete. A checkbox has one column per option,
// "field___1", holding 1 or 0. Dates are "YYYY-MM-DD HH:MM:SS".
//
// A longitudinal project writes one row per record and event: the rows of
// one record that follow each other are read as one respondent, the first
// value of each column kept. A response is partial when the status of a
// form holding workstream questions is not 2 (of every form, when none
// does). REDCap's record IDs restart in every project, so a respondent is
// identified by the row's content, like Google Forms'. The survey
// identifier (often a name or an e-mail address) is personal data.
var redCap = &shape{
	platform: "redcap",
	detect: func(top [][]string) (int, bool) {
		if anyHeader(top[0], "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
			"redcap_survey_identifier", "redcap_data_access_group") {
			return 1, true
		}
		if len(top[0]) < 2 || tabular.CleanHeader(top[0][0]) != "record_id" {
			return 0, false
		}
		for _, c := range top[0] {
			if strings.HasSuffix(tabular.CleanHeader(c), "_complete") {
				return 1, true
			}
		}
		return 0, false
	},
	first: roleResponseID,
	meta: map[string]role{
		"redcap event name": roleMeta, "redcap repeat instrument": roleMeta, "redcap repeat instance": roleMeta,
		"redcap data access group": roleMeta, "complete": roleMeta,
	},
	metaSuffixes: []string{" timestamp", " complete"},
	completion: &completion{
		column:    func(f string) bool { return f == "complete" || strings.HasSuffix(f, " complete") },
		partial:   func(v string) bool { return v != "2" && !strings.EqualFold(v, "Complete") },
		bySection: true,
	},
	records: true,
}
