package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	thousand := make([]float64, 1000) // x[i] = i
	for i := range thousand {
		thousand[i] = float64(i)
	}
	tests := []struct {
		x    []float64
		q    float64
		want float64
	}{
		{x, 0, 1},
		{x, 1, 11},
		{x, 0.5, 6},
		// h = 10·0.05 = 0.5: halfway between x[0] and x[1].
		{x, 0.05, 1.5},
		// h = 10·0.95 = 9.5: halfway between x[9] and x[10].
		{x, 0.95, 10.5},
		// h = 3·0.05 = 0.15: 0 + 0.15·(10 − 0).
		{[]float64{0, 10, 20, 30}, 0.05, 1.5},
		{[]float64{0.4}, 0.05, 0.4},
		{nil, 0.5, 0},
		// B = 1,000 (docs/METHOD.md §9): h = 999·0.05 = 49.95 gives
		// x[49] + 0.95·(x[50] − x[49]); h = 999·0.95 = 949.05 gives
		// x[949] + 0.05·(x[950] − x[949]).
		{thousand, intervalTail, 49.95},
		{thousand, 1 - intervalTail, 949.05},
	}
	for _, tt := range tests {
		if got := quantile(tt.x, tt.q); !approxEqual(got, tt.want) {
			t.Errorf("quantile(%v, %v) = %v, want %v", tt.x, tt.q, got, tt.want)
		}
	}
}

func TestRankBounds(t *testing.T) {
	thousand := make([]int, 1000) // x[i] = i
	for i := range thousand {
		thousand[i] = i
	}
	tests := []struct {
		x      []int
		lo, hi int
	}{
		// 21 ranks: (len−1)·0.05 = 1 and ·0.95 = 19, both whole.
		{[]int{1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4}, 1, 3},
		// 4 ranks: ⌊0.15⌋ = 0 and ⌈2.85⌉ = 3.
		{[]int{1, 2, 3, 4}, 1, 4},
		{[]int{5}, 5, 5},
		{nil, 0, 0},
		// B = 1,000: r[⌊49.95⌋] = r[49] and r[⌈949.05⌉] = r[950].
		{thousand, 49, 950},
	}
	for _, tt := range tests {
		if lo, hi := rankBounds(tt.x, intervalTail); lo != tt.lo || hi != tt.hi {
			t.Errorf("rankBounds(%v) = %d, %d; want %d, %d", tt.x, lo, hi, tt.lo, tt.hi)
		}
	}
}

// TestUniformSequence pins the first draws of the seeded generator, so that
// a change of algorithm, which would change every stored interval, fails
// here rather than silently.
func TestUniformSequence(t *testing.T) {
	src := rand.NewPCG(DefaultSeed, pcgStream)
	var got []uint64
	for range 8 {
		got = append(got, uniform(src, 10))
	}
	want := []uint64{8, 8, 5, 6, 0, 7, 7, 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first draws (-want +got):\n%s", diff)
	}
	for n := uint64(1); n < 50; n++ {
		for range 100 {
			if v := uniform(src, n); v >= n {
				t.Fatalf("uniform(%d) = %d", n, v)
			}
		}
	}
}

// TestDraws checks that every resample draws n − 1 of the n responding
// practices, whatever their federations, and a lone practice once.
func TestDraws(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	for _, n := range []int{1, 2, 3, 11} {
		var scores []store.PracticeScore
		for i := range n {
			fed := []string{"North", "City", ""}[i%3]
			scores = append(scores, store.PracticeScore{Practice: fmt.Sprintf("K%02d", i), Federation: fed,
				Workstream: "cyber-security", Mean: 0.5, Scored: 1})
		}
		p, err := newPanel(cat.IDs(), scores)
		if err != nil {
			t.Fatal(err)
		}
		b := newBootstrap(p, cat, criterionValues(cat, p.priorities(nil), testOptions()), testOptions())
		want := max(n-1, 1)
		src := rand.NewPCG(1, 2)
		s := b.newResample()
		for range 200 {
			b.draw(src, s)
			got := 0
			for _, c := range s.counts {
				got += c
			}
			if got != want {
				t.Fatalf("%d practices: %d draws, want %d", n, got, want)
			}
		}
	}
}

// TestResampleWeightsMatchRows checks that weighting each practice by the
// times it was drawn gives the practice priority of the resample written
// out as repeated rows.
func TestResampleWeightsMatchRows(t *testing.T) {
	cat := survey.DefaultCatalogue()
	p, err := newPanel(cat.IDs(), aggregate(readRoadmapSurvey(t)))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions()
	b := newBootstrap(p, cat, criterionValues(cat, p.priorities(nil), opts), opts)
	b.ranks = make([][]int, b.nw)
	for j := range b.nw {
		b.ranks[j] = make([]int, 1)
	}
	src := rand.NewPCG(3, 4)
	s := b.newResample()
	for range 50 {
		b.draw(src, s)
		b.rank(s)
		var rows []int
		for i, c := range s.counts {
			for range c {
				rows = append(rows, i)
			}
		}
		pri := p.priorities(rows)
		for j := range b.nw {
			want := pri[j].mean
			got := 0.0
			if s.n[j] > 0 {
				got = s.sum[j] / s.n[j]
			}
			if !approxEqual(got, want) {
				t.Fatalf("workstream %s: weighted priority %v, from rows %v", cat.Workstreams[j].ID, got, want)
			}
		}
	}
}

func TestBootstrapReproducible(t *testing.T) {
	cat := survey.DefaultCatalogue()
	scores := aggregate(readRoadmapSurvey(t))
	opts := testOptions()
	first, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Compute(cat, slices.Clone(scores), store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same seed, different ranking (-first +again):\n%s", diff)
	}
	opts.Seed = 99
	other, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The seed drives the resamples behind the rank ranges; the score
	// intervals and tier probabilities do not depend on it.
	p, err := newPanel(cat.IDs(), scores)
	if err != nil {
		t.Fatal(err)
	}
	vals := criterionValues(cat, p.priorities(nil), opts)
	b := newBootstrap(p, cat, vals, opts)
	b.run(DefaultResamples, DefaultSeed)
	ranks := slices.Clone(b.ranks)
	b.run(DefaultResamples, 99)
	if cmp.Equal(ranks, b.ranks) {
		t.Errorf("seeds %d and 99 drew the same resampled ranks", DefaultSeed)
	}
	ignoreRanks := cmpopts.IgnoreFields(survey.RankedWorkstream{}, "RankLow", "RankHigh")
	if diff := cmp.Diff(first.Rows, other.Rows, ignoreRanks); diff != "" {
		t.Errorf("the seed changed more than the rank ranges (-seed %d +seed 99):\n%s", DefaultSeed, diff)
	}
	if other.Params != (survey.RunParams{Resamples: DefaultResamples, Seed: 99, Criteria: "catalogue", Intervals: IntervalMethod}) {
		t.Errorf("params = %+v", other.Params)
	}
}

func TestBootstrapIntervals(t *testing.T) {
	cat := survey.DefaultCatalogue()
	r, err := Compute(cat, aggregate(readRoadmapSurvey(t)), store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range r.Rows {
		if w.CILow > w.CIHigh || w.RankLow > w.RankHigh || w.TierProbability < 0 || w.TierProbability > 1 {
			t.Errorf("%s: interval %v–%v, ranks %d–%d, tier probability %v", w.WorkstreamID,
				w.CILow, w.CIHigh, w.RankLow, w.RankHigh, w.TierProbability)
		}
		if w.RankLow < 1 || w.RankHigh > len(r.Rows) {
			t.Errorf("%s: rank range %d–%d outside 1–%d", w.WorkstreamID, w.RankLow, w.RankHigh, len(r.Rows))
		}
	}
	// Record sharing and cyber security stay Very high for any P of 1/3 or
	// more (docs/METHOD.md §8), and every practice rates both High or Very
	// high in the fixture, so no resample can move them, and a true P
	// below 1/3 is all but ruled out.
	for _, id := range []string{"record-sharing", "cyber-security"} {
		w := rowByID(t, r, id)
		if w.TierProbability < 0.9999 || w.RankLow > 2 {
			t.Errorf("%s: tier probability %v, rank range %d–%d; want at least 0.9999 and in the top two", id,
				w.TierProbability, w.RankLow, w.RankHigh)
		}
	}
}

// TestBootstrapConstantSurvey checks the degenerate case by hand: when
// every practice gives a workstream the same mean, every resample has the
// same P, so the rank range is the rank; the interval rests on the guard,
// an SE of a quarter-step over n = 6 practices, 0.041667. Cyber Security
// (P = 0.75): logit sd 0.041667/0.1875 = 0.222222, t(5) = 2.015048, P in
// 0.657196–0.824393, score 0.729545–0.796424, Very high with probability
// 0.990679. Printing (P = 0.5): score 0.354228–0.420772, Medium with
// probability 0.999694.
func TestBootstrapConstantSurvey(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	var scores []store.PracticeScore
	for i := range 6 {
		code := fmt.Sprintf("K%d", i)
		scores = append(scores, ps(code, "cyber-security", 0.75, 1+i), ps(code, "printing", 0.5, 1))
	}
	r, err := Compute(cat, scores, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{
		"cyber-security": {0.729545, 0.796424, 0.990679},
		"printing":       {0.354228, 0.420772, 0.999694},
	}
	for _, w := range r.Rows {
		if w.RankLow != w.Rank || w.RankHigh != w.Rank {
			t.Errorf("%s: rank %d, range %d–%d", w.WorkstreamID, w.Rank, w.RankLow, w.RankHigh)
		}
		x, ok := want[w.WorkstreamID]
		if !ok {
			continue
		}
		if math.Abs(w.CILow-x[0]) > 5e-7 || math.Abs(w.CIHigh-x[1]) > 5e-7 || math.Abs(w.TierProbability-x[2]) > 5e-7 {
			t.Errorf("%s: interval %.6f–%.6f, tier probability %.6f; want %v", w.WorkstreamID, w.CILow, w.CIHigh,
				w.TierProbability, x)
		}
	}
}

func TestResamplesMinimum(t *testing.T) {
	opts := testOptions()
	opts.Resamples = MinResamples - 1
	if _, err := Compute(survey.DefaultCatalogue(), nil, store.Totals{}, opts); err == nil {
		t.Errorf("%d resamples: got nil error", opts.Resamples)
	}
}

func rowByID(t *testing.T, r survey.Ranking, id string) survey.RankedWorkstream {
	t.Helper()
	for _, w := range r.Rows {
		if w.WorkstreamID == id {
			return w
		}
	}
	t.Fatalf("no row %s", id)
	return survey.RankedWorkstream{}
}

func approxEqual(a, b float64) bool {
	return a-b < 1e-12 && b-a < 1e-12
}
