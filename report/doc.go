// Package report turns a ranking into the Excel workbook leads receive and
// delivers it by e-mail.
//
// [WriteWorkbook] writes the workbook's ten sheets: Summary (a paragraph
// for a board paper and the label/value rows Responses, Practices, Files
// and Generated), Ranking (with its charts), What-if (the ranking as
// formulas over weight cells a lead can change), Tiers, By federation, By
// role, Dependencies (with a suggested delivery order), Comments, Data
// quality and Method. [WorkbookInput.Load] reads what the sheets need from
// the store; the comments and warnings are read as the sheets are written,
// with excelize's StreamWriter, so memory does not grow with their number.
// Text that a spreadsheet could read as a formula is written as literal
// text; numbers stay numeric.
//
// [ComposeMessage] writes the e-mail of a workbook, as plain text and
// HTML. [QueueLeadReports] queues a ranking's reports for the leads: the
// full workbook for a lead of no federation, and for a federation lead
// their view ([WorkbookInput].Federations), one workbook per distinct set
// of federations; a lead whose report would rest on the same inputs
// ([ChangeKey]) as the last one they received gets nothing. [Queue]
// records a report, with its text and workbook, and one e-mail per lead
// in the store's outbox, in one transaction. [Sender.DeliverPending],
// the only sender, sends every due e-mail of the outbox through SMTP, or
// writes it as an .eml file when no SMTP host is configured, and records
// the outcome: a report reaches each lead at most once however often it is
// queued; an SMTP 4xx or an unreachable relay is retried later with
// exponential backoff, until a maximum age; a 5xx for one lead fails that
// lead only. Every SMTP command has a deadline, and sending takes no lock
// but the row of the message being sent. [QueueFailureAlert] tells the
// operator about a failed run once per run of failures, and [Metrics]
// exports the outbox to Prometheus.
package report
