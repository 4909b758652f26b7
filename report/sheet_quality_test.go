package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/store"
)

func TestWorkbookDataQuality(t *testing.T) {
	in := sampleInput()
	in.Quality = DataQuality{
		PracticeProblems: []store.PracticeMatchProblem{
			{File: "a.csv", Row: 2, Text: "Banbury", Code: "practice_unmatched", Candidates: "Banbury Cross (K84001)"},
			{File: "b.csv", Row: 7, Text: "=Bridge Street", Code: "practice_ambiguous", Candidates: "Bridge Street (K84020); Bridge Street (K84021)"},
		},
		Files: []store.FileQuality{
			{File: "a.csv", Respondents: 12, Warnings: map[string]int{"practice_unmatched": 1, "answer_off_scale": 3}},
			{File: "b.csv", Respondents: 5, Warnings: map[string]int{"practice_ambiguous": 1}},
			{File: "c.csv", Respondents: 1, Warnings: map[string]int{}},
		},
	}
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteWorkbook(path, in); err != nil {
		t.Fatal(err)
	}
	f := openWorkbook(t, path)
	rows, err := f.GetRows(SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"File", "Row", "Practice answer", "Problem", "Closest practices in the registry", "",
			"File", "Respondents", "Warnings", "answer_off_scale", "practice_ambiguous", "practice_unmatched"},
		{"a.csv", "2", "Banbury", "no match", "Banbury Cross (K84001)", "", "a.csv", "12", "4", "3", "0", "1"},
		{"b.csv", "7", "=Bridge Street", "more than one match", "Bridge Street (K84020); Bridge Street (K84021)", "",
			"b.csv", "5", "1", "0", "1", "0"},
		{"", "", "", "", "", "", "c.csv", "1", "0", "0", "0", "0"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("Data quality rows (-want +got):\n%s", diff)
	}
	assertNumeric(t, f, SheetQuality, "B3", 7)
	assertNumeric(t, f, SheetQuality, "H2", 12)
	if got := quotePrefix(t, f, SheetQuality, "C3"); !got {
		t.Errorf("C3 has no quote prefix; a formula-like answer must stay text")
	}
	panes, err := f.GetPanes(SheetQuality)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	if w, _ := f.GetColWidth(SheetQuality, "E"); w < 40 {
		t.Errorf("candidates column width %v, want at least 40", w)
	}
	sheet := string(zipParts(t, path)["xl/worksheets/sheet4.xml"])
	if !strings.Contains(sheet, `<autoFilter ref="$A$1:$E$3"`) {
		t.Errorf("no AutoFilter on the practice answers A1:E3 in sheet4.xml")
	}
}

func TestWorkbookDataQualityEmpty(t *testing.T) {
	rows, err := writeAndOpen(t, sampleInput()).GetRows(SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !strings.HasPrefix(rows[1][0], "Every practice answer matched") {
		t.Errorf("rows = %q, want the header and a line saying nothing needs fixing", rows)
	}
}

// TestWorkbookDataQualityCapped checks the note under a practice answers
// table that lists fewer answers than there are.
func TestWorkbookDataQualityCapped(t *testing.T) {
	in := sampleInput()
	in.Quality.PracticeProblems = []store.PracticeMatchProblem{{File: "a.csv", Row: 2, Text: "Nowhere", Code: "practice_unmatched"}}
	in.Quality.PracticeProblemsTotal = 7000
	rows, err := writeAndOpen(t, in).GetRows(SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !strings.HasPrefix(rows[3][0], "Showing the first 1 of 7000 practice answers") {
		t.Errorf("rows = %q, want the table and a note saying 1 of 7000 are shown", rows)
	}
}

// writeAndOpen writes the workbook for in and opens it, closing it when
// the test ends.
func writeAndOpen(t *testing.T, in WorkbookInput) *excelize.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteWorkbook(path, in); err != nil {
		t.Fatal(err)
	}
	return openWorkbook(t, path)
}

// openWorkbook opens the workbook at path, closing it when the test ends.
func openWorkbook(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
