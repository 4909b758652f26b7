// Package report turns a ranking into the Excel workbook leads receive and
// delivers it by e-mail.
//
// [WriteWorkbook] writes the workbook: a Summary sheet of label/value rows
// and a Ranking sheet with one row per workstream and a bar chart of
// scores. Text that a spreadsheet could read as a formula is written as
// literal text; numbers stay numeric.
//
// [Deliver] queues one e-mail per lead and report in the store's outbox and
// sends the pending ones through SMTP, or writes them as .eml files when no
// SMTP host is configured. A report is sent to each lead at most once
// however often Deliver is called, and a failure for one lead never causes
// a re-send to the others.
package report
