package ingest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// csvFile writes rows as a CSV file in a temporary folder and returns its
// path.
func csvFile(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// column returns the header and answers of one column, with a practice
// column and a timestamp beside it so that any file of them is a Google
// Forms export.
func columnFile(t *testing.T, header string, answers ...string) string {
	t.Helper()
	rows := [][]string{{"Timestamp", "Which practice do you work at?", "Priority [Wifi]", header}}
	practices := []string{"Jericho Canal Surgery", "Cowley Road Medical Practice", "K84503", "Banbury Cross Health Centre"}
	for i, a := range answers {
		rows = append(rows, []string{"03/11/2026 09:15:02", practices[i%len(practices)], "High", a})
	}
	return csvFile(t, "column.csv", rows)
}

// inspectColumn inspects the file at path and returns its column D.
func inspectColumn(t *testing.T, path string) InspectedColumn {
	t.Helper()
	got, err := testIngester(t).Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Columns) < 4 {
		t.Fatalf("%d columns, want 4", len(got.Columns))
	}
	return got.Columns[3]
}

// TestColumnsReadByTheirAnswers checks that a header's words make a column
// a workstream, the practice, the role or a comment only when the answers
// read ahead agree, and that inspect says why it refused one.
func TestColumnsReadByTheirAnswers(t *testing.T) {
	tests := []struct {
		name, header string
		answers      []string
		role         string
		workstream   string
		note         string // part of the note, if any
	}{
		{"form status codes named by a generic word", "completion_data_complete", []string{"0", "2", "1", "2", "0"},
			"ignored", "", `only by the word "data"`},
		{"a workstream named in passing, with status codes", "How important is Cyber Security to your team?", []string{"0", "2", "1", "0", "0"},
			"ignored", "", "2 of 5 answers read ahead are priorities"},
		{"a workstream's name over yes and no", "Cyber Security", []string{"Yes", "Yes", "No", "Yes"},
			"ignored", "", "considered as Cyber Security, but 1 of 4"},
		{"a workstream's name over priorities", "Cyber Security", []string{"High", "Low", "5", "Very high priority"},
			"workstream", "cyber-security", "header"},
		{"a workstream by its distinctive words", "How much do you need knowledge from hospital specialists?", []string{"High", "Low", "Medium", "High"},
			"workstream", "specialist-knowledge", `"hospital", "knowledge" and "specialists"`},
		{"the word practice over a slider", "Practice Trial - Sadness", []string{"A little", "The most", "None at all", "A lot"},
			"ignored", "", "considered as the practice, but 0 of 4"},
		{"a yes/no question about the role", "Is your primary role related to tech/IT?", []string{"1", "0", "1", "1", "0"},
			"ignored", "", "considered as the role, but 5 of 5 answers read ahead are yes or no"},
		{"a role question", "What is your role?", []string{"GP Partner", "Practice Manager", "Receptionist", "Practice Nurse"},
			"role", "", ""},
		{"checkbox options with 'any other'", "Please mark any other places you go [Bicycle]", []string{"Bicycle", "Bicycle", "Bicycle"},
			"ignored", "", "one option's label"},
		{"0/1 under a comment's words", "Any other comments? [Agreed]", []string{"1", "0", "1"},
			"ignored", "", "yes/no or 0/1"},
		{"free text", "Any other comments?", []string{"Phones are awful", "More training please", "Fewer passwords"},
			"comment", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := inspectColumn(t, columnFile(t, tt.header, tt.answers...))
			if c.Role != tt.role || c.Workstream != tt.workstream || !strings.Contains(c.Note, tt.note) {
				t.Errorf("column %q read as %s %q, note %q; want %s %q, note with %q", tt.header, c.Role, c.Workstream, c.Note, tt.role, tt.workstream, tt.note)
			}
			if strings.HasPrefix(c.Note, "considered") && c.Confidence != 0 {
				t.Errorf("a refused column has confidence %v, want 0", c.Confidence)
			}
		})
	}
}

// TestOneReasonForARefusedFile checks that a file of no known platform
// whose only candidate workstream column is refused is rejected for it,
// with the column named, and that inspect's columns say the same.
func TestOneReasonForARefusedFile(t *testing.T) {
	path := csvFile(t, "status.csv", [][]string{
		{"participant_id", "notes", "completion_data_complete"},
		{"1", "ok", "2"}, {"2", "late", "0"}, {"3", "", "1"},
	})
	got, err := testIngester(t).Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Problem, "no column is a workstream") || !strings.Contains(got.Problem, "considered and refused: C") {
		t.Errorf("problem %q, want no workstream and column C refused", got.Problem)
	}
	if len(got.WorkstreamColumns) != 0 || got.Columns[2].Role != "ignored" || !strings.Contains(got.Columns[2].Note, "considered") {
		t.Errorf("workstream columns %q, column C %+v; want none, and C refused", got.WorkstreamColumns, got.Columns[2])
	}
}
