package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/ingest"
)

// storedPattern is the form of a generated inbox name.
var storedPattern = regexp.MustCompile(`^web-\d{8}-\d{6}-[0-9a-f]{8}(-[a-z0-9-]+)?\.(csv|xlsx)$`)

// uploadedToken returns the token of the upload a response redirected to.
func uploadedToken(t *testing.T, r response) string {
	t.Helper()
	tok, ok := strings.CutPrefix(r.location, "/uploads/")
	if r.code != http.StatusSeeOther || !ok || !tokenPattern.MatchString(tok) {
		t.Fatalf("upload: %d to %q, want 303 to /uploads/TOKEN\n%s", r.code, r.location, r.body)
	}
	return tok
}

// status returns the upload's state from its status endpoint.
func (b *browser) status(token string) statusBody {
	b.s.t.Helper()
	r := b.get("/uploads/" + token + "/status")
	var st statusBody
	if err := json.Unmarshal([]byte(r.body), &st); err != nil || r.code != http.StatusOK {
		b.s.t.Fatalf("status: %d %q: %v", r.code, r.body, err)
	}
	return st
}

// TestUploadIsInspectedThenArchived uploads the demo's Google Forms
// export and follows it: into the inbox under a generated name with
// nothing left in the uploading folder, described at once as inspect
// describes it, then loaded and archived once the worker has run.
func TestUploadIsInspectedThenArchived(t *testing.T) {
	s := newSite(t, nil)
	s.importPractices()
	jo := s.as("jo")
	tok := uploadedToken(t, jo.upload(exampleFile(t, googleForms)))

	names := s.inboxNames()
	if len(names) != 2 || names[0] != uploadingDir || !storedPattern.MatchString(names[1]) ||
		!strings.HasSuffix(names[1], "-practice-it-priorities-google-forms.csv") {
		t.Fatalf("inbox holds %q, want the uploading folder and one generated name", names)
	}
	if got := s.uploading(); len(got) != 0 {
		t.Errorf("temporary files left: %q", got)
	}
	page := jo.get("/uploads/" + tok)
	want := []string{`data-state="waiting"`, "Waiting for the worker", "It will load:", "google-forms",
		"Cyber Security", "cyber-security", "Which practice do you work at?", "personal data"}
	for _, w := range want {
		if !strings.Contains(page.body, w) {
			t.Errorf("upload page before the worker lacks %q", w)
		}
	}
	if got := jo.status(tok); got != (statusBody{State: stateWaiting}) {
		t.Errorf("status before the worker: %+v", got)
	}

	s.work()
	if got := jo.status(tok); got != (statusBody{State: stateLoaded, Final: true}) {
		t.Errorf("status after the worker: %+v", got)
	}
	page = jo.get("/uploads/" + tok)
	for _, w := range []string{`data-state="loaded"`, "Loaded and archived", "respondents stored"} {
		if !strings.Contains(page.body, w) {
			t.Errorf("upload page after the worker lacks %q\n%s", w, page.body)
		}
	}
	if _, err := os.Stat(filepath.Join(s.inbox, ingest.ArchiveDir, names[1])); err != nil {
		t.Errorf("not archived: %v", err)
	}
	files := jo.get("/files")
	if !strings.Contains(files.body, googleForms) || !strings.Contains(files.body, ">jo<") {
		t.Errorf("files page does not list the upload and its uploader:\n%s", files.body)
	}
}

// TestUploadIsQuarantined uploads a broken export: the page says at once
// that it will not load, then shows the quarantine's reason, and offers
// the rejects CSV.
func TestUploadIsQuarantined(t *testing.T) {
	s := newSite(t, nil)
	una := s.as("una")
	tok := uploadedToken(t, una.upload(file{name: "broken.csv", body: strings.NewReader(brokenCSV)}))
	if page := una.get("/uploads/" + tok); !strings.Contains(page.body, "It will not load:") {
		t.Errorf("upload page does not say the file will not load:\n%s", page.body)
	}
	s.work()
	page := una.get("/uploads/" + tok)
	reason := regexp.MustCompile(`(?s)<p class="reason"[^>]*>(.*?)</p>`).FindStringSubmatch(page.body)
	if reason == nil || !strings.Contains(reason[1], "quote") || !strings.Contains(page.body, `data-state="quarantined"`) {
		t.Fatalf("upload page shows no quarantine reason:\n%s", page.body)
	}
	rej := una.get("/uploads/" + tok + "/rejects.csv")
	if rej.code != http.StatusOK || !strings.HasPrefix(rej.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(rej.header.Get("Content-Disposition"), `filename=broken.rejects.csv`) ||
		!strings.Contains(rej.body, "reason") {
		t.Errorf("rejects CSV: %d %q %q\n%s", rej.code, rej.header.Get("Content-Type"), rej.header.Get("Content-Disposition"), rej.body)
	}
	files := una.get("/files?status=quarantined")
	if !strings.Contains(files.body, "broken.csv") || !strings.Contains(files.body, reason[1]) {
		t.Errorf("files page lacks the quarantined upload and its reason:\n%s", files.body)
	}
}

// pattern is an endless run of CSV-like bytes.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	const row = "25/11/2026 09:00:00,Jericho Canal Surgery,GP Partner,High priority,Low priority\n"
	for i := range p {
		p[i] = row[i%len(row)]
	}
	return len(p), nil
}

// sized is a reader whose length the HTTP client knows, so that it
// sends a Content-Length.
type sized struct {
	io.Reader
	n int64
}

func (s *sized) Len() int { return int(s.n) }

// TestUploadOverLimitFillsNoDisk sends 200 MB twice: declared in the
// Content-Length, which is refused before anything is read, and streamed
// without one past a small limit, which is cut off at the limit. Either
// way the answer is 413 with the limit in words, and neither the inbox,
// the uploading folder nor the database keep anything.
func TestUploadOverLimitFillsNoDisk(t *testing.T) {
	const body = 200 << 20
	for _, tt := range []struct {
		name     string
		limit    int64
		declared bool
		want     string
	}{
		{"declared 200 MB, default limit", 0, true, "100 MB"},
		{"streamed 200 MB, 1 MB limit", 1 << 20, false, "1 MB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, func(c *Config) { c.UploadLimit = tt.limit })
			jo := s.as("jo")
			form, ctype := uploadBody(jo.csrf("/upload"), file{name: "huge.csv", body: io.LimitReader(pattern{}, body)})
			var reader io.Reader = form
			if tt.declared {
				reader = &sized{Reader: form, n: body + 1024}
			}
			req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/upload", reader)
			req.Header.Set("Content-Type", ctype)
			if tt.declared {
				req.ContentLength = body + 1024
			}
			r := jo.do(req)
			if r.code != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "larger than the limit of "+tt.want) {
				t.Errorf("%d, want 413 naming the limit of %s\n%s", r.code, tt.want, r.body)
			}
			if got := s.uploading(); len(got) != 0 {
				t.Errorf("temporary files left: %q", got)
			}
			for _, n := range s.inboxNames() {
				if n != uploadingDir {
					t.Errorf("inbox holds %s", n)
				}
			}
			if ups, err := s.st.Uploads(context.Background(), 10); err != nil || len(ups) != 0 {
				t.Errorf("uploads recorded: %v, %v", ups, err)
			}
		})
	}
}

// TestUploadOfAnotherFederation checks that an uploader tied to one
// federation cannot reach another federation's upload or file by any
// address, nor see it listed, while users who see every federation can.
func TestUploadOfAnotherFederation(t *testing.T) {
	s := newSite(t, nil)
	s.importPractices()
	tok := uploadedToken(t, s.as("jo").upload(exampleFile(t, googleForms)))
	sam := s.as("sam")
	for _, path := range []string{"/uploads/" + tok, "/uploads/" + tok + "/status", "/uploads/" + tok + "/rejects.csv",
		"/uploads?id=" + tok} {
		if r := sam.get(path); r.code != http.StatusNotFound {
			t.Errorf("another federation's GET %s: %d, want 404", path, r.code)
		}
	}
	s.work()
	f, err := s.st.FileSummaries(context.Background())
	if err != nil || len(f) != 1 {
		t.Fatalf("files loaded: %v, %v", f, err)
	}
	fileURL := fmt.Sprintf("/files/%d", f[0].ID)
	if r := sam.get(fileURL); r.code != http.StatusNotFound {
		t.Errorf("another federation's GET %s: %d, want 404", fileURL, r.code)
	}
	if r := sam.get("/files"); strings.Contains(r.body, googleForms) || strings.Contains(r.body, fileURL) {
		t.Errorf("another federation's files page lists the file")
	}
	// An upload by a user of every federation belongs, once loaded, to the
	// federations of its respondents: those of the Microsoft Forms export
	// are in North and West Oxfordshire.
	unaTok := uploadedToken(t, s.as("una").upload(exampleFile(t, "practice-it-priorities-microsoft-forms.xlsx")))
	s.work()
	if r := sam.get("/uploads/" + unaTok); r.code != http.StatusOK {
		t.Errorf("North Oxfordshire's GET of an upload with its respondents: %d, want 200", r.code)
	}
	if r := s.as("jo").get("/uploads/" + unaTok); r.code != http.StatusNotFound {
		t.Errorf("Oxford City's GET of an upload without its respondents: %d, want 404", r.code)
	}
	for _, name := range []string{"jo", "vic", "ada"} {
		b := s.as(name)
		if r := b.get(fileURL); r.code != http.StatusOK {
			t.Errorf("%s GET %s: %d, want 200", name, fileURL, r.code)
		}
		if r := b.get("/files"); !strings.Contains(r.body, fileURL) {
			t.Errorf("%s's files page does not list the file", name)
		}
	}
}

// TestCommentsOfOwnFederation loads the demo export from the inbox, not
// the web, and checks that a user tied to a federation sees the file and
// only the comments of respondents of that federation.
func TestCommentsOfOwnFederation(t *testing.T) {
	s := newSite(t, nil)
	s.importPractices()
	b, err := os.ReadFile(filepath.Join("../examples/inbox", googleForms))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.inbox, googleForms), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.work()
	ctx := context.Background()
	files, err := s.st.FileSummaries(ctx)
	if err != nil || len(files) != 1 {
		t.Fatalf("files loaded: %v, %v", files, err)
	}
	all, err := s.st.FileComments(ctx, files[0].ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	byFed := map[string][]string{}
	for _, c := range all {
		byFed[c.Federation] = append(byFed[c.Federation], c.Text)
	}
	if len(byFed["Oxford City"]) == 0 || len(byFed) < 2 {
		t.Fatalf("the demo's comments come from %d federations; the test needs Oxford City and another", len(byFed))
	}
	page := s.as("jo").get(fmt.Sprintf("/files/%d", files[0].ID))
	for fed, texts := range byFed {
		for _, text := range texts {
			if got := strings.Contains(page.body, html.EscapeString(text)); got != (fed == "Oxford City") {
				t.Errorf("comment of %q shown to Oxford City: %v", fed, got)
			}
		}
	}
}

// TestUploadNamesNotTrusted checks what becomes of names with paths,
// control characters and formatting characters.
func TestUploadNamesNotTrusted(t *testing.T) {
	tests := []struct {
		sent, clean, slug string
	}{
		{"autumn survey.csv", "autumn survey.csv", "-autumn-survey.csv"},
		{`..\..\windows\system32\evil.csv`, "evil.csv", "-evil.csv"},
		{"../../etc/passwd", "passwd", "-passwd.csv"},
		{"repor\u202Etxt.csv", "reportxt.csv", "-reportxt.csv"},
		{"line\nbreak\x00.csv", "linebreak.csv", "-linebreak.csv"},
		{"...", "upload", "-upload.csv"},
		{"Ümlaut Prüfung.xlsx", "Ümlaut Prüfung.xlsx", "-mlaut-pr-fung.csv"},
		{"%%%.csv", "%%%.csv", ".csv"},
	}
	at := time.Date(2026, 11, 24, 9, 30, 5, 0, time.UTC)
	for _, tt := range tests {
		got := cleanName(tt.sent)
		if got != tt.clean {
			t.Errorf("cleanName(%q) = %q, want %q", tt.sent, got, tt.clean)
		}
		stored := storedName(at, "0123456789abcdef0123456789abcdef", got, ".csv")
		if want := "web-20261124-093005-01234567" + tt.slug; stored != want || !storedPattern.MatchString(stored) {
			t.Errorf("storedName(%q) = %q, want %q", got, stored, want)
		}
	}

	s := newSite(t, nil)
	una := s.as("una")
	tok := uploadedToken(t, una.upload(file{name: `..\..\x\evil` + "\u202e" + `.xlsx`, body: strings.NewReader(brokenCSV)}))
	u, err := s.st.Upload(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if u.OriginalName != "evil.xlsx" || !storedPattern.MatchString(u.StoredName) || !strings.HasSuffix(u.StoredName, "-evil.csv") {
		t.Errorf("upload kept as %q, shown as %q; want a generated .csv name (the bytes are text) and evil.xlsx", u.StoredName, u.OriginalName)
	}
	if diff := cmp.Diff([]string{uploadingDir, u.StoredName}, s.inboxNames()); diff != "" {
		t.Errorf("inbox (-want +got):\n%s", diff)
	}
}

// TestUploadSeveralFiles uploads two files at once and gets one page
// for both.
func TestUploadSeveralFiles(t *testing.T) {
	s := newSite(t, nil)
	una := s.as("una")
	r := una.upload(exampleFile(t, googleForms), file{name: "broken.csv", body: strings.NewReader(brokenCSV)})
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/uploads?id=") {
		t.Fatalf("two files: %d to %q, want 303 to /uploads?id=…", r.code, r.location)
	}
	page := una.get(r.location)
	if n := strings.Count(page.body, `class="card upload"`); n != 2 {
		t.Errorf("page shows %d uploads, want 2", n)
	}
	if r := una.upload(); r.code != http.StatusBadRequest || !strings.Contains(r.body, "Choose at least one file") {
		t.Errorf("no file: %d, want 400 asking for a file", r.code)
	}
	if r := una.upload(file{name: "empty.csv", body: strings.NewReader("")}); r.code != http.StatusBadRequest {
		t.Errorf("empty file: %d, want 400", r.code)
	}
	if got := s.uploading(); len(got) != 0 {
		t.Errorf("temporary files left: %q", got)
	}
}

// TestStaleUploadsRemoved checks that a server starting up removes the
// temporary files of uploads a stopped server left, and only those.
func TestStaleUploadsRemoved(t *testing.T) {
	s := newSite(t, nil)
	dir := filepath.Join(s.inbox, uploadingDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	for name, age := range map[string]time.Duration{"old.csv": 25 * time.Hour, "recent.csv": time.Hour} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	newSite2 := s.srv.cfg
	if _, err := New(newSite2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"recent.csv"}, s.uploading()); diff != "" {
		t.Errorf("uploading folder (-want +got):\n%s", diff)
	}
}

// TestUploadNotRenamedLeavesNothing makes the rename into the inbox fail
// after the upload was recorded, and checks that the page says the
// upload failed and that neither its record, nor the file in the inbox
// or its uploading folder, is left behind.
func TestUploadNotRenamedLeavesNothing(t *testing.T) {
	s := newSite(t, nil)
	renamed := 0
	s.srv.renameFunc = func(from, to string) error {
		renamed++
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: errors.New("disk gone")}
	}
	r := s.as("una").upload(exampleFile(t, googleForms))
	if r.code != http.StatusInternalServerError || renamed != 1 {
		t.Errorf("upload whose rename failed: %d after %d renames, want 500 after 1", r.code, renamed)
	}
	if ups, err := s.st.Uploads(context.Background(), 10); err != nil || len(ups) != 0 {
		t.Errorf("uploads recorded: %+v, %v; want none", ups, err)
	}
	if got := s.uploading(); len(got) != 0 {
		t.Errorf("temporary files left: %q", got)
	}
	if diff := cmp.Diff([]string{uploadingDir}, s.inboxNames()); diff != "" {
		t.Errorf("inbox (-want +got):\n%s", diff)
	}
}
