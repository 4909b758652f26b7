package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mixedCSV is an export of respondents of Oxford City and of North
// Oxfordshire, and of one practice the registry does not hold, three of
// whom gave an answer off the scale: rows 2 (Oxford City), 6 (North
// Oxfordshire) and 10 (no known federation).
const mixedCSV = "Timestamp,Which practice are you from?,Priority [Cyber Security],Priority [Printing]\n" +
	"25/11/2026 09:00:00,Jericho Canal Surgery,High priority,Oxford City answer\n" +
	"25/11/2026 09:01:00,Cowley Road Medical Practice,Low priority,Medium priority\n" +
	"25/11/2026 09:02:00,Headington Hill Health Centre,High priority,Low priority\n" +
	"25/11/2026 09:03:00,Summertown Park Surgery,Medium priority,Low priority\n" +
	"25/11/2026 09:04:00,Banbury Cross Health Centre,North Oxfordshire answer,Low priority\n" +
	"25/11/2026 09:05:00,Bicester Market Surgery,High priority,High priority\n" +
	"25/11/2026 09:06:00,Hook Norton Surgery,High priority,Low priority\n" +
	"25/11/2026 09:07:00,Banbury Cross Health Centre,Low priority,Medium priority\n" +
	"25/11/2026 09:08:00,Nowhere Surgery,Unmatched answer,Low priority\n" +
	"25/11/2026 09:09:00,Jericho Canal Surgery,Low priority,High priority\n" +
	"25/11/2026 09:10:00,Cowley Road Medical Practice,High priority,Very high priority\n" +
	"25/11/2026 09:11:00,Bicester Market Surgery,Medium priority,High priority\n"

// rejectsLines returns the line column of each row of a rejects CSV.
func rejectsLines(t *testing.T, body string) []string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("rejects CSV does not read: %v\n%s", err, body)
	}
	line := slices.Index(recs[0], "line")
	if line < 0 {
		t.Fatalf("rejects CSV has no line column: %q", recs[0])
	}
	out := []string{}
	for _, r := range recs[1:] {
		out = append(out, r[line])
	}
	return out
}

// TestLoadedFileOfSeveralFederations loads mixedCSV, uploaded by a user
// of every federation and by one of Oxford City, and checks what each
// user sees of its answers: on the file's page, a warning's value only
// when it is of their own federation's respondents (or the name of a
// practice that matched none), and in the rejects CSV, by either
// address, only their own federation's rows, unless they uploaded the
// file, when they get all of it.
func TestLoadedFileOfSeveralFederations(t *testing.T) {
	all := []string{"Oxford City answer", "North Oxfordshire answer", "Unmatched answer", "Nowhere Surgery"}
	type seen struct {
		values []string // the warnings' values the file page shows, of all
		lines  []string // the rejects CSV's lines; nil for "not found"
	}
	for _, tt := range []struct {
		uploader string
		users    map[string]seen
	}{
		{"una", map[string]seen{
			"jo":  {[]string{"Oxford City answer", "Nowhere Surgery"}, []string{"2"}},
			"sam": {[]string{"North Oxfordshire answer", "Nowhere Surgery"}, []string{"6"}},
			"vic": {all, []string{"2", "6", "10", "10"}},
			"una": {all, []string{"2", "6", "10", "10"}},
		}},
		{"jo", map[string]seen{
			"jo":  {[]string{"Oxford City answer", "Nowhere Surgery"}, []string{"2", "6", "10", "10"}},
			"kim": {[]string{"Oxford City answer", "Nowhere Surgery"}, []string{"2"}},
			"sam": {nil, nil}, // the file is Oxford City's, its uploader's
			"ada": {all, []string{"2", "6", "10", "10"}},
		}},
	} {
		t.Run("uploaded by "+tt.uploader, func(t *testing.T) {
			s := newSite(t, nil)
			s.importPractices()
			tok := uploadedToken(t, s.as(tt.uploader).upload(file{name: "mixed.csv", body: strings.NewReader(mixedCSV)}))
			s.work()
			files, err := s.st.FileSummaries(context.Background())
			if err != nil || len(files) != 1 {
				t.Fatalf("files loaded: %v, %v", files, err)
			}
			fileURL := fmt.Sprintf("/files/%d", files[0].ID)
			for user, want := range tt.users {
				b := s.as(user)
				page := b.get(fileURL)
				if want.lines == nil {
					for _, path := range []string{fileURL, fileURL + "/rejects.csv", "/uploads/" + tok + "/rejects.csv"} {
						if r := b.get(path); r.code != http.StatusNotFound {
							t.Errorf("%s GET %s: %d, want 404", user, path, r.code)
						}
					}
					continue
				}
				for _, v := range all {
					if got := strings.Contains(page.body, ">"+v+"<"); got != slices.Contains(want.values, v) {
						t.Errorf("%s's file page shows %q: %v, want %v", user, v, got, !got)
					}
				}
				if !strings.Contains(page.body, fileURL+"/rejects.csv") {
					t.Errorf("%s's file page offers no rejects CSV", user)
				}
				own := len(want.lines) < 4
				if got := strings.Contains(page.body, "’s respondents</a>"); got != own {
					t.Errorf("%s's file page says the rejects CSV holds their federation's rows only: %v, want %v", user, got, own)
				}
				for _, path := range []string{fileURL + "/rejects.csv", "/uploads/" + tok + "/rejects.csv"} {
					r := b.get(path)
					if r.code != http.StatusOK || !strings.HasPrefix(r.body, "\uFEFFTimestamp,") ||
						!strings.Contains(r.header.Get("Content-Disposition"), "mixed") ||
						!strings.Contains(r.header.Get("Content-Disposition"), ".rejects.csv") {
						t.Errorf("%s GET %s: %d %q\n%s", user, path, r.code, r.header.Get("Content-Disposition"), r.body)
						continue
					}
					if diff := cmp.Diff(want.lines, rejectsLines(t, r.body)); diff != "" {
						t.Errorf("%s GET %s: lines (-want +got):\n%s", user, path, diff)
					}
				}
			}
		})
	}
}

// TestRejectsOfQuarantinedUpload checks that the rejects CSV of an
// upload that was not loaded, whose rows are of no known federation, is
// offered to its uploader and to users who see every federation, and
// refused, with the reason, to another user of the uploader's
// federation.
func TestRejectsOfQuarantinedUpload(t *testing.T) {
	s := newSite(t, nil)
	tok := uploadedToken(t, s.as("jo").upload(file{name: "broken.csv", body: strings.NewReader(brokenCSV)}))
	s.work()
	link := "/uploads/" + tok + "/rejects.csv"
	for _, tt := range []struct {
		user string
		want int
	}{
		{"jo", http.StatusOK},
		{"vic", http.StatusOK},
		{"ada", http.StatusOK},
		{"kim", http.StatusForbidden},
	} {
		b := s.as(tt.user)
		page := b.get("/uploads/" + tok)
		if page.code != http.StatusOK || !strings.Contains(page.body, `data-state="quarantined"`) {
			t.Fatalf("%s GET /uploads/%s: %d, want the quarantined upload", tt.user, tok, page.code)
		}
		files := b.get("/files")
		offered := tt.want == http.StatusOK
		if strings.Contains(page.body, link) != offered || strings.Contains(files.body, link) != offered {
			t.Errorf("%s: rejects CSV offered on the upload's page %v, on the files page %v; want %v",
				tt.user, strings.Contains(page.body, link), strings.Contains(files.body, link), offered)
		}
		r := b.get(link)
		if r.code != tt.want {
			t.Errorf("%s GET %s: %d, want %d", tt.user, link, r.code, tt.want)
		}
		if tt.want == http.StatusForbidden && !strings.Contains(r.body, "not loaded") {
			t.Errorf("%s: the refusal does not say why:\n%s", tt.user, r.body)
		}
	}
}
