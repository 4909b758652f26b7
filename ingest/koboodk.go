package ingest

// koboToolbox is a KoboToolbox export, CSV (";" by default, every field
// quoted) or XLSX, with XML names or labels as headers. It starts with the
// form's metadata ("start", "end", "today", "deviceid", "audit") and ends
// with the server's: "_id", "_uuid", "_submission_time",
// "_validation_status", "_notes", "_status", "_submitted_by",
// "__version__", "_tags", "_index". A select-multiple question has one
// column of the chosen options joined by spaces and one "Question/Option"
// column of 1 or 0 per option. Times are ISO 8601 with the device's offset
// ("2021-12-06T10:00:09.772+06:00"), or date cells in a workbook.
//
// A respondent is identified by "_uuid", unique to a submission. The
// submitter's user name is personal data.
var koboToolbox = &shape{
	platform: "kobotoolbox",
	detect: func(top [][]string) (int, bool) {
		return 1, anyHeader(top[0], "_uuid") && anyHeader(top[0], "_submission_time")
	},
	meta: map[string]role{
		"start": roleStarted, "end": roleSubmitted, "today": roleMeta, "deviceid": roleMeta,
		"audit": roleMeta, "audit_URL": roleMeta, "simserial": roleMeta, "subscriberid": roleMeta,
		"_id": roleMeta, "_uuid": roleResponseID, "_submission_time": roleMeta, "_validation_status": roleMeta,
		"_notes": roleMeta, "_status": roleMeta, "__version__": roleMeta, "_tags": roleMeta, "_index": roleMeta,
		"_parent_table_name": roleMeta, "_parent_index": roleMeta, "_submission__uuid": roleMeta,
	},
	exactMeta: true,
	key:       responseKey("uuid"),
}

// odkCentral is an ODK Central submissions CSV: "SubmissionDate" first
// (the server's time, UTC), then the form's fields, whose groups are
// joined to the field by "-" ("location-area_name"), "meta-instanceID",
// and last "KEY" (the instance ID again), "SubmitterID",
// "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
// "Status", "ReviewState", "DeviceID", "Edits", "FormVersion" (older
// exports stop after "Status").
//
// A respondent is identified by the instance ID. The submitter's name is
// personal data.
var odkCentral = &shape{
	platform: "odk-central",
	detect: func(top [][]string) (int, bool) {
		return 1, len(top[0]) > 1 && fold(top[0][0]) == "submissiondate" &&
			anyHeader(top[0], "KEY", "meta-instanceID")
	},
	meta: map[string]role{
		"SubmissionDate": roleSubmitted, "meta-instanceID": roleResponseID, "meta-instanceName": roleMeta,
		"KEY": roleMeta, "SubmitterID": roleMeta, "AttachmentsPresent": roleMeta, "AttachmentsExpected": roleMeta,
		"Status": roleMeta, "ReviewState": roleMeta, "DeviceID": roleMeta, "Edits": roleMeta, "FormVersion": roleMeta,
	},
	exactMeta: true,
	key:       responseKey("instance"),
}
