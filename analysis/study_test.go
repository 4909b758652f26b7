package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// The coverage study (docs/METHOD.md §9) draws surveys from a simulated
// population whose true practice priorities are known exactly, ranks them
// and counts how often the reported intervals contain the truth and how
// often the reported tier is the true one. This file holds the population,
// the survey draws and the scoring of a ranking against the truth;
// coverage_test.go runs it through the real intake on PostgreSQL, and
// BenchmarkCoverage runs the full study in memory.

// Population shape: 3,000 practices in six federations of unequal size.
var studyFederations = []struct {
	name      string
	practices int
}{
	{"Federation A", 900}, {"Federation B", 700}, {"Federation C", 500},
	{"Federation D", 400}, {"Federation E", 300}, {"Federation F", 200},
}

// The answer model. Practice p's latent priority for workstream i is
// η = μ_i + b_{f,i} + u_{p,i}: a workstream level μ_i drawn per
// population, a federation effect b ~ N(0, studyFedSD²) and a practice
// effect u ~ N(0, studyPracticeSD²). A respondent answers the level of
// η + e, e ~ N(0, studyNoiseSD²), cut at studyCuts into the five levels
// (Not a priority … Very high, scores 0 … 1), or "Don't know" with
// probability studyDontKnow.
const (
	studyFedSD      = 0.3
	studyPracticeSD = 0.6
	studyNoiseSD    = 0.9
	studyDontKnow   = 0.05
	studyMuLow      = -1.8 // μ_i is uniform on [studyMuLow, studyMuHigh]
	studyMuHigh     = 2.2
)

var studyCuts = [4]float64{-1.5, -0.5, 0.5, 1.5}

// studyRespondentsPerPractice are the chances that a sampled practice
// returns 1, 2, 3, 4 or 5 responses.
var studyRespondentsPerPractice = []float64{0.45, 0.30, 0.15, 0.07, 0.03}

// studyPracticeOf is one practice of a study population.
type studyPracticeOf struct {
	federation string
	fed        int
	eta        []float64 // latent priority per workstream, catalogue order
}

// studyPopulation is one simulated population with its truth.
type studyPopulation struct {
	practices []studyPracticeOf
	// truth is each workstream's true practice priority: the mean over
	// every practice of the population of its expected answer score.
	truth []float64
}

// expectedScore is the expected score of one answer of a practice with
// latent priority eta: each cut passed adds a quarter.
func expectedScore(eta float64) float64 {
	s := 0.0
	for _, c := range studyCuts {
		s += 0.25 * normalCDF((eta-c)/studyNoiseSD)
	}
	return s
}

func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// newStudyPopulation draws a population for nw workstreams from rng.
func newStudyPopulation(rng *rand.Rand, nw int) *studyPopulation {
	mu := make([]float64, nw)
	for i := range mu {
		mu[i] = studyMuLow + (studyMuHigh-studyMuLow)*rng.Float64()
	}
	pop := &studyPopulation{truth: make([]float64, nw)}
	n := 0
	for f, fed := range studyFederations {
		b := make([]float64, nw)
		for i := range b {
			b[i] = studyFedSD * rng.NormFloat64()
		}
		for range fed.practices {
			p := studyPracticeOf{federation: fed.name, fed: f, eta: make([]float64, nw)}
			for i := range p.eta {
				p.eta[i] = mu[i] + b[i] + studyPracticeSD*rng.NormFloat64()
				pop.truth[i] += expectedScore(p.eta[i])
			}
			pop.practices = append(pop.practices, p)
			n++
		}
	}
	for i := range pop.truth {
		pop.truth[i] /= float64(n)
	}
	return pop
}

// studyAnswer codes one answer: 0 (Not a priority) to 4 (Very high), or
// -1 for "Don't know".
type studyAnswer int8

// studyRespondent is one simulated response.
type studyRespondent struct {
	practice *studyPracticeOf
	code     string // the practice's ODS code in this survey (see studyCode)
	answers  []studyAnswer
}

// studyMaxSampled is the most practices a survey samples from one
// federation: every study survey is of at most 150 practices.
const studyMaxSampled = 150

// studyCode is the ODS code a survey gives the k-th practice it samples
// from federation f. Codes are labels only, so each survey numbers its
// own practices, and the registry of every survey is the same few hundred
// codes rather than the population's 3,000.
func studyCode(f, k int) string { return fmt.Sprintf("Y%d%04d", f+1, k+1) }

// drawSurvey samples n practices of pop without replacement, and their
// respondents' answers. byFederation samples each federation in
// proportion to its size (n must then split evenly); otherwise the n
// practices are a simple random sample of the population.
func drawSurvey(rng *rand.Rand, pop *studyPopulation, n int, byFederation bool) []studyRespondent {
	var chosen []int
	if byFederation {
		start := 0
		for _, fed := range studyFederations {
			k := n * fed.practices / len(pop.practices)
			chosen = append(chosen, sampleIndexes(rng, fed.practices, k, start)...)
			start += fed.practices
		}
	} else {
		chosen = sampleIndexes(rng, len(pop.practices), n, 0)
	}
	var out []studyRespondent
	sampled := make([]int, len(studyFederations))
	for _, i := range chosen {
		p := &pop.practices[i]
		code := studyCode(p.fed, sampled[p.fed])
		sampled[p.fed]++
		for range respondentsOf(rng) {
			r := studyRespondent{practice: p, code: code, answers: make([]studyAnswer, len(p.eta))}
			for j, eta := range p.eta {
				r.answers[j] = -1
				if rng.Float64() >= studyDontKnow {
					r.answers[j] = answerLevel(eta + studyNoiseSD*rng.NormFloat64())
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// sampleIndexes returns k distinct indexes from offset to offset+n−1, by a
// partial Fisher–Yates shuffle, in the order drawn.
func sampleIndexes(rng *rand.Rand, n, k, offset int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = offset + i
	}
	for i := range k {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx[:k]
}

func respondentsOf(rng *rand.Rand) int {
	x := rng.Float64()
	for k, p := range studyRespondentsPerPractice {
		if x < p {
			return k + 1
		}
		x -= p
	}
	return len(studyRespondentsPerPractice)
}

func answerLevel(z float64) studyAnswer {
	var l studyAnswer
	for _, c := range studyCuts {
		if z > c {
			l++
		}
	}
	return l
}

// studyScores does in memory what the intake and Store.PracticeScores do
// to a survey: each practice's mean score per workstream.
func studyScores(rs []studyRespondent, ids []string) []store.PracticeScore {
	type acc struct {
		sum           float64
		n, respondent int
	}
	byPractice := map[*studyPracticeOf][]acc{}
	codes := map[*studyPracticeOf]string{}
	var order []*studyPracticeOf
	for _, r := range rs {
		a, ok := byPractice[r.practice]
		if !ok {
			a = make([]acc, len(ids))
			order = append(order, r.practice)
			codes[r.practice] = r.code
		}
		for j, ans := range r.answers {
			a[j].respondent++
			if ans >= 0 {
				a[j].sum += float64(ans) / 4
				a[j].n++
			}
		}
		byPractice[r.practice] = a
	}
	var out []store.PracticeScore
	for _, p := range order {
		for j, a := range byPractice[p] {
			s := store.PracticeScore{Practice: codes[p], Federation: p.federation, Workstream: ids[j],
				Respondents: a.respondent, Scored: a.n}
			if a.n > 0 {
				s.Mean = a.sum / float64(a.n)
			}
			out = append(out, s)
		}
	}
	return out
}

// studyBands are the bands of stated tier confidence the calibration is
// reported in; the last includes 1.
var studyBands = []float64{0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1}

// studyTally accumulates coverage and calibration over (replicate,
// workstream) cases.
type studyTally struct {
	cases, covered int
	above          int // the interval lies above the truth
	band           []studyBand
}

// studyBand is one band of stated tier confidence.
type studyBand struct {
	cases, right int
	stated       float64 // sum of stated confidences
}

// add scores one workstream: its interval [lo, hi] of the score, the
// true score, its stated tier confidence and whether its tier is right.
func (t *studyTally) add(lo, hi, truth, stated float64, right bool) {
	if t.band == nil {
		t.band = make([]studyBand, len(studyBands)-1)
	}
	t.cases++
	switch {
	case truth < lo-1e-12:
		t.above++
	case truth > hi+1e-12:
	default:
		t.covered++
	}
	k := len(t.band) - 1
	for k > 0 && stated < studyBands[k] {
		k--
	}
	b := &t.band[k]
	b.cases++
	b.stated += stated
	if right {
		b.right++
	}
}

// coverage returns the share of cases whose interval held the truth.
func (t *studyTally) coverage() float64 { return float64(t.covered) / float64(max(1, t.cases)) }

// coverageRange returns a 95% range of the coverage from the spread of
// the per-replicate coverages, which keeps the correlation between the
// workstreams of one survey: mean ± 1.96·sd/√R.
func coverageRange(perReplicate []float64) (lo, hi float64) {
	n := float64(len(perReplicate))
	var m, ss float64
	for _, c := range perReplicate {
		m += c
	}
	m /= n
	for _, c := range perReplicate {
		ss += (c - m) * (c - m)
	}
	se := math.Sqrt(ss / (n - 1) / n)
	return m - 1.96*se, m + 1.96*se
}

// worstBand returns the largest gap |stated − right| over the bands with
// at least minCases cases, and that band's index (−1 when none has).
func (t *studyTally) worstBand(minCases int) (gap float64, band int) {
	band = -1
	for k, b := range t.band {
		if b.cases < minCases {
			continue
		}
		g := math.Abs(b.stated/float64(b.cases) - float64(b.right)/float64(b.cases))
		if band < 0 || g > gap {
			gap, band = g, k
		}
	}
	return gap, band
}

// trueTiers returns each workstream's true score and tier, in catalogue
// order: the score of the true practice priorities, with the mandate
// floor.
func trueTiers(cat *survey.Catalogue, truth []float64, opts Options) ([]float64, []survey.Tier) {
	pri := make([]priority, len(truth))
	for i, p := range truth {
		pri[i] = priority{mean: p}
	}
	vals := criterionValues(cat, pri, opts)
	scores, tiers := make([]float64, len(vals)), make([]survey.Tier, len(vals))
	for i, v := range vals {
		scores[i] = v.Score(opts.Weights)
		_, tiers[i] = opts.tier(scores[i], cat.Workstreams[i].Mandated)
	}
	return scores, tiers
}

// scoreRanking adds each row of r to t against the truth.
func scoreRanking(t *studyTally, cat *survey.Catalogue, r survey.Ranking, truth []float64, opts Options) float64 {
	scores, tiers := trueTiers(cat, truth, opts)
	at := map[string]int{}
	for i, w := range cat.Workstreams {
		at[w.ID] = i
	}
	before := t.covered
	for _, row := range r.Rows {
		i := at[row.WorkstreamID]
		t.add(row.CILow, row.CIHigh, scores[i], row.TierProbability, row.Tier == tiers[i])
	}
	return float64(t.covered-before) / float64(len(r.Rows))
}

// sortedCopy returns x sorted, leaving x as it was.
func sortedCopy(x []float64) []float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y
}

// studyScenario is one survey design of the study.
type studyScenario struct {
	practices    int
	byFederation bool
}

func (sc studyScenario) String() string {
	if sc.byFederation {
		return fmt.Sprintf("%d, sampled by federation", sc.practices)
	}
	return fmt.Sprint(sc.practices)
}

// studyDraw returns replicate rep of scenario sc: a population of its own
// and a survey drawn from it, from a generator seeded by seed, the
// scenario and rep alone, so that replicates can run in any order.
func studyDraw(seed uint64, sc studyScenario, rep int, nw int) (*studyPopulation, []studyRespondent) {
	key := seed + uint64(sc.practices)<<1
	if sc.byFederation {
		key++
	}
	rng := rand.New(rand.NewPCG(key, uint64(rep)))
	pop := newStudyPopulation(rng, nw)
	return pop, drawSurvey(rng, pop, sc.practices, sc.byFederation)
}

// studyReplicate is what one replicate gives each method: per workstream
// in catalogue order, the method's results, the true score and whether
// the point tier is the true tier.
type studyReplicate struct {
	results [][]studyResult // [method][workstream]
	truth   []float64
	right   []bool
}

// runReplicate ranks one survey by every method of methods.
func runReplicate(cat *survey.Catalogue, opts Options, pop *studyPopulation, rs []studyRespondent, methods []studyMethod, seed uint64) (studyReplicate, error) {
	p, err := newPanel(cat.IDs(), studyScores(rs, cat.IDs()))
	if err != nil {
		return studyReplicate{}, err
	}
	vals := criterionValues(cat, p.priorities(nil), opts)
	scores, tiers := trueTiers(cat, pop.truth, opts)
	out := studyReplicate{truth: scores, right: make([]bool, len(vals))}
	for j, v := range vals {
		_, t := opts.tier(v.Score(opts.Weights), cat.Workstreams[j].Mandated)
		out.right[j] = t == tiers[j]
	}
	for _, m := range methods {
		out.results = append(out.results, m.run(p, cat, vals, opts, seed))
	}
	return out, nil
}

// studySummary is one method's figures over one scenario.
type studySummary struct {
	tally        studyTally
	perReplicate []float64 // coverage of each replicate
}

// summariseMethod tallies the replicates for method m.
func summariseMethod(reps []studyReplicate, m int) studySummary {
	var s studySummary
	for _, r := range reps {
		before := s.tally.covered
		for j, res := range r.results[m] {
			s.tally.add(res.lo, res.hi, r.truth[j], res.tierProb, r.right[j])
		}
		s.perReplicate = append(s.perReplicate, float64(s.tally.covered-before)/float64(len(r.results[m])))
	}
	return s
}
