package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// FilesHeader is the header of the Data quality sheet's table of files.
var FilesHeader = []string{"File", "Responses", "Comments", "Loaded", "Platform", "Problems found"}

// ProblemsHeader is the header of the Data quality sheet's table of every
// problem: the rejected files first, then each warning of the loaded
// files.
var ProblemsHeader = []string{"File", "Row", "Column", "Problem", "Answer given", "Details", "Closest practices in the registry"}

// qualityWidths are the Data quality sheet's column widths, shared by its
// two tables.
var qualityWidths = []float64{28, 10, 18, 26, 20, 38, 36}

// writeQuality writes the Data quality sheet: a table of the files (the
// loaded ones with their respondents, comments and problems counted in
// words, then the rejected ones), and a table of every problem with its
// file, row and column and a reason in words: each rejected file, then
// every warning of the loaded files, an unmatched or ambiguous practice
// with the closest practices of the registry. The warnings are streamed
// from in.Quality.Warnings as they are read; in a federation view, a line
// after them counts those withheld.
func writeQuality(b *book, in WorkbookInput) {
	const sheet = SheetQuality
	q := in.Quality
	s := b.newStream(sheet)
	s.widths(qualityWidths...)
	files := len(q.Files) + len(q.Rejected)
	problemsHeader := 8 + max(files, 1) // row of the problems table's header
	if files <= 8 {
		s.freeze(problemsHeader)
	}
	s.lineWith(excelize.RowOpts{Height: 24}, s.text("Data quality", styleTitle))
	s.lineWith(excelize.RowOpts{Height: 32}, s.text("Every file that could not be loaded and every problem found in the files that were. "+
		"A practice answer that matched no practice, or more than one, is stored without a practice: add an alias to the "+
		"practice registry to fix it. The rejects file beside each export in the inbox lists its rows too.", styleNoteWrap))
	s.merge("A2", "G2")
	s.skip(1)
	s.line(s.text("Files", styleSection))
	writeFileRows(s, q, in)
	s.skip(problemsHeader - 2 - s.row)
	s.line(s.text("Every problem, row by row", styleSection))
	header := make([]any, len(ProblemsHeader))
	for i, h := range ProblemsHeader {
		header[i] = s.text(h, styleHeader)
	}
	s.line(header...)
	n, truncated := writeProblemRows(b, s, q)
	switch {
	case n == 0:
		s.line(s.text("No problems: every row of every file was read as expected.", styleLine))
	default:
		s.table(fmt.Sprintf("A%d:%s", problemsHeader, cell(len(ProblemsHeader), problemsHeader+n)), "ProblemsTable")
	}
	if truncated {
		s.skip(1)
		s.line(s.text(fmt.Sprintf("The sheet is full: only the first %d problems are listed; the rejects files list them all.", n), styleNote))
	}
	if q.Withheld > 0 {
		s.skip(1)
		s.line(s.text(fmt.Sprintf("%s in the rows of other federations' respondents %s counted in the table of files but not listed: "+
			"they show what those respondents answered, and this copy is the view for %s.",
			capitalise(words.Count(q.Withheld, "more problem", "")), isAre(q.Withheld), viewName(in.Federations)), styleNote))
	}
	b.printTitles(sheet, problemsHeader, problemsHeader)
	s.flush()
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// writeFileRows writes the table of files.
func writeFileRows(s *stream, q DataQuality, in WorkbookInput) {
	header := make([]any, len(FilesHeader))
	for i, h := range FilesHeader {
		header[i] = s.text(h, styleHeader)
	}
	s.line(header...)
	if len(q.Files)+len(q.Rejected) == 0 {
		s.line(s.text("No files have been loaded yet.", styleLine))
		return
	}
	for _, f := range q.Files {
		problems := problemCounts(f.Warnings)
		s.lineWith(excelize.RowOpts{Height: linesHeight(max(textLines(problems, qualityWidths[5]+qualityWidths[6]), textLines(f.File, qualityWidths[0])))},
			s.text(f.File, styleText), s.value(f.Respondents, styleIntCentre), s.value(f.Comments, styleIntCentre),
			s.text(f.LoadedAt.In(in.Location).Format("2 Jan 2006 15:04"), styleLine), s.text(platformName(f.Platform), styleLine),
			s.text(problems, styleText))
		s.merge(cell(6, s.row), cell(7, s.row))
	}
	for _, r := range q.Rejected {
		when := "rejected"
		if !r.RejectedAt.IsZero() {
			when = "rejected " + r.RejectedAt.In(in.Location).Format("2 Jan 2006 15:04")
		}
		s.line(s.text(r.File, styleText), nil, nil, s.text(when, styleLine), nil,
			s.text("Not loaded: see below.", styleText))
		s.merge(cell(6, s.row), cell(7, s.row))
	}
}

// writeProblemRows writes a row per rejected file and per warning, and
// returns how many it wrote and whether the sheet filled up first.
func writeProblemRows(b *book, s *stream, q DataQuality) (n int, truncated bool) {
	for _, r := range q.Rejected {
		writeProblem(s, rejectedProblem(r))
		n++
	}
	if q.Warnings == nil {
		return n, false
	}
	for w, err := range q.Warnings {
		if err != nil {
			b.fail("warnings", err)
			return n, false
		}
		if s.row >= maxSheetRows-2 {
			return n, true
		}
		writeProblem(s, w)
		n++
	}
	return n, false
}

// rejectedProblem presents a rejected file as a row of the problems table.
func rejectedProblem(r survey.RejectedFile) store.RowWarning {
	return store.RowWarning{File: r.File, Row: r.Row, Column: r.Column, Code: "", Message: r.Reason}
}

// writeProblem writes one row of the problems table.
func writeProblem(s *stream, w store.RowWarning) {
	problem := rejectedLabel
	if w.Code != "" {
		problem = warningLabel(w.Code)
	}
	var row any
	if w.Row > 0 {
		row = s.value(w.Row, styleIntCentre)
	}
	candidates := strings.ReplaceAll(w.Candidates, "; ", "\n")
	lines := max(textLines(w.Message, qualityWidths[5]), strings.Count(candidates, "\n")+1, textLines(w.File, qualityWidths[0]),
		textLines(w.Value, qualityWidths[4]), textLines(w.Column, qualityWidths[2]), textLines(problem, qualityWidths[3]))
	s.lineWith(excelize.RowOpts{Height: linesHeight(min(lines, maxLinesPerRow))},
		s.text(w.File, styleText), row, s.text(w.Column, styleText), s.text(problem, styleText),
		s.text(w.Value, styleText), s.text(capitalise(w.Message), styleText), s.text(candidates, styleText))
}

// problemCounts describes a file's warnings in words, most frequent
// first: "3 × Answer not on the priority scale; 1 × Practice not found in
// the registry".
func problemCounts(warnings map[string]int) string {
	if len(warnings) == 0 {
		return "None"
	}
	codes := make([]string, 0, len(warnings))
	for c := range warnings {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if warnings[codes[i]] != warnings[codes[j]] {
			return warnings[codes[i]] > warnings[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d × %s", warnings[c], warningLabel(c)))
	}
	return strings.Join(parts, "; ")
}

// platformNames name the survey platforms for a person.
var platformNames = map[string]string{
	"google-forms": "Google Forms", "microsoft-forms": "Microsoft Forms", "surveymonkey": "SurveyMonkey",
	"qualtrics": "Qualtrics", "smartsurvey": "SmartSurvey", "jisc": "Jisc Online Surveys",
	"limesurvey": "LimeSurvey", "typeform": "Typeform", "generic": "Other (one row per respondent)",
}

// platformName names a platform code, or turns it into words.
func platformName(code string) string {
	if n, ok := platformNames[code]; ok {
		return n
	}
	return capitalise(strings.ReplaceAll(code, "-", " "))
}
