package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

// TestQuarantinedFiles rejects a file through the inbox and reads it back
// with a reason file written before positions were recorded.
func TestQuarantinedFiles(t *testing.T) {
	in, _ := setup(t)
	inbox := t.TempDir()
	copyFile(t, "testdata/reject_bare_quote.csv", filepath.Join(inbox, "bad.csv"))
	if _, err := in.ProcessInbox(context.Background(), inbox); err != nil {
		t.Fatal(err)
	}
	old := "file: old.csv\nrejected: 2026-11-01T08:00:00Z\nsha256: 00\nreason: old.csv: no workstream columns\n"
	if err := os.WriteFile(filepath.Join(inbox, QuarantineDir, "old.csv.reason-2.txt"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := QuarantinedFiles(inbox)
	if err != nil {
		t.Fatal(err)
	}
	want := []survey.RejectedFile{
		{File: "old.csv", RejectedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), Reason: "old.csv: no workstream columns"},
		{File: "bad.csv", RejectedAt: time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC), Row: 3},
	}
	if len(got) == 2 {
		if got[1].Reason == "" {
			t.Errorf("bad.csv: no reason")
		}
		want[1].Reason = got[1].Reason
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QuarantinedFiles (-want +got):\n%s", diff)
	}
	for _, dir := range []string{"", filepath.Join(inbox, "missing")} {
		if got, err := QuarantinedFiles(dir); err != nil || got != nil {
			t.Errorf("QuarantinedFiles(%q) = %v, %v; want none", dir, got, err)
		}
	}
}

func TestRejectPositionLines(t *testing.T) {
	tests := []struct {
		err  *RejectError
		want string
	}{
		{&RejectError{File: "a.csv", Reason: "no header"}, "problem: no header\n"},
		{&RejectError{File: "a.csv", Row: 4, Column: "C", Header: "Which\npractice?", Reason: "bad cell", Err: os.ErrInvalid},
			"row: 4\ncolumn: C \"Which\\npractice?\"\nproblem: bad cell: invalid argument\n"},
		{&RejectError{File: "a.csv", Reason: "two\nlines"}, "problem: two lines\n"},
	}
	for _, tt := range tests {
		if got := tt.err.positionLines(); got != tt.want {
			t.Errorf("positionLines(%+v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
