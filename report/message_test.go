package report

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

func TestSubject(t *testing.T) {
	tests := []struct {
		title string
		at    time.Time
		want  string
	}{
		{"", time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), "Primary care IT roadmap ranking – 25 Nov 2026"},
		// 23:30 UTC on 30 June is already 1 July in London.
		{"", time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "Primary care IT roadmap ranking – 1 Jul 2026"},
		{"Oxfordshire GP IT ranking", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), "Oxfordshire GP IT ranking – 5 Jan 2026"},
	}
	for _, tt := range tests {
		if got := Subject(tt.title, tt.at, london); got != tt.want {
			t.Errorf("Subject(%q, %v) = %q, want %q", tt.title, tt.at, got, tt.want)
		}
	}
}

func TestBody(t *testing.T) {
	r := sampleRanking()
	r.Rows = append(r.Rows,
		survey.RankedWorkstream{Rank: 5, Workstream: "Line\nbreak", Tier: survey.TierMedium, Score: 0.3, Practices: 1},
		survey.RankedWorkstream{Rank: 6, Workstream: "Sixth", Tier: survey.TierMedium, Score: 0.2, Practices: 1})
	want := `The attached workbook ranks 6 workstreams using 143 survey responses from 37 practices (4 files loaded).

Top 5:
   1  Online consultation (Very high, score 0.82, 36 practices)
   2  =HYPERLINK("x") (High - Centrally Mandated, score 0.61, 30 practices)
  3=  -5 (High, score 0.56, 12 practices)
  3=  @Patient WiFi (Medium, score 0.56, 2 practices)
   5  Line break (Medium, score 0.30, 1 practice)

Ranking computed Wed 25 Nov 2026 01:59 GMT (method mcda-v1).
Tiers are advisory; the decision stays with the commissioning committee.
This message was sent automatically by surveyworker.
`
	if diff := cmp.Diff(want, Body(r, london)); diff != "" {
		t.Errorf("Body (-want +got):\n%s", diff)
	}
	empty := Body(survey.Ranking{}, london)
	if !strings.HasPrefix(empty, "No workstreams were ranked") {
		t.Errorf("empty ranking body:\n%s", empty)
	}
}

func TestMessageID(t *testing.T) {
	a := MessageID("ranking-7", "it-lead@example.nhs.uk", "example.org")
	if a != MessageID("ranking-7", "IT-Lead@example.nhs.uk", "example.org") {
		t.Errorf("Message-ID depends on the recipient's letter case")
	}
	for _, other := range []string{
		MessageID("ranking-8", "it-lead@example.nhs.uk", "example.org"),
		MessageID("ranking-7", "roadmap@example.org", "example.org"),
	} {
		if other == a {
			t.Errorf("different report or recipient gave the same Message-ID %q", a)
		}
	}
	odd := MessageID("cycle 2026/11/25 <x>", "a@example.org", "example.org")
	if _, err := mail.ParseAddress("<" + odd + ">"); err != nil || strings.ContainsAny(odd, " /<>") {
		t.Errorf("Message-ID %q is not a valid msg-id: %v", odd, err)
	}
}

func TestEMLName(t *testing.T) {
	got := emlName("cycle 2026/11/25", "IT-Lead@Example.nhs.uk")
	if want := "cycle-2026-11-25_it-lead@example.nhs.uk.eml"; got != want {
		t.Errorf("emlName = %q, want %q", got, want)
	}
	if got := emlName("k", "../../etc/passwd@x"); strings.Contains(got, "/") {
		t.Errorf("emlName kept a path separator: %q", got)
	}
}

func TestReportKey(t *testing.T) {
	r := sampleRanking()
	if got := ReportKey(r); got != "ranking-7" {
		t.Errorf("stored ranking key %q, want ranking-7", got)
	}
	r.RunID = 0
	if got := ReportKey(r); got != "ranking-20261125T015900Z" {
		t.Errorf("unstored ranking key %q", got)
	}
}
