package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPartialResponses counts the responses each platform marks partial,
// leaving them out by default and loading them when configured.
func TestPartialResponses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path        string
		respondents, part int // respondents with partial responses left out, and partial ones
	}{
		{"surveygizmo Status", "testdata/surveygizmo_priorities.csv", 3, 1},
		{"redcap form status", "testdata/redcap_longitudinal_priorities.csv", 3, 1},
		{"qualtrics Finished", write("qualtrics.csv", "StartDate,EndDate,Finished,ResponseId,Q1,Q2_1\n"+
			"Start Date,End Date,Finished,Response ID,Which practice do you work at?,Priority - Cyber Security\n"+
			`"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""finished""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_1""}"`+"\n"+
			"2026-11-03 09:12:40,2026-11-03 09:15:02,1,R_1,Jericho,High\n"+
			"2026-11-03 10:12:40,2026-11-03 10:15:02,0,R_2,Jericho,\n"+
			"2026-11-03 11:12:40,2026-11-03 11:15:02,False,R_3,Jericho,Low\n"), 1, 2},
		{"limesurvey without a submit date", write("lime.csv", "id,submitdate,lastpage,startlanguage,seed,Which practice?,Priority [Cyber Security]\n"+
			"1,2026-11-03 09:15:02,2,en,1,Jericho,High\n2,,1,en,2,Jericho,\n"), 1, 1},
		{"typeform Response Type", write("typeform.csv", "#,Which practice?,Cyber Security,Response Type,Start Date (UTC),Submit Date (UTC),Network ID\n"+
			"a1,Jericho,High,completed,2026-11-03 09:12:40,2026-11-03 09:15:02,n1\n"+
			"a2,Jericho,,partial,2026-11-03 10:12:40,,n2\n"), 1, 1},
		{"google forms has no such mark", "testdata/equivalence_google_forms.csv", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []Partial{PartialExclude, PartialInclude} {
				in := testIngester(t)
				in.opts.Partial = p
				got, err := in.Inspect(tt.path)
				if err != nil {
					t.Fatal(err)
				}
				want := tt.respondents
				if p == PartialInclude {
					want += tt.part
				}
				if got.Respondents != want || got.Partial != tt.part || got.Problem != "" {
					t.Errorf("%s: %d respondents, %d partial, problem %q; want %d and %d", p, got.Respondents, got.Partial, got.Problem, want, tt.part)
				}
			}
		})
	}
}

// TestIngestPartialResponses loads exports with partial responses, left
// out and included: the result and the file's quality count them.
func TestIngestPartialResponses(t *testing.T) {
	for _, p := range []Partial{PartialExclude, PartialInclude} {
		t.Run(p.String(), func(t *testing.T) {
			in, st := setup(t)
			in.opts.Partial = p
			res, err := in.IngestFile(context.Background(), "testdata/surveygizmo_priorities.csv")
			if err != nil {
				t.Fatal(err)
			}
			excluded, respondents := 1, 3
			if p == PartialInclude {
				excluded, respondents = 0, 4
			}
			if res.Partial != 1 || res.PartialExcluded != excluded || res.Respondents != respondents {
				t.Errorf("IngestFile = %d partial, %d left out, %d respondents; want 1, %d, %d",
					res.Partial, res.PartialExcluded, res.Respondents, excluded, respondents)
			}
			fq, err := st.FileQualities(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(fq) != 1 || fq[0].PartialExcluded != excluded || fq[0].PartialLoaded != 1-excluded {
				t.Errorf("FileQualities = %+v; want the file with %d partial left out", fq, excluded)
			}
		})
	}
}
