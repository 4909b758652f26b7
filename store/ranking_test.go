package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// answerRow is one respondent of a test file: practice "" is unmatched, and
// each answer is a score or missing (nil) for the workstream at the same
// index of the file's workstreams.
type answerRow struct {
	practice string
	answers  []*float64
}

func scorePtr(v float64) *float64 { return &v }

// loadScoredFile loads rows as one file through [store.Store.LoadFile].
func loadScoredFile(t *testing.T, st *store.Store, name string, workstreams []string, rows []answerRow) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv", Workstreams: workstreams}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		r := rows[i]
		i++
		out := &store.RespondentRow{Row: i + 1, Key: name + "/" + string(rune('a'+i)), PracticeODS: r.practice}
		for _, a := range r.answers {
			if a == nil {
				out.Answers = append(out.Answers, store.Answer{Raw: "Don't know"})
			} else {
				out.Answers = append(out.Answers, store.Answer{Raw: "x", Score: *a, Scored: true})
			}
		}
		return out, nil
	}
	if _, err := st.LoadFile(context.Background(), f, next); err != nil {
		t.Fatal(err)
	}
}

func TestPracticeScoresAndTotals(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	_, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North Oxfordshire", ListSize: 12000},
		{ODSCode: "K84002", Name: "Isis", Federation: "Oxford City"},
		{ODSCode: "K84003", Name: "Not answering"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ws := []string{"cyber-security", "printing"}
	loadScoredFile(t, st, "a.csv", ws, []answerRow{
		{"K84001", []*float64{scorePtr(1), scorePtr(0.75)}},
		{"K84001", []*float64{scorePtr(0.5), nil}},
		{"K84002", []*float64{nil, nil}},
		{"", []*float64{scorePtr(0), scorePtr(0)}}, // unmatched: not counted
	})
	loadScoredFile(t, st, "b.csv", ws[:1], []answerRow{{"K84001", []*float64{scorePtr(0.75)}}})

	got, err := st.PracticeScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PracticeScore{
		{Practice: "K84001", Federation: "North Oxfordshire", ListSize: 12000, Workstream: "cyber-security", Mean: 0.75, Scored: 3, Respondents: 3},
		{Practice: "K84001", Federation: "North Oxfordshire", ListSize: 12000, Workstream: "printing", Mean: 0.75, Scored: 1, Respondents: 2},
		{Practice: "K84002", Federation: "Oxford City", Workstream: "cyber-security", Scored: 0, Respondents: 1},
		{Practice: "K84002", Federation: "Oxford City", Workstream: "printing", Scored: 0, Respondents: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("practice scores (-want +got):\n%s", diff)
	}

	totals, err := st.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Totals{Respondents: 5, Practices: 2, Files: 2}); totals != want {
		t.Errorf("totals: got %+v, want %+v", totals, want)
	}
}

func TestPracticeScoresEmpty(t *testing.T) {
	st := storetest.NewStore(t)
	got, err := st.PracticeScores(context.Background())
	if err != nil || len(got) != 0 {
		t.Errorf("PracticeScores on an empty database = %v, %v; want none", got, err)
	}
}

func sampleRanking(at time.Time) *survey.Ranking {
	return &survey.Ranking{
		CreatedAt: at, Method: "mcda-v1",
		Weights:     survey.Weights{Survey: 0.4, Impact: 0.25, GPFV: 0.15, Dependencies: 0.2},
		Respondents: 7, Practices: 3, Files: 2,
		Rows: []survey.RankedWorkstream{
			{Rank: 1, WorkstreamID: "cyber-security", Workstream: "Cyber Security", Tier: survey.TierVeryHigh,
				BaseTier: survey.TierVeryHigh, Score: 0.95, PracticePriority: 0.875, Top2Share: 1, Practices: 3,
				GPFV: true, Impact: 5, Dependents: 11,
				Contributions: survey.Contributions{Survey: 0.35, GPFV: 0.15, Impact: 0.25, Dependencies: 0.2}},
			{Rank: 2, WorkstreamID: "wifi", Workstream: "Wifi", Tier: survey.TierMandated, BaseTier: survey.TierMedium,
				Score: 0.4, Mandated: true, GPFV: true, Impact: 2, Dependents: 1},
			{Rank: 2, WorkstreamID: "patient-online", Workstream: "Patient Online", Tier: survey.TierMandated,
				BaseTier: survey.TierMedium, Score: 0.4, Mandated: true, GPFV: true, Impact: 3},
		},
	}
}

func TestSaveRankingRoundTrip(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.LatestRanking(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestRanking with none stored: got %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	first := sampleRanking(at)
	if _, err := st.SaveRanking(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := sampleRanking(at.Add(time.Hour))
	second.Rows = second.Rows[:1]
	id, err := st.SaveRanking(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 || second.RunID != id || first.RunID == id {
		t.Errorf("run ids: first %d, second %d, returned %d", first.RunID, second.RunID, id)
	}

	got, err := st.LatestRanking(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(second, got, timeEqual); diff != "" {
		t.Errorf("latest ranking (-want +got):\n%s", diff)
	}
	got, err = st.Ranking(ctx, first.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, got, timeEqual); diff != "" {
		t.Errorf("first ranking (-want +got):\n%s", diff)
	}
	if _, err := st.Ranking(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ranking(unknown id): got %v, want ErrNotFound", err)
	}
}

func TestSaveRankingIsAtomic(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	r := sampleRanking(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	r.Rows = append(r.Rows, r.Rows[0]) // duplicate workstream violates the primary key
	if _, err := st.SaveRanking(ctx, r); err == nil {
		t.Fatal("SaveRanking with a duplicate row: got nil error")
	}
	if _, err := st.LatestRanking(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after a failed save: got %v, want ErrNotFound", err)
	}
}

func TestSaveRankingDefaultsCreatedAt(t *testing.T) {
	st := storetest.NewStore(t)
	at := time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)
	st.Now = func() time.Time { return at }
	r := sampleRanking(time.Time{})
	if _, err := st.SaveRanking(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got, err := st.LatestRanking(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(at) {
		t.Errorf("created at: got %v, want %v", got.CreatedAt, at)
	}
}

func TestRoleScores(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, []survey.Practice{{ODSCode: "K84001", Name: "Banbury Cross"}}); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		practice, role string
		score          *float64
	}{
		{"K84001", "GP partner", scorePtr(1)},
		{"K84001", " GP partner ", scorePtr(0.5)},
		{"K84001", "GP partner", nil},
		{"K84001", "Practice Manager", scorePtr(0.25)},
		{"", "GP partner", scorePtr(0)}, // unmatched: not counted
	}
	sum := sha256.Sum256([]byte("roles.csv"))
	f := store.SourceFile{Name: "roles.csv", SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv",
		Workstreams: []string{"wifi"}}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		r := rows[i]
		i++
		a := store.Answer{Raw: "Don't know"}
		if r.score != nil {
			a = store.Answer{Raw: "x", Score: *r.score, Scored: true}
		}
		return &store.RespondentRow{Row: i + 1, Key: "roles/" + string(rune('a'+i)), PracticeODS: r.practice,
			Role: r.role, Answers: []store.Answer{a}}, nil
	}
	if _, err := st.LoadFile(ctx, f, next); err != nil {
		t.Fatal(err)
	}
	got, err := st.RoleScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.RoleScore{
		{Practice: "K84001", Role: "GP partner", Workstream: "wifi", Sum: 1.5, Scored: 2, Respondents: 3},
		{Practice: "K84001", Role: "Practice Manager", Workstream: "wifi", Sum: 0.25, Scored: 1, Respondents: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("role scores (-want +got):\n%s", diff)
	}
}

// TestPreviousRanking saves three runs, each compared with the one before,
// and checks that the previous run, the movement and the analysis fields
// come back as saved.
func TestPreviousRanking(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	var runs []*survey.Ranking
	for k := range 3 {
		r := sampleRanking(at.Add(time.Duration(k) * time.Hour))
		r.Params = survey.RunParams{Resamples: 1000, Seed: 18446744073709551615, Criteria: "criteria.csv"}
		r.Sensitivity = []survey.WeightMargin{{Criterion: "survey", Weight: 0.4,
			Up: &survey.TierShift{Delta: 0.1, Weight: 0.5, WorkstreamID: "wifi", Workstream: "Wifi",
				From: survey.TierMedium, To: survey.TierHigh}}}
		r.Segments = []survey.Segment{{Kind: "federation", Name: "North", Cells: []survey.SegmentCell{
			{WorkstreamID: "wifi", Practices: 2, Withheld: true}}}}
		up := 1
		r.Rows[0].CILow, r.Rows[0].CIHigh, r.Rows[0].RankLow, r.Rows[0].RankHigh = 0.9, 0.97, 1, 2
		r.Rows[0].TierProbability = 0.987
		if k > 0 {
			prev := runs[k-1]
			r.Previous = &survey.RunRef{RunID: prev.RunID, CreatedAt: prev.CreatedAt, Respondents: prev.Respondents}
			r.Respondents += k
			r.NewResponses = 1
			r.Rows[0].RankChange, r.Rows[0].PreviousTier, r.Rows[0].TierChange = &up, survey.TierHigh, 1
		}
		if _, err := st.SaveRanking(ctx, r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	for k, r := range runs {
		got, err := st.Ranking(ctx, r.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got, timeEqual); diff != "" {
			t.Errorf("run %d (-saved +loaded):\n%s", k, diff)
		}
		prev, err := st.PreviousRanking(ctx, r.RunID)
		if k == 0 {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("before the first run: got %v, want ErrNotFound", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if prev.RunID != runs[k-1].RunID {
			t.Errorf("run %d: previous is %d, want %d", k, prev.RunID, runs[k-1].RunID)
		}
	}
}

// TestWhatIfRunsAreNotLatest stores a regular run, a what-if run and
// checks that the latest and the previous ranking pass over the what-if.
func TestWhatIfRunsAreNotLatest(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	var ids []int64
	for i, whatIf := range []bool{false, true, false} {
		r := &survey.Ranking{CreatedAt: at.Add(time.Duration(i) * time.Hour), Method: "mcda-v1",
			Params: survey.RunParams{Resamples: 1000, Seed: 1, Criteria: "catalogue", WhatIf: whatIf}}
		id, err := st.SaveRanking(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	prev, err := st.PreviousRanking(ctx, ids[2])
	if err != nil || prev.RunID != ids[0] {
		t.Errorf("previous of run %d: %v, %v; want run %d, not the what-if %d", ids[2], prev, err, ids[0], ids[1])
	}
	latest, err := st.LatestRanking(ctx)
	if err != nil || latest.RunID != ids[2] {
		t.Fatalf("latest: %v, %v; want run %d", latest, err, ids[2])
	}
	if _, err := st.SaveRanking(ctx, &survey.Ranking{CreatedAt: at.Add(5 * time.Hour), Method: "mcda-v1",
		Params: survey.RunParams{WhatIf: true}}); err != nil {
		t.Fatal(err)
	}
	if latest, err := st.LatestRanking(ctx); err != nil || latest.RunID != ids[2] {
		t.Errorf("latest after a newer what-if: %v, %v; want run %d", latest, err, ids[2])
	}
}
