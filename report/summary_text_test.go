package report

import (
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

func intPtr(n int) *int { return &n }

func TestSummarySentences(t *testing.T) {
	base := func() WorkbookInput {
		in := sampleInput().withDefaults()
		in.Ranking.Rows = []survey.RankedWorkstream{
			{Rank: 1, WorkstreamID: "cyber-security", Workstream: "Cyber Security", Tier: survey.TierVeryHigh, Score: 0.951,
				PracticePriority: 0.877, Practices: 17, GPFV: true, Impact: 5, Dependents: 11},
			{Rank: 2, WorkstreamID: "wifi", Workstream: "Wifi", Tier: survey.TierMandated, Score: 0.48,
				PracticePriority: 0.59, Practices: 18, Mandated: true, GPFV: true, Impact: 2, Dependents: 1},
			{Rank: 3, WorkstreamID: "printing", Workstream: "Improving Printing", Tier: survey.TierHigh, Score: 0.52,
				PracticePriority: 0.82, Practices: 18, Impact: 4},
		}
		return in
	}
	withPrevious := func(in WorkbookInput) WorkbookInput {
		in.Ranking.Previous = &survey.RunRef{RunID: 6, CreatedAt: time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC), Respondents: 119}
		in.Ranking.NewResponses = 24
		in.Ranking.Rows[0].RankChange, in.Ranking.Rows[0].PreviousTier = intPtr(0), survey.TierVeryHigh
		in.Ranking.Rows[1].RankChange, in.Ranking.Rows[1].PreviousTier = intPtr(1), survey.TierMandated
		in.Ranking.Rows[2].RankChange, in.Ranking.Rows[2].PreviousTier, in.Ranking.Rows[2].TierChange = intPtr(-1), survey.TierMedium, 1
		return in
	}
	tests := []struct {
		name string
		in   func() WorkbookInput
		want []string
	}{
		{
			name: "first report",
			in: func() WorkbookInput {
				in := base()
				in.FirstResponse = time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
				in.LastResponse = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
				in.Coverage = []store.FederationCoverage{{Federation: "North", Practices: 20, Responding: 18}, {Federation: "City", Practices: 20, Responding: 19}}
				return in
			},
			want: []string{
				"Between 3 and 23 November 2026, 143 staff from 37 of the 40 GP practices in the registry answered the survey on the priority of 3 primary care IT workstreams (North 18 of 20 practices, City 19 of 20).",
				"the survey places one workstream in Very high, one in High - Centrally Mandated and one in High.",
				"Cyber Security scores 0.95: practices rate it 0.88 of 1, it enables GP Forward View schemes, its impact is 5 of 5 and 11 other workstreams depend on it.",
				"This is the first report, so there is no earlier ranking to compare with.",
				"Every file loaded and every practice answer matched a practice of the registry.",
			},
		},
		{
			name: "moves from the answers alone",
			in: func() WorkbookInput {
				in := withPrevious(base())
				in.Previous = &survey.Ranking{Weights: in.Ranking.Weights, Rows: in.Ranking.Rows}
				return in
			},
			want: []string{
				"Since the last report (run 6, 3 November 2026), 24 new responses arrived; Improving Printing rose from Medium to High.",
				"The weights and workshop criteria are unchanged, so every move comes from the answers.",
			},
		},
		{
			name: "moves with changed criteria and weights",
			in: func() WorkbookInput {
				in := withPrevious(base())
				prev := survey.Ranking{Weights: survey.Weights{Survey: 0.5, Impact: 0.15, GPFV: 0.15, Dependencies: 0.2}}
				prev.Rows = append(prev.Rows, in.Ranking.Rows...)
				prev.Rows[2].Impact = 3
				in.Previous = &prev
				return in
			},
			want: []string{
				"The weights changed (survey 0.50 → 0.40, impact 0.15 → 0.25) and the workshop criteria changed for Improving Printing (impact 3 → 4).",
			},
		},
		{
			name: "no tier changes: the largest move",
			in: func() WorkbookInput {
				in := withPrevious(base())
				in.Ranking.Rows[2].PreviousTier, in.Ranking.Rows[2].TierChange = survey.TierHigh, 0
				in.Ranking.Rows[2].RankChange = intPtr(-3)
				return in
			},
			want: []string{"no workstream changed tier; the largest move was Improving Printing, down 3 places."},
		},
		{
			name: "data quality",
			in: func() WorkbookInput {
				in := base()
				in.Quality.Rejected = []survey.RejectedFile{{File: "a.csv"}}
				in.Quality.Files = []store.FileQuality{
					{Warnings: map[string]int{"practice_unmatched": 10, "answer_off_scale": 1}},
					{Warnings: map[string]int{"practice_ambiguous": 2}},
				}
				return in
			},
			want: []string{"One file could not be loaded, 12 answers did not match a practice and 1 other problem was noted: see Data quality."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaryParagraph(tt.in())
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("paragraph lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestWorkbookSummaryFromDatabase checks the Summary of the fixture, whose
// ranking follows an earlier one.
func TestWorkbookSummaryFromDatabase(t *testing.T) {
	fx := newFixture(t)
	f := writeAndOpen(t, fx.in)
	p, err := f.GetCellValue(SheetSummary, "A4")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"staff from 14 of the 15 GP practices in the registry answered",
		"(City 4 of 4 practices, North 4 of 4, Rural 2 of 3, South 4 of 4)",
		"Since the last report (run 1, 18 November 2026), 21 new responses arrived",
		"One file could not be loaded, 1 answer did not match a practice and 1 other problem was noted: see Data quality.",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("paragraph lacks %q:\n%s", want, p)
		}
	}
	rows, _ := f.GetRows(SheetSummary)
	labels := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			labels[r[0]] = r[1]
		}
	}
	if labels["Compared with"] != "ranking run 1 of 18 Nov 2026 (+21 responses since)" || labels["Comments"] != "8" {
		t.Errorf("Summary rows %q", labels)
	}
}
