package schedules

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// exampleExports are the bundled example exports, whose respondents name
// the practices of examples/practices.csv.
var exampleExports = []string{
	"../examples/inbox/practice-it-priorities-google-forms.csv",
	"../examples/inbox/practice-it-priorities-microsoft-forms.xlsx",
}

// rankAfter loads the example practices into a fresh database, ingests
// files in the order given and returns the ranking (not stored).
func rankAfter(t *testing.T, files ...string) survey.Ranking {
	t.Helper()
	ctx := context.Background()
	st := storetest.NewStore(t)
	f, err := os.Open("../examples/practices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ingest.ReadPractices(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertPractices(ctx, ps); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(st, ingest.Options{HMACKey: []byte("test")})
	for _, file := range files {
		if _, err := in.IngestFile(ctx, file); err != nil {
			t.Fatalf("ingest %s: %v", file, err)
		}
	}
	opts := analysis.DefaultOptions()
	opts.Now = func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) }
	r, err := analysis.Run(ctx, st, survey.DefaultCatalogue(), opts, false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRankingIgnoresFileOrderAndDuplicates checks two properties of the
// whole path from export to ranking: the order files arrive in changes
// nothing, and a file that arrives again, byte for byte or re-saved with
// other line ends (so with another digest but the same respondents),
// changes nothing either.
func TestRankingIgnoresFileOrderAndDuplicates(t *testing.T) {
	csv, xlsx := exampleExports[0], exampleExports[1]
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	resaved := filepath.Join(t.TempDir(), "resaved.csv")
	if err := os.WriteFile(resaved, bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(b, bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))) {
		t.Fatal("the example CSV has no CRLF line ends to change")
	}
	want := rankAfter(t, csv, xlsx)
	ignore := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Files" }, cmp.Ignore())
	for name, files := range map[string][]string{
		"other order":      {xlsx, csv},
		"same file twice":  {csv, xlsx, csv},
		"re-saved re-sent": {csv, xlsx, resaved},
	} {
		got := rankAfter(t, files...)
		if diff := cmp.Diff(want, got, ignore); diff != "" {
			t.Errorf("%s: the ranking changed (-want +got):\n%s", name, diff)
		}
		if want.Respondents != got.Respondents {
			t.Errorf("%s: %d respondents, want %d", name, got.Respondents, want.Respondents)
		}
	}
}
