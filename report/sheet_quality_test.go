package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// TestWorkbookDataQuality checks the Data quality sheet of the fixture:
// the files, then every problem with a reason in words, the rejected file
// first, an unmatched practice with its closest practices.
func TestWorkbookDataQuality(t *testing.T) {
	fx := newFixture(t)
	f := writeAndOpen(t, fx.in)
	rows, err := f.GetRows(SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	start := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Every problem, row by row" {
			start = i + 1
		}
	}
	if start < 0 {
		t.Fatalf("no problems table in %q", rows)
	}
	if diff := cmp.Diff(ProblemsHeader, rows[start]); diff != "" {
		t.Errorf("problems header (-want +got):\n%s", diff)
	}
	want := [][]string{
		{"late-returns.csv", "3", `B "Which practice?"`, "File rejected: nothing loaded", "", "Malformed CSV: a quote in an unquoted field"},
		{"second-wave.csv", "2", `F "Cyber Security"`, "Answer not on the priority scale", "Sometimes",
			"The answer is not on the priority scale; stored without a score"},
		{"second-wave.csv", "22", `C "Which practice?"`, "Practice not found in the registry", "Banbury",
			"No practice in the registry has this name", "Banbury Cross (K84001)\nBloxham Grove (K84002)\nBurford (K84013)"},
	}
	if diff := cmp.Diff(want, rows[start+1:start+4]); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(c, "_") {
				t.Errorf("Data quality shows the code-like text %q", c)
			}
		}
	}
	files := [][]string{rows[5][:3], rows[6][:3]}
	if diff := cmp.Diff([][]string{{"first-wave.csv", "10", "0"}, {"second-wave.csv", "21", "8"}}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(rows[6][5], "1 × Answer not on the priority scale") {
		t.Errorf("second file's problems = %q", rows[6][5])
	}
	if got := rows[7]; got[0] != "late-returns.csv" || !strings.HasPrefix(got[3], "rejected ") {
		t.Errorf("rejected file row = %q", got)
	}
	assertNumeric(t, f, SheetQuality, cell(2, start+3), 2)
}

// TestWorkbookDataQualityEmpty checks the sheet of a workbook with no
// files and no problems.
func TestWorkbookDataQualityEmpty(t *testing.T) {
	rows, err := writeAndOpen(t, sampleInput()).GetRows(SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, r := range rows {
		if len(r) > 0 {
			text = append(text, r[0])
		}
	}
	for _, want := range []string{"No files have been loaded yet.", "No problems: every row of every file was read as expected."} {
		if !strings.Contains(strings.Join(text, "\n"), want) {
			t.Errorf("Data quality lacks %q:\n%q", want, text)
		}
	}
}

func TestWarningLabels(t *testing.T) {
	tests := map[string]string{
		"practice_unmatched":  "Practice not found in the registry",
		"practice_ambiguous":  "Practice matches more than one in the registry",
		"respondent_repeated": "Repeated respondent",
		"answer_off_scale":    "Answer not on the priority scale",
		"brand_new_code":      "Brand new code",
	}
	for code, want := range tests {
		if got := warningLabel(code); got != want {
			t.Errorf("warningLabel(%q) = %q, want %q", code, got, want)
		}
	}
}

// writeAndOpen writes the workbook for in and opens it, closing it when
// the test ends.
func writeAndOpen(t *testing.T, in WorkbookInput) *excelize.File {
	t.Helper()
	return openWorkbook(t, writeToTemp(t, in))
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

// writeToTemp writes the workbook for in to a temporary file and returns
// its path.
func writeToTemp(t *testing.T, in WorkbookInput) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteWorkbook(path, in); err != nil {
		t.Fatal(err)
	}
	return path
}
