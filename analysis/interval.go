package analysis

import (
	"math"

	"github.com/surveyworker/surveyworker/survey"
)

// scaleStep is one step of the five-level answer scale. It sets the
// guards of [priorityUncertainty], which matter when practices all but
// agree: the spread is taken to be at least that of one practice a step
// away from the others.
const scaleStep = 0.25

// IntervalMethod names how the score intervals and tier probabilities
// are computed, a t distribution on the logit scale of the practice
// priority (docs/METHOD.md §9); each run records it in its parameters.
const IntervalMethod = "logit-t"

// uncertainty is what the survey says about a workstream's true practice
// priority: a t distribution with df degrees of freedom on the logit
// scale, centred on logit(center) with scale sd (docs/METHOD.md §9).
type uncertainty struct {
	center, sd, df float64
	// known is true when no practice answered: P is 0 by definition and
	// nothing is uncertain.
	known bool
	est   float64 // the practice priority P
}

// priorityUncertainty returns the uncertainty of workstream j's practice
// priority in p. The standard error is the linearised one of a weighted
// mean, SE² = n/(n − 1) · Σ w²(y − P)² / (Σ w)², which for one practice,
// one vote is s²/n; it is at least scaleStep/n, and P is kept at least
// scaleStep/n from 0 and 1 for the logit, as if one practice had answered
// a step closer to the middle. On the logit scale the standard error is
// SE / (P(1 − P)) (the delta method), with n − 1 degrees of freedom (1
// for a single practice).
func priorityUncertainty(p *panel, j int) uncertainty {
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
	if n == 0 || sw == 0 {
		return uncertainty{known: true}
	}
	est := swy / sw
	var ss float64
	for i := range p.practices {
		if y := p.mean[i][j]; !math.IsNaN(y) {
			w := p.weightOf(i)
			ss += w * w * (y - est) * (y - est)
		}
	}
	se := 0.0
	if n > 1 {
		se = math.Sqrt(float64(n)/float64(n-1)*ss) / sw
	}
	guard := scaleStep / float64(n)
	se = math.Max(se, guard)
	c := math.Min(math.Max(est, guard), 1-guard)
	return uncertainty{center: c, sd: se / (c * (1 - c)), df: float64(max(n-1, 1)), est: est}
}

// interval returns the central interval of the true practice priority
// that leaves tail on each side: logit⁻¹(logit(center) ± t·sd), t the
// 1 − tail quantile of Student's t with df degrees of freedom, widened if
// need be to hold P itself.
func (u uncertainty) interval(tail float64) (lo, hi float64) {
	if u.known {
		return u.est, u.est
	}
	t := studentQuantile(1-tail, u.df)
	th := logit(u.center)
	lo, hi = expit(th-t*u.sd), expit(th+t*u.sd)
	return math.Min(lo, u.est), math.Max(hi, u.est)
}

// cdf returns the probability that the true practice priority is at most
// x.
func (u uncertainty) cdf(x float64) float64 {
	switch {
	case u.known:
		return step(x, u.est)
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	return studentCDF((logit(x)-logit(u.center))/u.sd, u.df)
}

// tierProbability returns the probability that a workstream whose score
// is f + w·P, P having uncertainty u, truly belongs to tier: that P lies
// in the band of practice priorities whose score earns tier after the
// mandate floor. A score within 1e-9 below a threshold reaches it, as in
// [Thresholds.BaseTier].
func (o Options) tierProbability(u uncertainty, f, w float64, mandated bool, tier survey.Tier) float64 {
	if w == 0 {
		return 1
	}
	vh := (o.Thresholds.VeryHigh - scoreEpsilon - f) / w
	h := (o.Thresholds.High - scoreEpsilon - f) / w
	floor := mandated && !o.NoMandateFloor
	switch {
	case tier == survey.TierVeryHigh:
		return 1 - u.cdf(vh)
	case tier == survey.TierMandated && floor:
		return u.cdf(vh)
	case tier == survey.TierHigh && !floor:
		return u.cdf(vh) - u.cdf(h)
	case tier == survey.TierMedium && !floor:
		return u.cdf(h)
	}
	return 0
}

// applyIntervals sets each row's 90% score interval and tier probability
// from its practice priority's uncertainty (see [priorityUncertainty]):
// the score is f + w·P, f the workshop part, so the interval of P maps to
// the score's, and the tier probability is the chance that the true P
// lies in the band that earns the row's tier.
func applyIntervals(rows []survey.RankedWorkstream, p *panel, cat *survey.Catalogue, vals []Values, opts Options) {
	at := make(map[string]int, len(cat.Workstreams))
	for j, w := range cat.Workstreams {
		at[w.ID] = j
	}
	w := opts.Weights.Survey
	for k := range rows {
		j := at[rows[k].WorkstreamID]
		u := priorityUncertainty(p, j)
		f := vals[j].Score(opts.Weights) - w*vals[j].Survey
		lo, hi := u.interval(intervalTail)
		rows[k].CILow, rows[k].CIHigh = f+w*lo, f+w*hi
		rows[k].TierProbability = opts.tierProbability(u, f, w, cat.Workstreams[j].Mandated, rows[k].Tier)
	}
}

func step(x, at float64) float64 {
	if x < at {
		return 0
	}
	return 1
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
