package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

const (
	exampleCSV  = "../examples/inbox/practice-it-priorities-google-forms.csv"
	exampleXLSX = "../examples/inbox/practice-it-priorities-microsoft-forms.xlsx"
)

// testNow is the clock of the database tests.
var testNow = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// setup returns an ingester on a fresh database holding the example
// practice registry.
func setup(t *testing.T) (*Ingester, *store.Store) {
	t.Helper()
	st := storetest.NewStore(t)
	if _, err := st.UpsertPractices(context.Background(), examplePractices(t)); err != nil {
		t.Fatal(err)
	}
	return New(st, Options{HMACKey: testKey, Now: func() time.Time { return testNow }}), st
}

func counts(t *testing.T, st *store.Store) map[string]int64 {
	t.Helper()
	c, err := st.TableCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIngestExamples(t *testing.T) {
	in, st := setup(t)
	ctx := context.Background()
	tests := []struct {
		path                                 string
		platform                             string
		respondents, unmatched, practiceless int
	}{
		{exampleCSV, "google-forms", 25, 1, 0},
		{exampleXLSX, "microsoft-forms", 15, 0, 0},
	}
	for _, tt := range tests {
		res, err := in.IngestFile(ctx, tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if res.Status != StatusLoaded || res.Platform != tt.platform || res.Respondents != tt.respondents || res.Rows != tt.respondents {
			t.Errorf("%s: got %+v, want loaded %s with %d respondents", tt.path, res, tt.platform, tt.respondents)
		}
		if want := nonBlankAnswers(t, in, tt.path); res.Answers != want {
			t.Errorf("%s: %d answers stored, want %d", tt.path, res.Answers, want)
		}
		ws, err := st.FileWarnings(ctx, res.FileID)
		if err != nil {
			t.Fatal(err)
		}
		if got := countCode(ws, "practice_unmatched"); got != tt.unmatched {
			t.Errorf("%s: %d unmatched practices, want %d: %+v", tt.path, got, tt.unmatched, ws)
		}
	}
	c := counts(t, st)
	if c["respondents"] != 40 || c["source_files"] != 2 || c["comments"] == 0 {
		t.Errorf("after loading the examples: %v", c)
	}
}

// nonBlankAnswers counts the answers a file holds, by parsing it.
func nonBlankAnswers(t *testing.T, in *Ingester, path string) int {
	t.Helper()
	rows, _, err := parseRows(in, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		for _, a := range r.Answers {
			if a.Raw != "" {
				n++
			}
		}
	}
	return n
}

func countCode(ws []store.Warning, code string) int {
	n := 0
	for _, w := range ws {
		if w.Code == code {
			n++
		}
	}
	return n
}

func TestIngestSameBytesTwice(t *testing.T) {
	in, st := setup(t)
	ctx := context.Background()
	first, err := in.IngestFile(ctx, exampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	before := counts(t, st)
	copyPath := filepath.Join(t.TempDir(), "renamed.csv")
	copyFile(t, exampleCSV, copyPath)
	for _, p := range []string{exampleCSV, copyPath} {
		res, err := in.IngestFile(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != StatusDuplicate || res.FileID != first.FileID || res.Respondents != 0 {
			t.Errorf("%s again: got %+v, want duplicate of file %d", p, res, first.FileID)
		}
	}
	if diff := cmp.Diff(before, counts(t, st)); diff != "" {
		t.Errorf("a duplicate changed the database (-before +after):\n%s", diff)
	}
}

func TestIngestReexportAddsOnlyNew(t *testing.T) {
	in, st := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	early := filepath.Join(dir, "early.csv")
	writeFirstRecords(t, exampleCSV, early, 1+10)
	res, err := in.IngestFile(ctx, early)
	if err != nil || res.Respondents != 10 {
		t.Fatalf("early export: %+v, %v; want 10 respondents", res, err)
	}
	res, err = in.IngestFile(ctx, exampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 25 || res.Respondents != 15 || res.Duplicates != 10 {
		t.Errorf("full export: got rows %d, new %d, duplicates %d; want 25, 15, 10", res.Rows, res.Respondents, res.Duplicates)
	}
	if c := counts(t, st); c["respondents"] != 25 {
		t.Errorf("respondents stored: %d, want 25", c["respondents"])
	}
}

// writeFirstRecords writes the first n records of a CSV file, re-quoted.
func writeFirstRecords(t *testing.T, src, dst string, n int) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.WriteAll(recs[:n])
	if err := os.WriteFile(dst, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIngestRejectionLeavesDatabaseUnchanged(t *testing.T) {
	in, st := setup(t)
	ctx := context.Background()
	if _, err := in.IngestFile(ctx, exampleXLSX); err != nil {
		t.Fatal(err)
	}
	late := filepath.Join(t.TempDir(), "late-error.csv")
	writeLateError(t, late, 3000)
	files := append([]string{late}, mustGlob(t, "testdata/reject_*")...)
	for _, f := range files {
		before := counts(t, st)
		res, err := in.IngestFile(ctx, f)
		var rej *RejectError
		if !errors.As(err, &rej) || res.Status != StatusRejected || res.Reason == "" {
			t.Errorf("%s: got %+v, %v; want a rejection", f, res, err)
		}
		if diff := cmp.Diff(before, counts(t, st)); diff != "" {
			t.Errorf("%s changed the database (-before +after):\n%s", f, diff)
		}
		if f == late && (rej == nil || rej.Row != 3001 || !strings.Contains(res.Reason, "row 3001")) {
			t.Errorf("late error: reason %q; want it to name row 3001, where the file went wrong", res.Reason)
		}
	}
}

// writeLateError writes a valid Google Forms export of n rows whose last
// row is malformed, so the error comes after most rows were copied.
func writeLateError(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Timestamp,Which practice?,Priority [Cyber Security],Priority [Printing]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "24/11/2026 10:%02d:%02d,K84501,High,Row %d\n", i/60%60, i%60, i)
	}
	b.WriteString("24/11/2026 11:00:00,K84501,High,Low,unexpected\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := New(nil, Options{HMACKey: testKey}).inspect(path)
	if err != nil || res.Platform != "google-forms" {
		t.Fatalf("late-error fixture: %+v, %v", res, err)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("glob %s: %v, %d files", pattern, err, len(m))
	}
	return m
}

// TestIngestPanicIsRejection makes a shape panic and checks the file is
// rejected rather than crashing the worker.
func TestIngestPanicIsRejection(t *testing.T) {
	in, st := setup(t)
	saved := shapes
	t.Cleanup(func() { shapes = saved })
	shapes = []*shape{{platform: "broken", detect: func([][]string) (int, bool) { panic("detector bug") }}}
	before := counts(t, st)
	res, err := in.IngestFile(context.Background(), exampleCSV)
	var rej *RejectError
	if !errors.As(err, &rej) || !strings.Contains(res.Reason, "detector bug") {
		t.Errorf("got %+v, %v; want a rejection naming the panic", res, err)
	}
	if diff := cmp.Diff(before, counts(t, st)); diff != "" {
		t.Errorf("database changed (-before +after):\n%s", diff)
	}
}

// TestNoteBesideTheDataIsStoredMasked loads a workbook with a note typed
// beside the data, in a column without a header: the value stored with
// its cell_outside_header warning has e-mail addresses, NHS numbers and
// phone numbers masked, as every other stored warning value has.
func TestNoteBesideTheDataIsStoredMasked(t *testing.T) {
	nhs := validNHSNumbers(1, 943476591)[0]
	tests := []struct {
		name, note, want string
	}{
		{"plain", "called back 25/11", "called back 25/11"},
		{"e-mail", "ask amina.mwangi@example.org", "ask " + emailMask},
		{"NHS number", "patient " + spaced(nhs), "patient " + nhsMask},
		{"phone", "call 07700 900123", "call " + phoneMask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, st := setup(t)
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "notes.xlsx")
			sheet := strings.Replace(quirksSheet, "called back 25/11", tt.note, 1)
			if err := os.WriteFile(path, quirksWorkbook(sheet), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := in.IngestFile(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			ws, _, err := st.FileRowWarnings(ctx, res.FileID, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ws {
				if w.Code == "cell_outside_header" {
					got = append(got, w.Value)
				}
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("cell_outside_header values (-want +got):\n%s", diff)
			}
		})
	}
}
