package ingest

import "testing"

func TestPracticeMatch(t *testing.T) {
	m := newPracticeMatcher(testPractices(t))
	tests := []struct{ in, code, method, warn string }{
		{"Jericho Canal Surgery", "K84501", matchName, ""},
		{"  JERICHO   canal surgery. ", "K84501", matchName, ""},
		{"St Clement's and Iffley Practice", "K84504", matchName, ""},
		{"St Clements & Iffley Practice", "K84504", matchName, ""},
		{"Headington (K84503)", "K84503", matchODS, ""},
		{"k84503", "K84503", matchODS, ""},
		{"Jericho Surgery", "K84501", matchAlias, ""},
		{"Windrush Medical Centre", "K84515", matchAlias, ""},
		{"Banbury Cross", "K84506", matchCoreName, ""},
		{"Banbury", "", "", "practice_unmatched"},
		{"Bridge Street Surgery", "", "", "practice_ambiguous"},
		{"Bridge Street", "", "", "practice_ambiguous"},
		{"K99999 Jericho Canal Surgery", "K84501", matchName, ""}, // an unknown code beside a known name
		{"K99999", "", "", "practice_unmatched"},
		{"", "", "", "practice_missing"},
	}
	for _, tt := range tests {
		code, method, w := m.match(tt.in)
		warn := ""
		if w != nil {
			warn = w.code
		}
		if code != tt.code || method != tt.method || warn != tt.warn {
			t.Errorf("match(%q) = %q, %q, %q; want %q, %q, %q", tt.in, code, method, warn, tt.code, tt.method, tt.warn)
		}
	}
}
