package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// loadWarnedFile loads one file whose rows carry the given warnings, one
// row per entry.
func loadWarnedFile(t *testing.T, st *store.Store, name string, fileWarns []store.Warning, rows [][]store.Warning) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv", Warnings: fileWarns}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return &store.RespondentRow{Row: i + 1, Key: name + "/" + string(rune('a'+i)), Warnings: rows[i-1]}, nil
	}
	if _, err := st.LoadFile(context.Background(), f, next); err != nil {
		t.Fatal(err)
	}
}

func TestWarningsAndFileQualities(t *testing.T) {
	st := storetest.NewStore(t)
	loaded := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return loaded }
	ctx := context.Background()
	unmatched := store.Warning{Column: `B "Practice"`, Code: "practice_unmatched", Value: "Banbury",
		Message: "no practice in the registry has this name" + store.PracticeCandidatesMarker + "Banbury Cross (K84001); Isis (K84002)"}
	bare := store.Warning{Column: `B "Practice"`, Code: "practice_unmatched", Value: "Nowhere",
		Message: "no practice in the registry has this name"}
	ambiguous := store.Warning{Column: `B "Practice"`, Code: "practice_ambiguous", Value: "Bridge Street",
		Message: "more than one practice in the registry has this core-name" + store.PracticeCandidatesMarker + "Bridge Street (K84020); Bridge Street (K84021)"}
	offScale := store.Warning{Column: `C "Cyber"`, Code: "answer_off_scale", Value: "Sometimes", Message: "not on the scale"}
	loadWarnedFile(t, st, "b.csv", []store.Warning{{Row: 1, Code: "column_ignored", Message: "ignored"}},
		[][]store.Warning{{unmatched, offScale}, nil, {ambiguous}})
	loadWarnedFile(t, st, "a.csv", nil, [][]store.Warning{{bare}, {offScale}})
	loadWarnedFile(t, st, "c.csv", nil, [][]store.Warning{nil})

	var got []store.RowWarning
	for w, err := range st.Warnings(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, w)
	}
	want := []store.RowWarning{
		{File: "a.csv", Row: 2, Column: `B "Practice"`, Code: "practice_unmatched", Message: "no practice in the registry has this name", Value: "Nowhere"},
		{File: "a.csv", Row: 3, Column: `C "Cyber"`, Code: "answer_off_scale", Message: "not on the scale", Value: "Sometimes"},
		{File: "b.csv", Row: 1, Code: "column_ignored", Message: "ignored"},
		{File: "b.csv", Row: 2, Column: `C "Cyber"`, Code: "answer_off_scale", Message: "not on the scale", Value: "Sometimes"},
		{File: "b.csv", Row: 2, Column: `B "Practice"`, Code: "practice_unmatched", Message: "no practice in the registry has this name",
			Value: "Banbury", Candidates: "Banbury Cross (K84001); Isis (K84002)"},
		{File: "b.csv", Row: 4, Column: `B "Practice"`, Code: "practice_ambiguous", Message: "more than one practice in the registry has this core-name",
			Value: "Bridge Street", Candidates: "Bridge Street (K84020); Bridge Street (K84021)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Warnings (-want +got):\n%s", diff)
	}
	n := 0
	for range st.Warnings(ctx) {
		if n++; n == 2 {
			break // stopping early releases the connection
		}
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("after stopping a sequence early: %v", err)
	}

	fq, err := st.FileQualities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantFQ := []store.FileQuality{
		{File: "b.csv", Platform: "test", Respondents: 3, Warnings: map[string]int{"column_ignored": 1, "practice_unmatched": 1, "answer_off_scale": 1, "practice_ambiguous": 1}},
		{File: "a.csv", Platform: "test", Respondents: 2, Warnings: map[string]int{"practice_unmatched": 1, "answer_off_scale": 1}},
		{File: "c.csv", Platform: "test", Respondents: 1, Warnings: map[string]int{}},
	}
	for i := range fq {
		if !fq[i].LoadedAt.Equal(loaded) {
			t.Errorf("%s loaded at %v, want %v", fq[i].File, fq[i].LoadedAt, loaded)
		}
		fq[i].LoadedAt = time.Time{}
	}
	if diff := cmp.Diff(wantFQ, fq); diff != "" {
		t.Errorf("FileQualities (-want +got):\n%s", diff)
	}
}

// TestPartialResponses loads a file with partial responses, one stored and
// two left out: the load result, the file row and its quality count them.
func TestPartialResponses(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	rows := []*store.RespondentRow{
		{Row: 2, Key: "p/a"},
		{Row: 3, Key: "p/b", Partial: true},
		{Row: 4, Partial: true, Excluded: true, Warnings: []store.Warning{{Code: "practice_unmatched", Message: "never stored"}}},
		{Row: 5, Partial: true, Excluded: true},
	}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}
	sum := sha256.Sum256([]byte("partial"))
	res, err := st.LoadFile(ctx, store.SourceFile{Name: "p.csv", SHA256: hex.EncodeToString(sum[:]), Platform: "test", Format: "csv"}, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2 || res.Respondents != 2 || res.Partial != 1 || res.PartialExcluded != 2 || res.Warnings != 0 {
		t.Errorf("LoadFile = %+v; want 2 rows and respondents, 1 partial stored, 2 left out, no warnings", res)
	}
	fq, err := st.FileQualities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FileQuality{{File: "p.csv", Platform: "test", Respondents: 2, PartialLoaded: 1, PartialExcluded: 2,
		Warnings: map[string]int{store.PartialLoadedCode: 1, store.PartialExcludedCode: 2}}}
	if diff := cmp.Diff(want, fq, cmpopts.IgnoreFields(store.FileQuality{}, "LoadedAt")); diff != "" {
		t.Errorf("FileQualities (-want +got):\n%s", diff)
	}
}
