package analysis

import (
	"math"
	"math/rand/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// The interval methods the coverage study compares with the one Compute
// uses. Each returns, per workstream in catalogue order, the 90% interval
// of the score and the stated confidence in the point tier.
type studyMethod struct {
	name string
	run  func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, seed uint64) []studyResult
}

type studyResult struct {
	lo, hi, tierProb float64
}

// studyMethods are the methods the study compares, in the order it
// reports them; the last is the one Compute uses.
var studyMethods = []studyMethod{
	{"stratified percentile (before)", func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, seed uint64) []studyResult {
		return resampled(p, cat, vals, opts, seed, federationRows(p), false)
	}},
	{"stratified Rao-Wu percentile", func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, seed uint64) []studyResult {
		return resampled(p, cat, vals, opts, seed, mergeSmallStrata(federationRows(p)), true)
	}},
	{"unstratified Rao-Wu percentile", func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, seed uint64) []studyResult {
		return resampled(p, cat, vals, opts, seed, [][]int{allRows(p)}, true)
	}},
	{"t, probability scale", func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, _ uint64) []studyResult {
		return plainT(p, cat, vals, opts)
	}},
	{"t, logit scale (chosen)", func(p *panel, cat *survey.Catalogue, vals []Values, opts Options, _ uint64) []studyResult {
		return chosen(p, cat, vals, opts)
	}},
}

// chosen is what Compute reports: [applyIntervals] on the point ranking,
// in catalogue order.
func chosen(p *panel, cat *survey.Catalogue, vals []Values, opts Options) []studyResult {
	rows := rankRows(cat, p.priorities(nil), vals, opts)
	applyIntervals(rows, p, cat, vals, opts)
	at := map[string]survey.RankedWorkstream{}
	for _, r := range rows {
		at[r.WorkstreamID] = r
	}
	out := make([]studyResult, len(cat.Workstreams))
	for j, w := range cat.Workstreams {
		r := at[w.ID]
		out[j] = studyResult{r.CILow, r.CIHigh, r.TierProbability}
	}
	return out
}

func allRows(p *panel) []int {
	rows := make([]int, len(p.practices))
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// mergeSmallStrata pools the strata of one practice, which have no
// variance to resample, into one (or into the largest, if only one).
func mergeSmallStrata(strata [][]int) [][]int {
	var out [][]int
	var pool []int
	for _, s := range strata {
		if len(s) < 2 {
			pool = append(pool, s...)
		} else {
			out = append(out, s)
		}
	}
	switch {
	case len(pool) >= 2 || len(out) == 0:
		out = append(out, pool)
	case len(pool) == 1:
		big := 0
		for k := range out {
			if len(out[k]) > len(out[big]) {
				big = k
			}
		}
		out[big] = append(out[big], pool...)
	}
	return out
}

// resampled runs a bootstrap of B = 1,000 over strata: n_f draws per
// stratum, or with raoWu n_f − 1 draws weighted n_f/(n_f − 1) (the
// Rao–Wu rescaled bootstrap with m_f = n_f − 1). Percentile interval and
// share of resamples in the point tier.
func resampled(p *panel, cat *survey.Catalogue, vals []Values, opts Options, seed uint64, strata [][]int, raoWu bool) []studyResult {
	const B = 1000
	nw := len(cat.Workstreams)
	src := rand.NewPCG(seed, pcgStream)
	scores := make([][]float64, nw)
	same := make([]int, nw)
	point := make([]survey.Tier, nw)
	for j, ws := range cat.Workstreams {
		_, point[j] = opts.tier(vals[j].Score(opts.Weights), ws.Mandated)
	}
	w := make([]float64, len(p.practices))
	for range B {
		clear(w)
		for _, s := range strata {
			m, scale := len(s), 1.0
			if raoWu && m > 1 {
				m, scale = m-1, float64(m)/float64(m-1)
			}
			for range m {
				i := s[uniform(src, uint64(len(s)))]
				w[i] += scale * p.weightOf(i)
			}
		}
		for j, ws := range cat.Workstreams {
			var sum, n float64
			for i, wi := range w {
				if y := p.mean[i][j]; wi > 0 && !math.IsNaN(y) {
					sum += wi * y
					n += wi
				}
			}
			v := vals[j]
			if n > 0 {
				v.Survey = sum / n
			}
			s := v.Score(opts.Weights)
			scores[j] = append(scores[j], s)
			if _, t := opts.tier(s, ws.Mandated); t == point[j] {
				same[j]++
			}
		}
	}
	out := make([]studyResult, nw)
	for j := range out {
		x := sortedCopy(scores[j])
		out[j] = studyResult{quantile(x, intervalTail), quantile(x, 1-intervalTail), float64(same[j]) / B}
	}
	return out
}

// plainT is the unstratified P ± t(n − 1)·SE interval on the probability
// scale, clipped to 0–1, with no guard, and the tier confidence from the
// same t distribution.
func plainT(p *panel, cat *survey.Catalogue, vals []Values, opts Options) []studyResult {
	out := make([]studyResult, len(cat.Workstreams))
	w := opts.Weights.Survey
	for j, ws := range cat.Workstreams {
		est, se, df := meanSE(p, j)
		score := vals[j].Score(opts.Weights)
		f := score - w*vals[j].Survey
		lo, hi := est, est
		cdf := func(x float64) float64 { return step(x, est) }
		if df > 0 && se > 0 {
			t := studentQuantile(1-intervalTail, float64(df))
			lo, hi = math.Max(0, est-t*se), math.Min(1, est+t*se)
			cdf = func(x float64) float64 { return studentCDF((x-est)/se, float64(df)) }
		}
		_, tier := opts.tier(score, ws.Mandated)
		a, b := tierBandP(opts, f, w, ws.Mandated, tier)
		prob := 1.0
		if w > 0 {
			prob = bandMass(cdf, a, b)
		}
		out[j] = studyResult{f + w*lo, f + w*hi, prob}
	}
	return out
}

// bandMass is the probability of [a, b) under cdf for a quantity within
// 0–1: the mass outside 0–1 goes to the nearer end.
func bandMass(cdf func(float64) float64, a, b float64) float64 {
	lo, hi := 0.0, 1.0
	if a > 0 {
		lo = cdf(a)
	}
	if b < 1 {
		hi = cdf(b)
	}
	return math.Max(0, hi-lo)
}

// meanSE returns workstream j's practice priority, its linearised
// standard error √(n/(n−1)·Σ w²(y − P)²)/Σw and n − 1.
func meanSE(p *panel, j int) (est, se float64, df int) {
	var sw, swy float64
	n := 0
	for i := range p.practices {
		if y := p.mean[i][j]; !math.IsNaN(y) {
			w := p.weightOf(i)
			sw += w
			swy += w * y
			n++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	est = swy / sw
	var ss float64
	for i := range p.practices {
		if y := p.mean[i][j]; !math.IsNaN(y) {
			w := p.weightOf(i)
			ss += w * w * (y - est) * (y - est)
		}
	}
	if n > 1 {
		se = math.Sqrt(float64(n)/float64(n-1)*ss) / sw
	}
	return est, se, n - 1
}

// tierBandP returns the practice priorities [a, b) that earn tier, for a
// workstream whose score is f + w·P, w > 0.
func tierBandP(opts Options, f, w float64, mandated bool, tier survey.Tier) (a, b float64) {
	vh, h := (opts.Thresholds.VeryHigh-f)/w, (opts.Thresholds.High-f)/w
	switch {
	case tier == survey.TierVeryHigh:
		return vh, math.Inf(1)
	case mandated && !opts.NoMandateFloor:
		return math.Inf(-1), vh
	case tier == survey.TierHigh:
		return h, vh
	default:
		return math.Inf(-1), h
	}
}
