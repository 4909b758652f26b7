package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// CommentsHeader is the header of the Comments sheet's table, in row
// [commentsHeaderRow].
var CommentsHeader = []string{"Workstream", "Federation", "Role", "Comment", "Question", "File", "Row"}

// commentsHeaderRow is the row of the Comments table's header.
const commentsHeaderRow = 4

// commentsWidths are the Comments sheet's column widths.
var commentsWidths = []float64{20, 17, 17, 52, 22, 22, 5}

// maxSheetRows is the most rows a worksheet can hold.
const maxSheetRows = excelize.TotalRows

// maxLinesPerRow bounds the height given to one row of long text, so a
// very long comment does not make a row taller than a page.
const maxLinesPerRow = 25

// writeComments writes the Comments sheet: every free-text comment, masked
// as stored, with the workstream its question names (if any), the
// federation and role of the respondent, and the file and row it came
// from, as an Excel table with filter buttons; long comments wrap. Rows
// are streamed from in.Comments as they are read. A comment is always
// text, never a formula, whatever it starts with.
func writeComments(b *book, in WorkbookInput) {
	const sheet = SheetComments
	s := b.newStream(sheet)
	s.widths(commentsWidths...)
	s.freeze(commentsHeaderRow)
	s.lineWith(excelize.RowOpts{Height: 24}, s.text("Comments", styleTitle))
	s.lineWith(excelize.RowOpts{Height: 32}, s.text(commentsIntro(in), styleNoteWrap))
	s.merge("A2", "G2")
	s.skip(1)
	header := make([]any, len(CommentsHeader))
	for i, h := range CommentsHeader {
		header[i] = s.text(h, styleHeader)
	}
	s.line(header...)
	mentions := map[string]string{}
	n, truncated := 0, false
	if in.Comments != nil {
		for c, err := range in.Comments {
			if err != nil {
				b.fail("comments", err)
				break
			}
			if s.row >= maxSheetRows-2 {
				truncated = true
				break
			}
			ws, ok := mentions[c.Question]
			if !ok {
				ws = mentionedWorkstream(in.Catalogue, c.Question)
				mentions[c.Question] = ws
			}
			lines := min(max(textLines(c.Text, commentsWidths[3]), textLines(c.Question, commentsWidths[4]),
				textLines(c.File, commentsWidths[5]), textLines(c.Role, commentsWidths[2])), maxLinesPerRow)
			s.lineWith(excelize.RowOpts{Height: linesHeight(lines)},
				s.text(ws, styleText), s.text(c.Federation, styleText), s.text(c.Role, styleText),
				s.text(c.Text, styleText), s.text(c.Question, styleText), s.text(c.File, styleText),
				s.value(c.Row, styleInt))
			n++
		}
	}
	switch {
	case n == 0 && len(in.Federations) > 0:
		s.line(s.text(fmt.Sprintf("No free-text comments have been received from the practices of %s.", viewName(in.Federations)), styleLine))
	case n == 0:
		s.line(s.text("No free-text comments have been received.", styleLine))
	default:
		s.table(fmt.Sprintf("A%d:%s", commentsHeaderRow, cell(len(CommentsHeader), commentsHeaderRow+n)), "CommentsTable")
	}
	if truncated {
		s.skip(1)
		s.line(s.text(fmt.Sprintf("The sheet is full: only the first %d comments are listed.", n), styleNote))
	}
	b.printTitles(sheet, commentsHeaderRow, commentsHeaderRow)
	s.flush()
}

// commentsIntro says what the Comments sheet holds.
func commentsIntro(in WorkbookInput) string {
	which := "Every free-text comment"
	if len(in.Federations) > 0 {
		which = "Every free-text comment from respondents at the practices of " + viewName(in.Federations)
	}
	return which + ", as stored: e-mail addresses and phone numbers in them were masked when the file was loaded. " +
		"The workstream is shown when the question names one. Use the filter buttons in the header to pick a workstream, federation or role."
}

// mentionedWorkstream returns the name of the workstream a question names,
// or "".
func mentionedWorkstream(cat *survey.Catalogue, question string) string {
	if w, ok := cat.Mention(question); ok {
		return w.Name
	}
	return ""
}
