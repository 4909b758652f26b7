package survey

import "testing"

func TestDefaultCatalogue(t *testing.T) {
	c := DefaultCatalogue()
	if got, want := len(c.Workstreams), 21; got != want {
		t.Fatalf("workstreams: got %d, want %d", got, want)
	}
	count := map[Tier]int{}
	for _, w := range c.Workstreams {
		count[w.DocTier]++
	}
	want := map[Tier]int{TierVeryHigh: 5, TierMandated: 3, TierHigh: 3, TierMedium: 10}
	for tier, n := range want {
		if count[tier] != n {
			t.Errorf("tier %q: got %d workstreams, want %d", tier, count[tier], n)
		}
	}
	for _, w := range c.Workstreams {
		if w.Mandated != (w.DocTier == TierMandated) {
			t.Errorf("%s: mandated=%v but document tier %q", w.ID, w.Mandated, w.DocTier)
		}
	}
}

func TestCatalogueMatch(t *testing.T) {
	c := DefaultCatalogue()
	tests := []struct{ in, want string }{
		{"Mobile Working", "mobile-working"},
		{"Patient WiFi", "wifi"},
		{"patient wi-fi", "wifi"},
		{"Interoperability of Records (Record Sharing)", "record-sharing"},
		{"  cyber security ", "cyber-security"},
		{"VOIP/Unified Comms", "telephony"},
		{"Something else", ""},
	}
	for _, tt := range tests {
		w, ok := c.Match(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("Match(%q) = %q, want no match", tt.in, w.ID)
			}
			continue
		}
		if !ok || w.ID != tt.want {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.in, w.ID, ok, tt.want)
		}
	}
}

func TestDependents(t *testing.T) {
	d := DefaultCatalogue().Dependents()
	tests := map[string]int{"cyber-security": 11, "employee-productivity": 0, "record-sharing": 5, "automation": 0, "practice-info-sharing": 1}
	for id, want := range tests {
		if d[id] != want {
			t.Errorf("dependents of %s: got %d, want %d", id, d[id], want)
		}
	}
}

func TestParsePriority(t *testing.T) {
	tests := []struct {
		in      string
		score   Score
		missing bool
		ok      bool
	}{
		{"Very high priority", 1, false, true},
		{"Very High", 1, false, true},
		{"very high", 1, false, true},
		{"High priority", 0.75, false, true},
		{"Medium", 0.5, false, true},
		{"Low priority", 0.25, false, true},
		{"Not a priority", 0, false, true},
		{"MEDIUM PRIORITY", 0.5, false, true},
		{"Low", 0.25, false, true},
		{"None", 0, false, true},
		{"Don't know", 0, true, true},
		{"Not applicable", 0, true, true},
		{"Prefer not to say", 0, true, true},
		{"Prefer not to answer", 0, true, true},
		{"N/A", 0, true, true},
		{"", 0, true, true},
		{"5", 1, false, true},
		{"1", 0, false, true},
		{"banana", 0, false, false},
	}
	for _, tt := range tests {
		s, m, ok := ParsePriority(tt.in)
		if s != tt.score || m != tt.missing || ok != tt.ok {
			t.Errorf("ParsePriority(%q) = %v, %v, %v; want %v, %v, %v", tt.in, s, m, ok, tt.score, tt.missing, tt.ok)
		}
	}
}

func TestFindODSCode(t *testing.T) {
	tests := map[string]string{
		"Banbury Cross Health Centre (K84005)": "K84005",
		"k84005":                               "K84005",
		"no code here":                         "",
		"AK840051":                             "",
	}
	for in, want := range tests {
		if got := FindODSCode(in); got != want {
			t.Errorf("FindODSCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"St Clement's & Iffley":  "st clements and iffley",
		"A&B":                    "a and b",
		"Smith and Jones":        "smith and jones",
		"  Patient   Wi-Fi ":     "patient wifi",
		"Abingdon Surgery (K84)": "abingdon surgery k84",
	}
	for in, want := range tests {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCatalogueMention(t *testing.T) {
	cat := DefaultCatalogue()
	tests := []struct {
		text, want string
	}{
		{"How important is Cyber Security to your practice?", "cyber-security"},
		{"Q5. Patient WiFi: how high a priority?", "wifi"},
		{"Rate the priority of improving network speeds (1-5)", "network-speeds"},
		{"How important is SSO?", "single-sign-on"},
		{"Wifi and printing", ""},              // two workstreams
		{"How long have you worked here?", ""}, // none
		{"Cybersecurity", "cyber-security"},    // an alias as written
		{"How important are online consultations?", "online-triage"},
	}
	for _, tt := range tests {
		w, ok := cat.Mention(tt.text)
		if got := map[bool]string{true: w.ID}[ok]; got != tt.want {
			t.Errorf("Mention(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
