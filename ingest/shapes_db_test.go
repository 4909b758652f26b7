package ingest

import (
	"context"
	"testing"
)

// TestIngestMultiRowShapes loads the fixtures of the platforms with
// response IDs: the same responses in another container, encoding or
// heading format of the same platform are recognised by their respondent
// IDs and add nobody.
func TestIngestMultiRowShapes(t *testing.T) {
	in, st := setup(t)
	ctx := context.Background()
	tests := []struct {
		file                    string
		platform                string
		respondents, duplicates int
	}{
		{"testdata/surveymonkey_priorities.csv", "surveymonkey", 3, 0},
		{"testdata/surveymonkey_priorities.xlsx", "surveymonkey", 0, 3},
		{"testdata/surveymonkey_expanded.csv", "surveymonkey", 0, 3},
		{"testdata/qualtrics_choice_text.csv", "qualtrics", 3, 0},
		{"testdata/qualtrics_choice_text_utf16.tsv", "qualtrics", 0, 3},
		{"testdata/qualtrics_legacy_numeric.csv", "qualtrics", 0, 3},
		{"testdata/smartsurvey_priorities.csv", "smartsurvey", 3, 0},
		{"testdata/smartsurvey_priorities.xlsx", "smartsurvey", 0, 3},
		{"testdata/limesurvey_full_headings.csv", "limesurvey", 3, 0},
		{"testdata/limesurvey_code_headings.csv", "limesurvey", 0, 3},
		{"testdata/jisc_priorities.csv", "jisc", 3, 0},
		{"testdata/typeform_priorities.csv", "typeform", 3, 0},
	}
	for _, tt := range tests {
		res, err := in.IngestFile(ctx, tt.file)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if res.Status != StatusLoaded || res.Platform != tt.platform || res.Respondents != tt.respondents || res.Duplicates != tt.duplicates {
			t.Errorf("%s: got %s %s, %d new, %d duplicates; want loaded %s, %d new, %d duplicates", tt.file,
				res.Status, res.Platform, res.Respondents, res.Duplicates, tt.platform, tt.respondents, tt.duplicates)
		}
	}
	if c := counts(t, st); c["respondents"] != 18 {
		t.Errorf("respondents stored: %d, want 18", c["respondents"])
	}
}
