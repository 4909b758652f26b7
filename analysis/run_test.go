package analysis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var answerText = map[string]string{"VH": "Very high priority", "H": "High priority", "M": "Medium priority",
	"L": "Low priority", "N": "Not a priority", "DK": "Don't know"}

// loadResponses stores rs as one file, with their practices registered.
func loadResponses(t *testing.T, st *store.Store, name string, workstreams []string, rs []response) {
	t.Helper()
	ctx := context.Background()
	for _, r := range rs {
		if r.practice == "" {
			continue
		}
		p := survey.Practice{ODSCode: r.practice, Name: "Practice " + r.practice, Federation: r.federation}
		if _, err := st.UpsertPractices(ctx, []survey.Practice{p}); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv", Workstreams: workstreams}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rs) {
			return nil, io.EOF
		}
		r := rs[i]
		i++
		row := &store.RespondentRow{Row: i + 1, Key: fmt.Sprintf("%s/%d", name, i), PracticeODS: r.practice, Role: r.role}
		for _, ws := range workstreams {
			code := r.answers[ws]
			v, scored := levels[code]
			row.Answers = append(row.Answers, store.Answer{Raw: answerText[code], Score: v, Scored: scored})
		}
		return row, nil
	}
	if _, err := st.LoadFile(ctx, f, next); err != nil {
		t.Fatal(err)
	}
}

func TestRunFromDatabase(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	cat := mustCatalogue(t, exampleCatalogue)
	// The respondent whose practice was not matched counts in Respondents
	// but in no practice priority.
	loadResponses(t, st, "example.csv", cat.IDs(), exampleResponses)

	got, err := Run(ctx, st, cat, testOptions(), false)
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Ranking{CreatedAt: testTime, Method: Method, Weights: DefaultWeights(),
		Respondents: 5, Practices: 3, Files: 1, Rows: exampleRows()}
	if diff := cmp.Diff(want, got, approx6, pointOnly); diff != "" {
		t.Errorf("ranking from the database (-want +got):\n%s", diff)
	}
	if _, err := st.LatestRanking(ctx); err == nil {
		t.Errorf("Run without save stored a ranking")
	}

	saved, err := Run(ctx, st, cat, testOptions(), true)
	if err != nil {
		t.Fatal(err)
	}
	if saved.RunID == 0 {
		t.Fatal("saved ranking has no run id")
	}
	latest, err := st.LatestRanking(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&saved, latest, cmp.Comparer(func(a, b float64) bool { return a == b })); diff != "" {
		t.Errorf("stored ranking (-computed +stored):\n%s", diff)
	}
}

// TestRunMatchesCompute checks that the SQL aggregation agrees with the
// aggregation in Go over the whole roadmap fixture.
func TestRunMatchesCompute(t *testing.T) {
	st := storetest.NewStore(t)
	cat := survey.DefaultCatalogue()
	rs := readRoadmapSurvey(t)
	loadResponses(t, st, "roadmap.csv", cat.IDs(), rs)
	got, err := Run(context.Background(), st, cat, testOptions(), false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Compute(cat, aggregate(rs), store.Totals{Respondents: len(rs), Practices: 12, Files: 1}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Run adds the role segments after the federations.
	want.Segments = append(want.Segments, RoleSegments(cat, roleScores(rs), nil)...)
	if diff := cmp.Diff(want, got, approx6); diff != "" {
		t.Errorf("Run (-Compute +Run):\n%s", diff)
	}
}

// TestRunComparesWithPreviousRun runs twice with a file loaded between the
// runs, and checks the second run's movement and role segments against the
// same computations in Go.
func TestRunComparesWithPreviousRun(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	cat := survey.DefaultCatalogue()
	rs := readRoadmapSurvey(t)
	loadResponses(t, st, "first.csv", cat.IDs(), rs[:10])
	first, err := Run(ctx, st, cat, testOptions(), true)
	if err != nil {
		t.Fatal(err)
	}
	if first.Previous != nil || first.Rows[0].RankChange != nil {
		t.Errorf("first run: previous %+v, rank change %v; want none", first.Previous, first.Rows[0].RankChange)
	}
	loadResponses(t, st, "second.csv", cat.IDs(), rs[10:])
	second, err := Run(ctx, st, cat, testOptions(), true)
	if err != nil {
		t.Fatal(err)
	}
	if second.Previous == nil || second.Previous.RunID != first.RunID || second.NewResponses != len(rs)-10 {
		t.Fatalf("second run: previous %+v, new responses %d; want run %d and %d", second.Previous,
			second.NewResponses, first.RunID, len(rs)-10)
	}
	want := second
	want.Rows = slices.Clone(second.Rows)
	Compare(&want, &first)
	if diff := cmp.Diff(want.Rows, second.Rows); diff != "" {
		t.Errorf("movement (-Compare +Run):\n%s", diff)
	}
	roles := second.Segments[len(second.Segments)-len(RoleSegments(cat, roleScores(rs), nil)):]
	if diff := cmp.Diff(RoleSegments(cat, roleScores(rs), nil), roles, approx6); diff != "" {
		t.Errorf("role segments (-Go +SQL):\n%s", diff)
	}
	prev, err := st.PreviousRanking(ctx, second.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&first, prev, cmp.Comparer(func(a, b float64) bool { return a == b })); diff != "" {
		t.Errorf("previous ranking (-first +stored):\n%s", diff)
	}
}
