package ingest

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
)

// rejectsHeader is the header of the files written by the rejects tests.
const rejectsHeader = "Timestamp,Email Address,Your name,Which practice?,Priority [Cyber Security],Any other comments?"

// readRejects reads a rejects file, checking its byte order mark, and
// returns its lines without the reason column, and the reasons.
func readRejects(t *testing.T, path string) (lines [][]string, reasons []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "\uFEFF") {
		t.Errorf("%s: no byte order mark", path)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		lines = append(lines, r[:len(r)-1])
		reasons = append(reasons, r[len(r)-1])
	}
	return lines, reasons
}

// TestProcessFileRejects checks the rejects file beside a quarantined file
// (every row problem up to the row that got it rejected, that row
// included) and beside a loaded one, and that a file without row problems
// gets none.
func TestProcessFileRejects(t *testing.T) {
	in, _ := setup(t)
	inbox := t.TempDir()
	write := func(name string, rows ...string) string {
		p := filepath.Join(inbox, name)
		if err := os.WriteFile(p, []byte(strings.Join(append([]string{rejectsHeader}, rows...), "\r\n")+"\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "24/11/2026 10:00:00,ann@example.org,Ann Smith,K84501,High,fine"
	warned := "24/11/2026 11:00:00,bob@example.org,Bob Jones,Nowhere At All,Sometimes,=1+1 ring 01865 123456"
	bad := write("bad.csv", good, warned, "24/11/2026 12:00:00,,,K84501,Low,,a note")
	warnedOnly := write("warned.csv", warned, strings.Replace(good, "10:00", "10:30", 1))
	clean := write("clean.csv", strings.Replace(good, "10:00", "10:45", 1))

	tests := []struct {
		path, status, moved string
		lines               [][]string
		reasons             []string
	}{
		{bad, StatusRejected, "quarantine/bad.csv", [][]string{
			append(strings.Split(rejectsHeader, ","), "line", "column", "code"),
			{"24/11/2026 11:00:00", "", "", "Nowhere At All", "Sometimes", "'=1+1 ring [phone removed]", "3", "D", "practice_unmatched"},
			{"24/11/2026 11:00:00", "", "", "Nowhere At All", "Sometimes", "'=1+1 ring [phone removed]", "3", "E", "answer_off_scale"},
			{"24/11/2026 12:00:00", "", "", "K84501", "Low", "", "4", "G", rowRejectedCode},
		}, []string{"reason", "no practice", "not on the priority scale", "beyond the last of the 6 header columns"}},
		{warnedOnly, StatusLoaded, "archive/warned.csv", [][]string{
			append(strings.Split(rejectsHeader, ","), "line", "column", "code"),
			{"24/11/2026 11:00:00", "", "", "Nowhere At All", "Sometimes", "'=1+1 ring [phone removed]", "2", "D", "practice_unmatched"},
			{"24/11/2026 11:00:00", "", "", "Nowhere At All", "Sometimes", "'=1+1 ring [phone removed]", "2", "E", "answer_off_scale"},
		}, []string{"reason", "no practice", "not on the priority scale"}},
		{clean, StatusLoaded, "archive/clean.csv", nil, nil},
	}
	for _, tt := range tests {
		res, err := in.ProcessFile(context.Background(), inbox, tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if rel, _ := filepath.Rel(inbox, res.MovedTo); res.Status != tt.status || rel != tt.moved {
			t.Errorf("%s: got %s to %s, want %s to %s", res.File, res.Status, rel, tt.status, tt.moved)
		}
		path := filepath.Join(inbox, tt.moved+RejectsSuffix)
		if tt.lines == nil {
			if _, err := os.Stat(path); err == nil || res.RejectsFile != "" {
				t.Errorf("%s: a rejects file was written without row problems", res.File)
			}
			continue
		}
		if res.RejectsFile != path {
			t.Errorf("%s: RejectsFile = %q, want %q", res.File, res.RejectsFile, path)
		}
		lines, reasons := readRejects(t, path)
		if diff := cmp.Diff(tt.lines, lines); diff != "" {
			t.Errorf("%s: rejects file (-want +got):\n%s", res.File, diff)
		}
		for i, want := range tt.reasons {
			if i >= len(reasons) || !strings.Contains(reasons[i], want) {
				t.Errorf("%s: reason %d = %q, want it to contain %q", res.File, i, reasons, want)
			}
		}
	}
	if diff := cmp.Diff([]string{"archive", "quarantine"}, dirNames(t, inbox)); diff != "" {
		t.Errorf("left in inbox (-want +got):\n%s", diff)
	}
}

// TestRejectsWriter checks the cells written: personal data blanked, free
// text masked, formulas defused, and nothing at all without problems.
func TestRejectsWriter(t *testing.T) {
	dir := t.TempDir()
	cols := []column{{Header: "=Name", Role: rolePersonal}, {Header: "Email", Role: roleEmail},
		{Header: "Practice", Role: rolePractice}, {Header: "Priority", Role: roleWorkstream}}
	rj := newRejects(dir, "x.csv")
	rj.setColumns(cols)
	if got, err := rj.finish(filepath.Join(dir, "x.csv")); got != "" || err != nil {
		t.Errorf("no problems: got %q, %v; want no file", got, err)
	}
	rj = newRejects(dir, "x.csv")
	rj.setColumns(cols)
	rj.row([]string{"Ann", "ann@example.org", "+44 1865 123456", "@SUM(A1)"}, []store.Warning{
		{Row: 7, Column: `D "Priority"`, Code: "answer_off_scale", Message: "-off"}})
	got, err := rj.finish(filepath.Join(dir, "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines, reasons := readRejects(t, got)
	want := [][]string{{"'=Name", "Email", "Practice", "Priority", "line", "column", "code"},
		{"", "", "[phone removed]", "'@SUM(A1)", "7", "D", "answer_off_scale"}}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
	if reasons[1] != "'-off" {
		t.Errorf("reason = %q, want it defused", reasons[1])
	}
	if diff := cmp.Diff([]string{"x.csv" + RejectsSuffix}, dirNames(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
