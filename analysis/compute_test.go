package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

var testTime = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

func testOptions() Options {
	o := DefaultOptions()
	o.Now = func() time.Time { return testTime }
	return o
}

// exampleRows is the ranking of the worked example in docs/METHOD.md,
// computed by hand there.
func exampleRows() []survey.RankedWorkstream {
	return []survey.RankedWorkstream{
		{Rank: 1, WorkstreamID: "cyber-security", Workstream: "Cyber Security", Tier: survey.TierVeryHigh,
			BaseTier: survey.TierVeryHigh, Score: 0.816667, PracticePriority: 0.875, Top2Share: 1, Practices: 3,
			GPFV: true, Impact: 5, Dependents: 2,
			Contributions: survey.Contributions{Survey: 0.35, Impact: 0.25, GPFV: 0.15, Dependencies: 0.066667}},
		{Rank: 2, WorkstreamID: "wifi", Workstream: "Wifi", Tier: survey.TierMandated,
			BaseTier: survey.TierMedium, Score: 0.4625, PracticePriority: 0.541667, Top2Share: 0.333333, Practices: 3,
			Mandated: true, GPFV: true, Impact: 2, Dependents: 1,
			Contributions: survey.Contributions{Survey: 0.216667, Impact: 0.0625, GPFV: 0.15, Dependencies: 0.033333}},
		{Rank: 3, WorkstreamID: "patient-online", Workstream: "Patient Online", Tier: survey.TierMandated,
			BaseTier: survey.TierMedium, Score: 0.275, Mandated: true, GPFV: true, Impact: 3,
			Contributions: survey.Contributions{Impact: 0.125, GPFV: 0.15}},
		{Rank: 4, WorkstreamID: "printing", Workstream: "Improving Printing", Tier: survey.TierMedium,
			BaseTier: survey.TierMedium, Score: 0.4625, PracticePriority: 0.6875, Top2Share: 0.5, Practices: 2,
			Impact: 4, Contributions: survey.Contributions{Survey: 0.275, Impact: 0.1875}},
	}
}

// approx6 compares floats to the 6 decimals of the hand computation.
var approx6 = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 5e-7 })

// pointOnly leaves out of a comparison what Compute adds to the point
// ranking: the bootstrap fields, the parameters, the sensitivity and the
// segments, each tested on its own.
var pointOnly = cmp.Options{
	cmpopts.IgnoreFields(survey.RankedWorkstream{}, "CILow", "CIHigh", "RankLow", "RankHigh", "TierProbability"),
	cmpopts.IgnoreFields(survey.Ranking{}, "Params", "Sensitivity", "Segments"),
}

func TestWorkedExample(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	totals := store.Totals{Respondents: 5, Practices: 3, Files: 1}
	got, err := Compute(cat, aggregate(exampleResponses), totals, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Ranking{CreatedAt: testTime, Method: Method, Weights: DefaultWeights(),
		Respondents: 5, Practices: 3, Files: 1, Rows: exampleRows()}
	if diff := cmp.Diff(want, got, approx6, pointOnly); diff != "" {
		t.Errorf("worked example (-want +got):\n%s", diff)
	}
}

func TestRespondentMeanDiffersFromPracticePriority(t *testing.T) {
	// Printing: matched respondents answered H, VH, M (and DK): a
	// respondent-level mean gives 0.75, but K84001's two respondents are one
	// vote, 0.875, beside K84002's 0.5: P = 0.6875.
	sum, n := 0.0, 0
	for _, r := range exampleResponses {
		if v, ok := levels[r.answers["printing"]]; ok && r.practice != "" {
			sum += v
			n++
		}
	}
	if got := sum / float64(n); got != 0.75 {
		t.Errorf("respondent-level mean = %v, want 0.75", got)
	}
	r, err := Compute(mustCatalogue(t, exampleCatalogue), aggregate(exampleResponses), store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Rows[3].PracticePriority; r.Rows[3].WorkstreamID != "printing" || got != 0.6875 {
		t.Errorf("printing practice priority = %v (%s), want 0.6875", got, r.Rows[3].WorkstreamID)
	}
}

func TestComputeWithoutAnswers(t *testing.T) {
	cat := survey.DefaultCatalogue()
	r, err := Compute(cat, nil, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != len(cat.Workstreams) {
		t.Fatalf("rows: got %d, want %d", len(r.Rows), len(cat.Workstreams))
	}
	for i, w := range r.Rows {
		if w.PracticePriority != 0 || w.Practices != 0 || w.Top2Share != 0 {
			t.Errorf("%s: practice priority %v from %d practices, want 0 from 0", w.WorkstreamID, w.PracticePriority, w.Practices)
		}
		if w.Rank < 1 || w.Rank > i+1 {
			t.Errorf("%s: rank %d at position %d", w.WorkstreamID, w.Rank, i+1)
		}
	}
}

func TestComputeIgnoresInputOrder(t *testing.T) {
	cat := survey.DefaultCatalogue()
	scores := aggregate(readRoadmapSurvey(t))
	want, err := Compute(cat, scores, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 20 {
		shuffled := slices.Clone(scores)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, err := Compute(cat, shuffled, store.Totals{}, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ranking depends on input order (-want +got):\n%s", diff)
		}
	}
}

func TestComputeOptions(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	scores := aggregate(exampleResponses)
	tiers := func(o Options) map[string]survey.Tier {
		t.Helper()
		r, err := Compute(cat, scores, store.Totals{}, o)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]survey.Tier{}
		for _, w := range r.Rows {
			out[w.WorkstreamID] = w.Tier
		}
		return out
	}
	defaults := tiers(testOptions())
	if diff := cmp.Diff(defaults, tiers(Options{})); diff != "" {
		t.Errorf("zero Options differ from DefaultOptions (-default +zero):\n%s", diff)
	}
	noFloor := testOptions()
	noFloor.NoMandateFloor = true
	want := map[string]survey.Tier{"cyber-security": survey.TierVeryHigh, "wifi": survey.TierMedium,
		"patient-online": survey.TierMedium, "printing": survey.TierMedium}
	if diff := cmp.Diff(want, tiers(noFloor)); diff != "" {
		t.Errorf("without the mandate floor (-want +got):\n%s", diff)
	}
	survey100 := testOptions()
	survey100.Weights = survey.Weights{Survey: 1}
	survey100.Thresholds = Thresholds{VeryHigh: 0.85, High: 0.6}
	want = map[string]survey.Tier{"cyber-security": survey.TierVeryHigh, "wifi": survey.TierMandated,
		"patient-online": survey.TierMandated, "printing": survey.TierHigh}
	if diff := cmp.Diff(want, tiers(survey100)); diff != "" {
		t.Errorf("survey weight 1 (-want +got):\n%s", diff)
	}
}

func TestMandatedVeryHighStaysVeryHigh(t *testing.T) {
	// A mandated workstream whose score reaches Very high stays there:
	// impact 5, GPFV, one dependent and P = 1 give
	// S = 0.25 + 0.15 + 0.0333 + 0.40 = 0.8333.
	cat := mustCatalogue(t, `workstreams:
  - {id: wifi, name: Wifi, impact: 5, gpfv: true, mandated: true}
  - {id: cyber-security, name: Cyber Security, impact: 1, considered_with: [wifi]}
`)
	r, err := Compute(cat, []store.PracticeScore{ps("K1", "wifi", 1, 1)}, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Rows[0]; w.WorkstreamID != "wifi" || w.Tier != survey.TierVeryHigh || math.Abs(w.Score-0.833333) > 5e-7 {
		t.Errorf("first row = %s %q %.6f, want wifi Very high 0.833333", w.WorkstreamID, w.Tier, w.Score)
	}
}

func TestComputeErrors(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	bad := []struct {
		name   string
		cat    *survey.Catalogue
		scores []store.PracticeScore
		opts   Options
	}{
		{"weights not summing to 1", cat, nil, Options{Weights: survey.Weights{Survey: 0.5}}},
		{"thresholds out of order", cat, nil, Options{Thresholds: Thresholds{VeryHigh: 0.4, High: 0.5}}},
		{"negative cap", cat, nil, Options{DependencyCap: -1}},
		{"no catalogue", nil, nil, Options{}},
		{"mean out of range", cat, []store.PracticeScore{ps("K1", "wifi", 2, 1)}, Options{}},
	}
	for _, tt := range bad {
		if _, err := Compute(tt.cat, tt.scores, store.Totals{}, tt.opts); err == nil {
			t.Errorf("%s: got nil error", tt.name)
		}
	}
}
