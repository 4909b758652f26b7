package ingest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// pgDump returns the path of pg_dump: on PATH, or beside the server's
// binaries.
func pgDump(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p
	}
	dir, err := store.FindPostgres()
	if err != nil {
		t.Fatal(err)
	}
	if real, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb")); err == nil {
		dir = filepath.Dir(real)
	}
	return filepath.Join(dir, "pg_dump")
}

// TestNoNHSNumberStored ingests, through the inbox, an export with NHS
// numbers in every free-text position (the practice answer, the role, a
// comment, an "other" box, an answer off the scale, a column of them
// under a header that does not say so) and a row that gets a warning,
// and checks that neither a dump of the database nor the rejects file
// holds any of them, written with or without spaces.
func TestNoNHSNumberStored(t *testing.T) {
	nhs := validNHSNumbers(6, 401023213)
	url := storetest.URL(t)
	st := storetest.Open(t, url)
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, examplePractices(t)); err != nil {
		t.Fatal(err)
	}
	in := New(st, Options{HMACKey: testKey, Now: func() time.Time { return testNow }})
	inbox := t.TempDir()
	path := csvFile(t, "nhs.csv", [][]string{
		{"Timestamp", "Which practice do you work at?", "What is your role?", "Priority [Cyber Security]",
			"Priority [Wifi]", "Reference", "Any other comments?", "Which clinical system? [Other (please specify)]"},
		{"03/11/2026 09:15:02", "Jericho Canal Surgery, re " + nhs[0], "GP partner " + spaced(nhs[1]), "High", spaced(nhs[2]),
			nhs[3], "Patient " + nhs[4] + " could not book online; call 01865 512345", "Lorenzo, for " + spaced(nhs[5])},
		{"04/11/2026 10:15:02", "Nowhere Surgery " + nhs[0], "Nurse", "Low", "Low", nhs[1], "Patient " + spaced(nhs[2]) + " again", ""},
		{"05/11/2026 11:15:02", "K84503", "Receptionist", "Medium", "High", nhs[5], "", nhs[3]},
	})
	dst := filepath.Join(inbox, "nhs.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := in.ProcessFile(ctx, inbox, dst)
	if err != nil || res.Status != StatusLoaded || res.RejectsFile == "" {
		t.Fatalf("ProcessFile = %+v, %v; want the file loaded with a rejects file", res, err)
	}
	dump, err := exec.Command(pgDump(t), "--data-only", "--dbname="+url).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, dump)
	}
	if !bytes.Contains(dump, []byte("[NHS number removed]")) {
		t.Errorf("the dump holds no masked NHS number: is it of the right database?")
	}
	rejects, err := os.ReadFile(res.RejectsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nhs {
		// Any ten digits of the number, with anything but a digit between
		// its groups.
		written := regexp.MustCompile(n[:3] + `\D{0,3}` + n[3:6] + `\D{0,3}` + n[6:])
		for what, text := range map[string][]byte{"the database dump": dump, "the rejects file": rejects} {
			if loc := written.FindIndex(text); loc != nil {
				t.Errorf("%s holds NHS number %s: %q", what, n, strings.TrimSpace(string(text[max(0, loc[0]-40):min(len(text), loc[1]+40)])))
			}
		}
	}
}
