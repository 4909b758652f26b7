package ingest

import (
	"path/filepath"
	"testing"
)

func TestInspect(t *testing.T) {
	tests := []struct {
		file        string
		platform    string
		respondents int
		workstreams int
		problem     bool
	}{
		{"../examples/inbox/practice-it-priorities-google-forms.csv", "google-forms", 25, 21, false},
		{"../examples/inbox/practice-it-priorities-microsoft-forms.xlsx", "microsoft-forms", 15, 21, false},
		{"testdata/surveymonkey_priorities.csv", "surveymonkey", 3, 0, false},
		{"testdata/qualtrics_choice_text.csv", "qualtrics", 3, 0, false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			got, err := testIngester(t).Inspect(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			ws := 0
			for _, c := range got.Columns {
				if c.Workstream != "" {
					ws++
				}
			}
			if got.Platform != tt.platform || got.Respondents != tt.respondents || (got.Problem != "") != tt.problem {
				t.Errorf("Inspect = platform %q, respondents %d, problem %q; want %q, %d, problem %v",
					got.Platform, got.Respondents, got.Problem, tt.platform, tt.respondents, tt.problem)
			}
			if tt.workstreams > 0 && ws != tt.workstreams {
				t.Errorf("workstream columns = %d, want %d", ws, tt.workstreams)
			}
			if ws == 0 {
				t.Errorf("no workstream columns found")
			}
		})
	}
}

func TestInspectDescribesRejectedFile(t *testing.T) {
	got, err := testIngester(t).Inspect("testdata/reject_no_workstreams.csv")
	if err != nil {
		t.Fatalf("Inspect of a file without workstreams: %v; want a description, not an error", err)
	}
	if got.Problem == "" || len(got.Columns) == 0 {
		t.Errorf("Inspect of a file without workstreams = %+v; want its columns and a problem", got)
	}
}
