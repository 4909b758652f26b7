package practices

import (
	"os"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

// testPractices reads testdata/practices.csv.
func testPractices(t testing.TB) []survey.Practice {
	t.Helper()
	f, err := os.Open("testdata/practices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ReadList(f)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// candidateList returns candidates as a warning message lists them:
// "Name (CODE); Name (CODE)".
func candidateList(cs []Candidate) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + " (" + c.Code + ")"
	}
	return strings.Join(parts, "; ")
}

func TestPracticeMatch(t *testing.T) {
	m := NewMatcher(testPractices(t))
	tests := []struct {
		in, code, method, warn string
		// candidates are the closest practices, if any.
		candidates string
	}{
		{"Jericho Canal Surgery", "K84501", MethodName, "", ""},
		{"  JERICHO   canal surgery. ", "K84501", MethodName, "", ""},
		{"St Clement's and Iffley Practice", "K84504", MethodName, "", ""},
		{"St Clements & Iffley Practice", "K84504", MethodName, "", ""},
		{"Headington (K84503)", "K84503", MethodODS, "", ""},
		{"k84503", "K84503", MethodODS, "", ""},
		{"k 84 503", "K84503", MethodODS, "", ""},
		{"K84 503", "K84503", MethodODS, "", ""},
		{"K84-503.", "K84503", MethodODS, "", ""},
		{"K 99 999", "", "", "practice_unmatched", ""},
		{"Jericho Surgery", "K84501", MethodAlias, "", ""},
		{"Windrush Medical Centre", "K84515", MethodAlias, "", ""},
		{"Banbury Cross", "K84506", MethodCoreName, "", ""},
		{"Jerico Canal Surgery", "K84501", MethodFuzzy, "", ""},          // one letter missing
		{"Windrush Witney Surgery", "K84515", MethodFuzzy, "", ""},       // words reordered
		{"Jericho Canal Surgery, Oxford", "K84501", MethodFuzzy, "", ""}, // the town added
		{"Canal Street Surgery", "", "", "practice_unmatched",
			"Jericho Canal Surgery (K84501); Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Banbury", "", "", "practice_unmatched", "Banbury Cross Health Centre (K84506)"},
		{"Cowley Rd", "", "", "practice_unmatched", "Cowley Road Medical Practice (K84502)"},
		{"Bridge Street Surgery", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Bridge Street", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Bridge Stret", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"K99999 Jericho Canal Surgery", "K84501", MethodName, "", ""}, // an unknown code beside a known name
		{"K99999", "", "", "practice_unmatched", ""},
		{"Health Centre", "", "", "practice_unmatched", ""}, // only generic words
		{"", "", "", "practice_missing", ""},
	}
	// Twice over: the second time every answer's match is remembered.
	for pass := range 2 {
		for _, tt := range tests {
			got := m.Match(tt.in)
			if got.Code != tt.code || got.Method != tt.method || got.Problem != tt.warn {
				t.Errorf("pass %d: Match(%q) = %q, %q, %q; want %q, %q, %q", pass, tt.in, got.Code, got.Method, got.Problem, tt.code, tt.method, tt.warn)
			}
			if cands := candidateList(got.Candidates); cands != tt.candidates {
				t.Errorf("pass %d: Match(%q) candidates = %q, want %q", pass, tt.in, cands, tt.candidates)
			}
		}
	}
}

// BenchmarkMatch matches answers as a large file gives them: the same
// few names, each many times.
func BenchmarkMatch(b *testing.B) {
	ps := testPractices(b)
	answers := []string{"Jericho Canal Surgery", "Jerico Canal Surgery", "K84503", "Banbury Cross", "Cowley Rd"}
	m := NewMatcher(ps)
	for i := 0; b.Loop(); i++ {
		m.Match(answers[i%len(answers)])
	}
}

func TestCloseWords(t *testing.T) {
	tests := []struct {
		x, y string
		want bool
	}{
		{"jericho", "jericho", true},
		{"jerico", "jericho", true},
		{"jericho", "jeriho", true},
		{"windrush", "windrash", true},
		{"cowley", "cowly", true},
		{"road", "roam", false}, // short words must be equal
		{"jericho", "jerxcxo", false},
		{"headington", "headingtonn1", false},
	}
	for _, tt := range tests {
		if got := closeWords(tt.x, tt.y); got != tt.want {
			t.Errorf("closeWords(%q, %q) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}
