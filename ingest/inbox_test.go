package ingest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

func TestReady(t *testing.T) {
	tests := map[string]bool{
		"export.csv": true, "Form Responses 1.xlsx": true, ".hidden.csv": false, "download.csv.part": false,
		"upload.TMP": false, "~$book.xlsx": false, "": false,
	}
	for name, want := range tests {
		if got := Ready(name); got != want {
			t.Errorf("Ready(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestProcessInbox(t *testing.T) {
	in, _ := setup(t)
	inbox := t.TempDir()
	put := func(name, src string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(inbox, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, src, filepath.Join(inbox, name))
	}
	put("a-google.csv", exampleCSV)
	put("b-ms.xlsx", exampleXLSX)
	put("c-same-bytes.csv", exampleCSV)
	put("d-bad.csv", "testdata/reject_bare_quote.csv")
	for _, n := range []string{".e.csv", "f.csv.part", "g.tmp", "~$h.xlsx", "sub/i.csv"} {
		put(n, exampleCSV)
	}
	put("archive/a-google.csv", "testdata/title_rows.csv") // name already taken
	put("quarantine/d-bad.csv", "testdata/title_rows.csv")

	results, err := in.ProcessInbox(context.Background(), inbox)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct{ File, Status, MovedTo string }
	var got []outcome
	for _, r := range results {
		rel, _ := filepath.Rel(inbox, r.MovedTo)
		got = append(got, outcome{r.File, r.Status, rel})
	}
	want := []outcome{
		{"a-google.csv", StatusLoaded, "archive/a-google-2.csv"},
		{"b-ms.xlsx", StatusLoaded, "archive/b-ms.xlsx"},
		{"c-same-bytes.csv", StatusDuplicate, "archive/c-same-bytes.csv"},
		{"d-bad.csv", StatusRejected, "quarantine/d-bad-2.csv"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{".e.csv", "archive", "f.csv.part", "g.tmp", "quarantine", "sub", "~$h.xlsx"}, dirNames(t, inbox)); diff != "" {
		t.Errorf("left in inbox (-want +got):\n%s", diff)
	}
	checkReason(t, filepath.Join(inbox, "quarantine/d-bad-2.csv"+ReasonSuffix), results[3].SHA256)
	// The unreadable row is among the first rows read to find the header,
	// so it is listed without cells.
	lines, _ := readRejects(t, filepath.Join(inbox, "quarantine/d-bad-2.csv"+RejectsSuffix))
	if diff := cmp.Diff([][]string{{"line", "column", "code"}, {"3", "", rowRejectedCode}}, lines); diff != "" {
		t.Errorf("rejects of d-bad.csv (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile(filepath.Join(inbox, "archive/a-google.csv")); !strings.HasPrefix(string(b), "Practice IT survey") {
		t.Errorf("the file already in archive/ was overwritten")
	}
}

func checkReason(t *testing.T, path, sha string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file: d-bad.csv", "rejected: 2026-11-25T09:30:00Z", "sha256: " + sha,
		"reason: d-bad.csv: row 3: malformed CSV"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("reason file lacks %q:\n%s", want, b)
		}
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// TestProcessFileDatabaseDown checks a file is left in the inbox, not
// quarantined, when the database cannot be reached.
func TestProcessFileDatabaseDown(t *testing.T) {
	st, err := store.Open(context.Background(), storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	in := New(st, Options{HMACKey: testKey})
	inbox := t.TempDir()
	path := filepath.Join(inbox, "export.csv")
	copyFile(t, exampleCSV, path)
	res, err := in.ProcessFile(context.Background(), inbox, path)
	if err == nil || res.Status != StatusFailed {
		t.Errorf("got %+v, %v; want a failure", res, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("file not left in the inbox: %v", err)
	}
}

func TestMoveNoClobber(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "out")
	for i, want := range []string{"x.csv", "x-2.csv", "x-3.csv"} {
		src := filepath.Join(dir, "x.csv")
		if err := os.WriteFile(src, []byte{byte('a' + i)}, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := moveNoClobber(src, filepath.Join(dst, "x.csv"))
		if err != nil || filepath.Base(got) != want {
			t.Errorf("move %d: got %s, %v; want %s", i, got, err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "x.csv")); string(b) != "a" {
		t.Errorf("first file overwritten: %q", b)
	}
}

// TestMoveNoClobberFinishesAnInterruptedMove checks that a file whose
// earlier move was cut short between the hard link and the removal (the
// process was killed) ends up under the name it was linked to, not
// archived twice.
func TestMoveNoClobberFinishesAnInterruptedMove(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(src, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "archive")
	if err := os.MkdirAll(archive, 0o755); err != nil {
		t.Fatal(err)
	}
	// Another file of the same name was archived before, then this one
	// was linked as x-2.csv when its move stopped.
	if err := os.WriteFile(filepath.Join(archive, "x.csv"), []byte("older"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(src, filepath.Join(archive, "x-2.csv")); err != nil {
		t.Fatal(err)
	}
	got, err := moveNoClobber(src, filepath.Join(archive, "x.csv"))
	if err != nil || filepath.Base(got) != "x-2.csv" {
		t.Fatalf("move: got %s, %v; want x-2.csv", got, err)
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("source still in the inbox: %v", err)
	}
	entries, _ := os.ReadDir(archive)
	if len(entries) != 2 {
		t.Errorf("archive holds %d files, want 2 (x.csv, x-2.csv)", len(entries))
	}
}

// TestMoveNoClobberThen checks that claimed runs while the source is still
// in place, so a quarantine reason exists before the export leaves the
// inbox, and that a failing claimed leaves the source where it was.
func TestMoveNoClobberThen(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(src, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	var sawSource bool
	got, err := moveNoClobberThen(src, filepath.Join(dir, "q", "x.csv"), func(dst string) error {
		_, err := os.Stat(src)
		sawSource = err == nil
		return nil
	})
	if err != nil || !sawSource {
		t.Fatalf("move: %s, %v; source there when claimed: %v", got, err, sawSource)
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("source still in place after the move: %v", err)
	}

	src2 := filepath.Join(dir, "y.csv")
	if err := os.WriteFile(src2, []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	if _, err := moveNoClobberThen(src2, filepath.Join(dir, "q", "y.csv"), func(string) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("move with failing claimed: %v, want %v", err, boom)
	}
	if _, err := os.Stat(src2); err != nil {
		t.Errorf("source lost when claimed failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "q", "y.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("claimed name kept when claimed failed: %v", err)
	}
}
