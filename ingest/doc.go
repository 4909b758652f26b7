// Package ingest turns survey exports dropped by GP practices into stored
// respondents and answers.
//
// A file goes through four steps, each in its own file:
//
//   - fingerprint.go reads the bytes once: SHA-256, size, container (CSV or
//     XLSX) and text encoding, rejecting binary and legacy files early;
//   - csvread.go and xlsxread.go stream the rows of a CSV file or the first
//     worksheet with data, with bounded memory;
//   - detect.go recognises the platform from the header rows (never the file
//     name) using a registry of shapes (googleforms.go, msforms.go,
//     surveymonkey.go, qualtrics.go, typeform.go, smartsurvey.go, jisc.go,
//     limesurvey.go; a new platform is one more shape, placed before
//     generic.go, the last, which takes any single header that names a
//     workstream or the practice). A shape with several header rows merges
//     them into one header per column, and columns.go classifies every
//     column: workstream, practice, role, free text, personal data or
//     ignored; a mapping file (mapping.go) overrides the columns it names;
//     parse.go ties these together and reads ahead to settle the date order
//     and the kinds and scales of questions (kinds.go);
//   - rows.go maps each data row to a [store.RespondentRow]: practice matched
//     against the registry (practice.go), timestamps in UTC (timestamps.go),
//     e-mail replaced by a keyed hash and free text masked (privacy.go),
//     numeric answers read in the direction the question states (scale.go),
//     and rankings and multi-select questions scored per workstream
//     (kinds.go).
//
// The rows are handed to [store.Store.LoadFile] as a stream, so a file is
// loaded in one transaction or not at all. inbox.go moves handled files out
// of a watched folder: loaded and duplicate files to archive/, rejected ones
// to quarantine/ with a reason file beside them; rejects.go writes, beside
// either, a CSV of the rows that had problems, streamed as they are read.
//
// registry.go reads the practice registry that practice matching uses: the
// project's CSV, or the NHS ODS epraccur file (epraccur.go).
package ingest
