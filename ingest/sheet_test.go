package ingest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// notesFirstWorkbook writes a workbook whose first sheet holds notes and
// whose second, "Form responses 1", holds the Google Forms equivalence
// export, as a lead's copy of a linked Sheet often looks.
func notesFirstWorkbook(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/equivalence_google_forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Notes")
	f.SetCellStr("Notes", "A1", "Survey closes on Friday; see the responses tab")
	f.NewSheet("Form responses 1")
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellStr("Form responses 1", cell, v)
		}
	}
	path := filepath.Join(t.TempDir(), "responses.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWorkbookSheetChoice(t *testing.T) {
	path := notesFirstWorkbook(t)
	ps := testPractices(t)
	named := func(sheet string) *Ingester {
		in := testIngester(t)
		in.opts.Sheet = sheet
		return in
	}
	mapped := testIngester(t)
	mapped.opts.Mapping = &Mapping{File: "m.yaml", Sheet: "Form responses 1",
		Columns: []MappedColumn{{Column: "Timestamp", Role: "submitted", role: roleSubmitted}}}
	folder := testIngester(t)
	folder.opts.MappingsDir = t.TempDir()
	os.WriteFile(filepath.Join(folder.opts.MappingsDir, "responses.yaml"),
		[]byte("sheet: form responses 1\nsubmitted: Timestamp\n"), 0o644)
	tests := []struct {
		name   string
		in     *Ingester
		sheet  string // read, or "" for a rejection
		reason string
	}{
		{"first sheet with data", testIngester(t), "", `not one of a known survey export (for example Google Forms "Timestamp, …" or Microsoft Forms "ID, Start time, Completion time, …") and no column is a workstream of the catalogue or the practice question; a mapping file can say what its columns are, or name the sheet to read: the sheet "Notes" was read, the workbook also has "Form responses 1"`},
		{"named sheet, any case", named("FORM RESPONSES 1 "), "Form responses 1", ""},
		{"named sheet missing", named("Responses"), "", `no sheet named "Responses"; its sheets are "Notes", "Form responses 1"`},
		{"sheet of the mapping given", mapped, "Form responses 1", ""},
		{"sheet of a mapping in the folder", folder, "Form responses 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, p, err := parseRows(tt.in, path, ps)
			if tt.sheet == "" {
				if err == nil || !strings.Contains(err.Error(), tt.reason) {
					t.Fatalf("got %v, want a rejection mentioning %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.layout.Sheet != tt.sheet || len(rows) == 0 {
				t.Errorf("read sheet %q with %d rows, want %q with respondents", p.layout.Sheet, len(rows), tt.sheet)
			}
		})
	}
}
