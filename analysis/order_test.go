package analysis

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

func row(id string, tier survey.Tier, score float64) survey.RankedWorkstream {
	return survey.RankedWorkstream{WorkstreamID: id, Workstream: "W " + id, Tier: tier, Score: score}
}

type placed struct {
	ID   string
	Rank int
}

func placements(rows []survey.RankedWorkstream) []placed {
	out := make([]placed, len(rows))
	for i, r := range rows {
		out[i] = placed{r.WorkstreamID, r.Rank}
	}
	return out
}

func TestOrder(t *testing.T) {
	vh, mand, hi, med := survey.TierVeryHigh, survey.TierMandated, survey.TierHigh, survey.TierMedium
	tests := []struct {
		name string
		rows []survey.RankedWorkstream
		want []placed
	}{
		{
			name: "ties share a rank: 1, 2, 2, 4",
			rows: []survey.RankedWorkstream{row("d", vh, 0.70), row("b", vh, 0.804), row("c", vh, 0.796), row("a", vh, 0.95)},
			want: []placed{{"a", 1}, {"b", 2}, {"c", 2}, {"d", 4}},
		},
		{
			name: "tier before score",
			rows: []survey.RankedWorkstream{row("m", med, 0.49), row("h", hi, 0.5), row("o", mand, 0.3), row("v", vh, 0.7)},
			want: []placed{{"v", 1}, {"o", 2}, {"h", 3}, {"m", 4}},
		},
		{
			name: "equal scores in different tiers are not tied",
			rows: []survey.RankedWorkstream{row("pr", med, 0.4625), row("wf", mand, 0.4625)},
			want: []placed{{"wf", 1}, {"pr", 2}},
		},
		{
			name: "equal scores sort by name",
			rows: []survey.RankedWorkstream{row("z", hi, 0.6), row("y", hi, 0.6), row("x", hi, 0.6)},
			want: []placed{{"x", 1}, {"y", 1}, {"z", 1}},
		},
		{
			name: "scores a few ulps apart sort by name",
			rows: []survey.RankedWorkstream{row("b", hi, 0.6), row("a", hi, 0.1+0.2+0.3)},
			want: []placed{{"a", 1}, {"b", 1}},
		},
		{
			name: "half-way scores round up, as written",
			rows: []survey.RankedWorkstream{row("a", hi, 0.725), row("b", hi, 0.7251), row("c", hi, 0.7249)},
			want: []placed{{"b", 1}, {"a", 1}, {"c", 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order(tt.rows)
			if diff := cmp.Diff(tt.want, placements(tt.rows)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrderDeterministic(t *testing.T) {
	var rows []survey.RankedWorkstream
	for i, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		rows = append(rows, row(id, survey.Tiers[i%3], float64(i%4)/10))
	}
	want := slices.Clone(rows)
	order(want)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		got := slices.Clone(rows)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		order(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("order depends on input order (-want +got):\n%s", diff)
		}
	}
}
