package ingest

import (
	"sort"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

func TestDetectShape(t *testing.T) {
	tests := []struct {
		name     string
		top      [][]string
		platform string
		title    int
	}{
		{"google", [][]string{{"Timestamp", "Email address", "Q [Cyber Security]"}}, "google-forms", 0},
		{"google, BOM-free spacing", [][]string{{" timestamp ", "Q"}}, "google-forms", 0},
		{"ms forms", [][]string{{"ID", "Start time", "Completion time", "Email", "Name"}}, "microsoft-forms", 0},
		{"ms forms, Id spelling", [][]string{{"Id", "Start time", "Completion time"}}, "microsoft-forms", 0},
		{"title rows", [][]string{{"Survey export"}, {"exported today", ""}, {"Timestamp", "Q"}}, "google-forms", 2},
		{"timestamp alone is not a survey", [][]string{{"Timestamp"}}, "", 0},
		{"unknown", [][]string{{"RespondentID", "CollectorID"}}, "", 0},
	}
	for _, tt := range tests {
		d, ok := detectShape(tt.top)
		got := ""
		if ok {
			got = d.shape.platform
		}
		if got != tt.platform || (ok && d.titleRows != tt.title) {
			t.Errorf("%s: got %q (title rows %d), want %q (%d)", tt.name, got, d.titleRows, tt.platform, tt.title)
		}
	}
}

func TestClassifyHeader(t *testing.T) {
	cat := survey.DefaultCatalogue()
	tests := []struct {
		header string
		role   role
		ws     string
	}{
		{"How high a priority is each IT workstream for your practice? [Telephony (VOIP, Unified Communications)]", roleWorkstream, "telephony"},
		{"Priority [Mobile Working ]", roleWorkstream, "mobile-working"},
		{"Single Sign-On", roleWorkstream, "single-sign-on"},
		{"How important is each? - Improving Internet/Network speed", roleWorkstream, "network-speeds"},
		{"Telephony & Unified Communications", roleIgnored, ""},
		{"Which practice do you work at?", rolePractice, ""},
		{"ODS code", rolePractice, ""},
		{"What is your role in the practice?", roleRole, ""},
		{"Any other comments about IT in your practice?", roleComment, ""},
		{"Email Address", roleEmail, ""},
		{"E-mail", roleEmail, ""},
		{"Full Name", rolePersonal, ""},
		{"IP Address", rolePersonal, ""},
		{"Contact phone number", rolePersonal, ""},
		{"Favourite colour", roleIgnored, ""},
		{"Score", roleMeta, ""},
		{"", roleMeta, ""},
	}
	for _, tt := range tests {
		r, ws, _ := classifyHeader(googleForms, tabular.CleanHeader(tt.header), cat)
		if r != tt.role || ws != tt.ws {
			t.Errorf("classifyHeader(%q) = %v %q, want %v %q", tt.header, r, ws, tt.role, tt.ws)
		}
	}
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d) = %q, want %q", i, got, want)
		}
	}
}

// TestExamplesRankVeryHighFirst checks the example exports make every
// workstream the roadmap rated Very high score above every other, taking
// one vote per practice, and that every workstream column is recognised.
func TestExamplesRankVeryHighFirst(t *testing.T) {
	in, cat := testIngester(t), survey.DefaultCatalogue()
	practiceScores := map[string]map[string][]float64{} // workstream -> practice -> scores
	for _, path := range []string{exampleCSV, exampleXLSX} {
		rows, p, err := parseRows(in, path, examplePractices(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.file.Workstreams; len(got) != len(cat.Workstreams) {
			t.Fatalf("%s: %d workstream columns, want %d", path, len(got), len(cat.Workstreams))
		}
		for _, r := range rows {
			for j, a := range r.Answers {
				ws := p.file.Workstreams[j]
				if ws != cat.Workstreams[j].ID {
					t.Fatalf("%s: column %d is %s, want %s", path, j, ws, cat.Workstreams[j].ID)
				}
				if a.Scored && r.PracticeODS != "" {
					if practiceScores[ws] == nil {
						practiceScores[ws] = map[string][]float64{}
					}
					practiceScores[ws][r.PracticeODS] = append(practiceScores[ws][r.PracticeODS], a.Score)
				}
			}
		}
	}
	var vh, others []float64
	for _, w := range cat.Workstreams {
		s := meanOfMeans(practiceScores[w.ID])
		if w.DocTier == survey.TierVeryHigh {
			vh = append(vh, s)
		} else {
			others = append(others, s)
		}
	}
	sort.Float64s(vh)
	sort.Float64s(others)
	if vh[0] <= others[len(others)-1] {
		t.Errorf("lowest Very high workstream scores %.3f, highest other %.3f", vh[0], others[len(others)-1])
	}
}

func meanOfMeans(byPractice map[string][]float64) float64 {
	total := 0.0
	for _, s := range byPractice {
		sum := 0.0
		for _, v := range s {
			sum += v
		}
		total += sum / float64(len(s))
	}
	return total / float64(len(byPractice))
}

func examplePractices(t *testing.T) []survey.Practice {
	t.Helper()
	return readPracticesFile(t, "../examples/practices.csv")
}

// TestHeadersWithoutHTML reads every platform's headers without HTML tags
// and entities, for matching and for display.
func TestHeadersWithoutHTML(t *testing.T) {
	cat := survey.DefaultCatalogue()
	headers := []string{"#", "<strong>Is your employer primarily a tech company?</strong>", "Priority [Cyber&nbsp;Security]",
		"Telephony &amp; Unified Communications<br/>", "Submit Date (UTC)"}
	want := []string{"#", "Is your employer primarily a tech company?", "Priority [Cyber Security]",
		"Telephony & Unified Communications", "Submit Date (UTC)"}
	for _, sh := range []*shape{typeform, generic} {
		cols := classify(sh, headers, cat)
		for i, c := range cols {
			if c.Header != want[i] {
				t.Errorf("%s: header %q read as %q, want %q", sh.platform, headers[i], c.Header, want[i])
			}
		}
		if cols[2].Workstream != "cyber-security" {
			t.Errorf("%s: %q matched %q, want cyber-security", sh.platform, cols[2].Header, cols[2].Workstream)
		}
	}
}

// TestMatchCatalogue checks the index of catalogue names matches as the
// catalogue itself does.
func TestMatchCatalogue(t *testing.T) {
	cat := survey.DefaultCatalogue()
	var texts []string
	for _, w := range cat.Workstreams {
		texts = append(texts, w.ID, w.Name, strings.ToUpper(w.Name)+" ", "Improving "+w.Name)
		texts = append(texts, w.Aliases...)
	}
	texts = append(texts, "", "  ", "Wi-Fi", "Telephony (VOIP & Unified Communications)", "nothing at all")
	for _, s := range texts {
		want, wantOK := cat.Match(s)
		got, ok := matchCatalogue(cat, s)
		if ok != wantOK || got.ID != want.ID {
			t.Errorf("matchCatalogue(%q) = %q, %v; want %q, %v", s, got.ID, ok, want.ID, wantOK)
		}
	}
}
