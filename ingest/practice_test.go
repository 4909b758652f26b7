package ingest

import (
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/store"
)

func TestPracticeMatch(t *testing.T) {
	m := newPracticeMatcher(testPractices(t))
	tests := []struct {
		in, code, method, warn string
		// candidates is the end of the warning's message, if any.
		candidates string
	}{
		{"Jericho Canal Surgery", "K84501", matchName, "", ""},
		{"  JERICHO   canal surgery. ", "K84501", matchName, "", ""},
		{"St Clement's and Iffley Practice", "K84504", matchName, "", ""},
		{"St Clements & Iffley Practice", "K84504", matchName, "", ""},
		{"Headington (K84503)", "K84503", matchODS, "", ""},
		{"k84503", "K84503", matchODS, "", ""},
		{"k 84 503", "K84503", matchODS, "", ""},
		{"K84 503", "K84503", matchODS, "", ""},
		{"K84-503.", "K84503", matchODS, "", ""},
		{"K 99 999", "", "", "practice_unmatched", ""},
		{"Jericho Surgery", "K84501", matchAlias, "", ""},
		{"Windrush Medical Centre", "K84515", matchAlias, "", ""},
		{"Banbury Cross", "K84506", matchCoreName, "", ""},
		{"Jerico Canal Surgery", "K84501", matchFuzzy, "", ""},          // one letter missing
		{"Windrush Witney Surgery", "K84515", matchFuzzy, "", ""},       // words reordered
		{"Jericho Canal Surgery, Oxford", "K84501", matchFuzzy, "", ""}, // the town added
		{"Canal Street Surgery", "", "", "practice_unmatched",
			"Jericho Canal Surgery (K84501); Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Banbury", "", "", "practice_unmatched", "Banbury Cross Health Centre (K84506)"},
		{"Cowley Rd", "", "", "practice_unmatched", "Cowley Road Medical Practice (K84502)"},
		{"Bridge Street Surgery", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Bridge Street", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"Bridge Stret", "", "", "practice_ambiguous", "Bridge Street Surgery (K84520); Bridge Street Surgery (K84521)"},
		{"K99999 Jericho Canal Surgery", "K84501", matchName, "", ""}, // an unknown code beside a known name
		{"K99999", "", "", "practice_unmatched", ""},
		{"Health Centre", "", "", "practice_unmatched", ""}, // only generic words
		{"", "", "", "practice_missing", ""},
	}
	for _, tt := range tests {
		code, method, w := m.match(tt.in)
		warn, msg := "", ""
		if w != nil {
			warn, msg = w.code, w.msg
		}
		if code != tt.code || method != tt.method || warn != tt.warn {
			t.Errorf("match(%q) = %q, %q, %q; want %q, %q, %q", tt.in, code, method, warn, tt.code, tt.method, tt.warn)
		}
		_, cands, _ := strings.Cut(msg, store.PracticeCandidatesMarker)
		if cands != tt.candidates {
			t.Errorf("match(%q) candidates = %q, want %q (message %q)", tt.in, cands, tt.candidates, msg)
		}
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
