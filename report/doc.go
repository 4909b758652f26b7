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
// [Deliver] queues one e-mail per lead and report in the store's outbox and
// sends the pending ones through SMTP, or writes them as .eml files when no
// SMTP host is configured. A report is sent to each lead at most once
// however often Deliver is called, and a failure for one lead never causes
// a re-send to the others.
package report
