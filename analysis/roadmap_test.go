package analysis

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRoadmapReproduction checks the defaults against the published
// roadmap: with a survey in which the document's Very high workstreams are
// rated highest, the default catalogue and options reproduce the
// document's four tiers exactly.
func TestRoadmapReproduction(t *testing.T) {
	cat := survey.DefaultCatalogue()
	r, err := Compute(cat, aggregate(readRoadmapSurvey(t)), store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	minVeryHigh, maxOther := 1.0, 0.0
	for _, w := range r.Rows {
		doc, _ := cat.ByID(w.WorkstreamID)
		if w.Tier != doc.DocTier {
			t.Errorf("%s: tier %q, the roadmap has %q (score %.4f, P %.4f)", w.WorkstreamID, w.Tier, doc.DocTier, w.Score, w.PracticePriority)
		}
		if doc.DocTier == survey.TierVeryHigh {
			minVeryHigh = min(minVeryHigh, w.PracticePriority)
		} else {
			maxOther = max(maxOther, w.PracticePriority)
		}
	}
	if minVeryHigh <= maxOther {
		t.Errorf("fixture: lowest Very high practice priority %.4f is not above every other (%.4f)", minVeryHigh, maxOther)
	}
	checkGolden(t, "testdata/roadmap_ranking.golden", formatRanking(r))
}

// roadmapBands are ranges of practice priority within which every
// workstream of a tier keeps the roadmap's tier under the defaults (see
// docs/METHOD.md).
var roadmapBands = map[survey.Tier][2]float64{
	survey.TierVeryHigh: {0.67, 1},
	survey.TierMandated: {0, 0.97},
	survey.TierHigh:     {0.79, 0.93},
	survey.TierMedium:   {0, 0.59},
}

// TestRoadmapBands draws each workstream's practice priority at random
// within its tier's band and checks that every tier still matches the
// roadmap: the tiers do not hinge on the exact survey figures.
func TestRoadmapBands(t *testing.T) {
	cat := survey.DefaultCatalogue()
	rng := rand.New(rand.NewPCG(20240101, 1))
	opts := testOptions()
	opts.testResamples = 1 // the tiers alone are checked
	for draw := range 2000 {
		var scores []store.PracticeScore
		for _, w := range cat.Workstreams {
			b := roadmapBands[w.DocTier]
			scores = append(scores, ps("K1", w.ID, b[0]+rng.Float64()*(b[1]-b[0]), 1))
		}
		r, err := Compute(cat, scores, store.Totals{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range r.Rows {
			if doc, _ := cat.ByID(w.WorkstreamID); w.Tier != doc.DocTier {
				t.Fatalf("draw %d: %s with P %.4f is %q, want %q", draw, w.WorkstreamID, w.PracticePriority, w.Tier, doc.DocTier)
			}
		}
	}
}

// formatRanking renders r as a fixed-width table for golden files.
func formatRanking(r survey.Ranking) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %-22s %-26s %-10s %6s %6s %5s %3s %3s %2s %4s\n",
		"rank", "workstream", "tier", "base", "score", "P", "top2", "n", "imp", "G", "deps")
	for _, w := range r.Rows {
		fmt.Fprintf(&b, "%-4d %-22s %-26s %-10s %6.4f %6.4f %5.2f %3d %3d %2s %4d\n",
			w.Rank, w.WorkstreamID, w.Tier, w.BaseTier, w.Score, w.PracticePriority, w.Top2Share,
			w.Practices, w.Impact, yesNo(w.GPFV), w.Dependents)
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "y"
	}
	return "n"
}

// checkGolden compares got with the golden file, rewriting it under
// -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", path, got, want)
	}
}
