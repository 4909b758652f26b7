package report

import (
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/surveyworker/surveyworker/store"
)

// SheetQuality is the name of the data-quality sheet.
const SheetQuality = "Data quality"

// DataQuality is what the Data quality sheet shows: the practice answers
// that need the registry fixed, and each loaded file's respondents and
// warnings. It holds no personal data: practice answers are stored with
// e-mail addresses and phone numbers masked.
type DataQuality struct {
	// PracticeProblems are the practice answers that matched no practice
	// or more than one, at most [MaxPracticeProblems] of them.
	PracticeProblems []store.PracticeMatchProblem
	// PracticeProblemsTotal is how many such answers there are in all;
	// the sheet says so when it lists fewer.
	PracticeProblemsTotal int
	// Files are the loaded files with their warnings by code.
	Files []store.FileQuality
}

// MaxPracticeProblems bounds the practice answers the sheet lists, so a
// national load with many unmatched answers still gives a workbook that
// opens quickly; the rejects file beside each export lists them all.
const MaxPracticeProblems = 5000

// PracticeProblemHeader is the header of the practice answers table, in
// columns A to E of the Data quality sheet.
var PracticeProblemHeader = []string{"File", "Row", "Practice answer", "Problem", "Closest practices in the registry"}

// FileQualityHeader is the start of the header of the files table, which
// begins at column G; one column per warning code follows.
var FileQualityHeader = []string{"File", "Respondents", "Warnings"}

// filesColumn is the first column (1-based) of the files table: one blank
// column after the practice answers.
const filesColumn = 7

// problemLabels name the practice problems for a person.
var problemLabels = map[string]string{
	"practice_unmatched": "no match",
	"practice_ambiguous": "more than one match",
}

// writeQuality writes the Data quality sheet: the practice answers that
// matched no practice or more than one (A to E, filterable) and, beside
// them from column G, each file's respondents and warnings by code. Both
// tables share the frozen header row.
func writeQuality(b *book, in WorkbookInput) {
	q := in.Quality
	last := writePracticeProblems(b, q.PracticeProblems)
	if q.PracticeProblemsTotal > len(q.PracticeProblems) {
		b.text(SheetQuality, cell(1, last+2), fmt.Sprintf("Showing the first %d of %d practice answers; "+
			"the rejects file beside each export lists all of its own.", len(q.PracticeProblems), q.PracticeProblemsTotal), styleNote)
	}
	codes := warningCodes(q.Files)
	writeFileQuality(b, q.Files, codes)
	widths := []float64{fileWidth(q), 6, 36, 20, 60, 3, fileWidth(q), 12, 10}
	for range codes {
		widths = append(widths, 14)
	}
	b.colWidths(SheetQuality, widths...)
	b.dimension(SheetQuality, cell(filesColumn+len(FileQualityHeader)+len(codes)-1, max(last, len(q.Files)+1)))
	b.freezeHeader(SheetQuality)
	if b.err == nil {
		b.fail(SheetQuality+" autofilter", b.f.AutoFilter(SheetQuality, "A1:"+cell(len(PracticeProblemHeader), last), nil))
	}
}

// writePracticeProblems writes the practice answers table in columns A to
// E, or a line saying there are none, and returns its last row.
func writePracticeProblems(b *book, problems []store.PracticeMatchProblem) (last int) {
	for i, h := range PracticeProblemHeader {
		b.text(SheetQuality, cell(i+1, 1), h, styleHeader)
	}
	if len(problems) == 0 {
		b.text(SheetQuality, "A2", "Every practice answer matched one practice of the registry.", "")
		return 2
	}
	for i, p := range problems {
		row := i + 2
		b.text(SheetQuality, cell(1, row), p.File, styleText)
		b.integer(SheetQuality, cell(2, row), p.Row, styleInt)
		b.text(SheetQuality, cell(3, row), p.Text, styleText)
		b.text(SheetQuality, cell(4, row), problemLabel(p.Code), styleText)
		b.text(SheetQuality, cell(5, row), p.Candidates, styleText)
	}
	return len(problems) + 1
}

// writeFileQuality writes the files table from column G.
func writeFileQuality(b *book, files []store.FileQuality, codes []string) {
	for i, h := range append(slices.Clone(FileQualityHeader), codes...) {
		b.text(SheetQuality, cell(filesColumn+i, 1), h, styleHeader)
	}
	for i, f := range files {
		row := i + 2
		total := 0
		for _, n := range f.Warnings {
			total += n
		}
		b.text(SheetQuality, cell(filesColumn, row), f.File, styleText)
		b.integer(SheetQuality, cell(filesColumn+1, row), f.Respondents, styleInt)
		b.integer(SheetQuality, cell(filesColumn+2, row), total, styleInt)
		for j, c := range codes {
			b.integer(SheetQuality, cell(filesColumn+len(FileQualityHeader)+j, row), f.Warnings[c], styleInt)
		}
	}
}

// problemLabel names a practice problem code, or returns the code.
func problemLabel(code string) string {
	if l, ok := problemLabels[code]; ok {
		return l
	}
	return code
}

// warningCodes returns every warning code of the files, sorted.
func warningCodes(files []store.FileQuality) []string {
	var out []string
	for _, f := range files {
		for c := range f.Warnings {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// fileWidth fits the file name columns to the longest name, within limits.
func fileWidth(q DataQuality) float64 {
	w := 16
	for _, p := range q.PracticeProblems {
		w = max(w, utf8.RuneCountInString(p.File)+2)
	}
	for _, f := range q.Files {
		w = max(w, utf8.RuneCountInString(f.File)+2)
	}
	return float64(min(w, 48))
}
