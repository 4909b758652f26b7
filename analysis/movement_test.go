package analysis

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

func TestCompare(t *testing.T) {
	at := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	prev := &survey.Ranking{RunID: 7, CreatedAt: at, Respondents: 40, Rows: []survey.RankedWorkstream{
		{Rank: 1, WorkstreamID: "a", Tier: survey.TierVeryHigh},
		{Rank: 2, WorkstreamID: "b", Tier: survey.TierHigh},
		{Rank: 3, WorkstreamID: "c", Tier: survey.TierMedium},
	}}
	r := survey.Ranking{Respondents: 52, Rows: []survey.RankedWorkstream{
		{Rank: 1, WorkstreamID: "c", Tier: survey.TierVeryHigh},
		{Rank: 2, WorkstreamID: "a", Tier: survey.TierVeryHigh},
		{Rank: 3, WorkstreamID: "b", Tier: survey.TierMedium},
		{Rank: 4, WorkstreamID: "new", Tier: survey.TierMedium},
	}}
	Compare(&r, prev)
	type move struct {
		change *int
		prev   survey.Tier
		tiers  int
	}
	n := func(i int) *int { return &i }
	// c: 3 → 1 is up 2 and Medium → Very high is up 3 tiers (Very high,
	// Mandated, High, Medium); a: 1 → 2 is down 1; b: High → Medium is
	// down one tier.
	want := []move{{n(2), survey.TierMedium, 3}, {n(-1), survey.TierVeryHigh, 0}, {n(-1), survey.TierHigh, -1}, {nil, "", 0}}
	var got []move
	for _, w := range r.Rows {
		got = append(got, move{w.RankChange, w.PreviousTier, w.TierChange})
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(move{})); diff != "" {
		t.Errorf("movement (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&survey.RunRef{RunID: 7, CreatedAt: at, Respondents: 40}, r.Previous); diff != "" {
		t.Errorf("previous (-want +got):\n%s", diff)
	}
	if r.NewResponses != 12 {
		t.Errorf("new responses = %d, want 12", r.NewResponses)
	}

	Compare(&r, nil)
	if r.Previous != nil || r.NewResponses != 0 || r.Rows[0].RankChange != nil || r.Rows[0].TierChange != 0 {
		t.Errorf("without a previous run: %+v, first row %+v", r.Previous, r.Rows[0])
	}
}
