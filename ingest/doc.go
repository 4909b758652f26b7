// Package ingest turns survey exports dropped by GP practices into stored
// respondents and answers: it decides what a table means as a survey.
//
// It stands on two packages of its own. [tabular] turns a file's bytes into
// rows (fingerprint, encodings, the CSV and XLSX readers, with bounded
// memory) and knows nothing of surveys; [practices] reads the practice
// registry and matches answers to it. What is left here, in order:
//
//   - detect.go recognises the platform from the header rows (never the
//     file name) using a registry of shapes (googleforms.go, msforms.go,
//     surveymonkey.go, qualtrics.go, typeform.go, smartsurvey.go, jisc.go,
//     koboodk.go, redcap.go, surveygizmo.go, limesurvey.go; a new platform
//     is one more shape, placed before generic.go, the last, which takes
//     any table whose columns, read with their answers, hold a workstream
//     or the practice). A shape with several header rows merges them into
//     one header per column;
//   - columns.go classifies every column from its header: workstream,
//     practice, role, free text, personal data or ignored, each with a
//     typed reason (reasons.go); a mapping file (mapping.go) overrides the
//     columns it names;
//   - parse.go ties these together and reads ahead: kinds.go settles the
//     kinds and scales of questions and the workstreams a question names
//     (mention.go), and guards.go checks every column against its answers,
//     refusing those that contradict their header and finding personal
//     data by its look (privacy.go); partial.go finds the responses a
//     platform marks partial and merges the rows of one record (REDCap);
//   - rows.go maps each data row to a [store.RespondentRow]: practice
//     matched against the registry, timestamps in UTC (timestamps.go),
//     e-mail replaced by a keyed hash and free text masked (privacy.go),
//     numeric answers read in the direction the question states
//     (scale.go), and rankings and multi-select questions scored per
//     workstream (kinds.go).
//
// The rows are handed to [store.Store.LoadFile] as a stream, so a file is
// loaded in one transaction or not at all. inbox.go moves handled files out
// of a watched folder: loaded and duplicate files to archive/, rejected ones
// to quarantine/ with a reason file beside them; rejects.go writes, beside
// either, a CSV of the rows that had problems, streamed as they are read.
// read.go is where the rows of [tabular] enter: its errors become a
// [RejectError] naming the file.
package ingest
