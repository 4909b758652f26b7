package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// TestWorkbookTiers checks the roadmap view: one block per tier, best
// first, headed by its band, listing the tier's workstreams.
func TestWorkbookTiers(t *testing.T) {
	fx := newFixture(t)
	rows, err := writeAndOpen(t, fx.in).GetRows(SheetTiers)
	if err != nil {
		t.Fatal(err)
	}
	var bands []string
	members := map[string][]string{}
	current := ""
	for _, r := range rows {
		switch {
		case len(r) == 0:
		case strings.Contains(r[0], "   ·   "):
			current = strings.SplitN(r[0], "   ·   ", 2)[0]
			bands = append(bands, r[0])
		case current != "" && len(r) > 1 && r[0] != "Rank":
			members[current] = append(members[current], r[1])
		}
	}
	var tiers []string
	want := map[string][]string{}
	for _, w := range fx.in.Ranking.Rows {
		if !slices.Contains(tiers, string(w.Tier)) {
			tiers = append(tiers, string(w.Tier))
		}
		want[string(w.Tier)] = append(want[string(w.Tier)], w.Workstream)
	}
	if diff := cmp.Diff(want, members); diff != "" {
		t.Errorf("tier blocks (-want +got):\n%s", diff)
	}
	if len(bands) != len(tiers) || !strings.HasPrefix(bands[0], string(survey.TierVeryHigh)+"   ·   ") ||
		!strings.Contains(bands[0], "score 0.70 or more") || !strings.Contains(bands[0], "scores ") {
		t.Errorf("bands %q, want one per tier, best first, with the rule and score range", bands)
	}
}

// TestWorkbookDependencies checks the delivery order on the Dependencies
// sheet against [analysis.DeliveryOrder], and the considered-with table in
// both directions.
func TestWorkbookDependencies(t *testing.T) {
	fx := newFixture(t)
	rows, err := writeAndOpen(t, fx.in).GetRows(SheetDependencies)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rows[1][0], "How the order was made:") {
		t.Errorf("row 2 = %q, want how the order was made", rows[1])
	}
	names := map[string]string{}
	for _, r := range fx.in.Ranking.Rows {
		names[r.WorkstreamID] = r.Workstream
	}
	var want [][]string
	for _, b := range analysis.DeliveryOrder(fx.cat, fx.in.Ranking.Rows) {
		var ns []string
		for _, id := range b.Workstreams {
			ns = append(ns, names[id])
		}
		want = append(want, []string{strings.Join(ns, "\n"), joinInts(b.After)})
	}
	var got [][]string
	i := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == "Step" })
	for _, r := range rows[i+1:] {
		if len(r) == 0 {
			break
		}
		got = append(got, []string{r[1], r[4]})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivery order (-want +got):\n%s", diff)
	}
	j := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == "What each workstream must be considered with" })
	for _, r := range rows[j+1:] {
		if len(r) > 4 && r[1] == "Wifi" {
			if r[3] != "Cyber Security; Improving Network Speeds" || r[4] != "Patient Online" {
				t.Errorf("Wifi row %q, want what it lists and what lists it", r)
			}
		}
	}
}
