package analysis

import (
	"math"

	"github.com/surveyworker/surveyworker/survey"
)

// crossingStep is how far past a threshold a score is taken to be when
// finding the tier on the far side of a crossing.
const crossingStep = 1e-7

// sensitivity returns, for each of the five weights in display order, the
// smallest move up and down that changes any workstream's final tier.
//
// Moving weight k from w_k to t, with the other weights scaled by
// (1 − t)/(1 − w_k), makes each score a straight line in t:
//
//	S_i(t) = t·v_i,k + (1 − t)·Q_i,   Q_i = (S_i − w_k·v_i,k) / (1 − w_k)
//
// (when w_k = 1 the other weights are all 0 and share 1 − t equally, so
// Q_i is the mean of the other four values). S_i meets a tier threshold θ
// at t = w_k + (θ − S_i)/(v_i,k − Q_i), so each crossing is found exactly;
// the tier just past it decides whether the final tier (after the mandate
// floor) changes. vals are aligned with cat.Workstreams, rows are the
// point ranking.
func sensitivity(cat *survey.Catalogue, vals []Values, rows []survey.RankedWorkstream, opts Options) []survey.WeightMargin {
	tierOf := make(map[string]survey.Tier, len(rows))
	for _, r := range rows {
		tierOf[r.WorkstreamID] = r.Tier
	}
	var out []survey.WeightMargin
	w := opts.Weights
	for k, f := range weightFields(&w) {
		m := survey.WeightMargin{Criterion: f.name, Weight: *f.value}
		m.Up = firstShift(cat, vals, tierOf, opts, k, +1)
		m.Down = firstShift(cat, vals, tierOf, opts, k, -1)
		out = append(out, m)
	}
	return out
}

// firstShift returns the first tier change as weight k moves in direction
// dir (+1 up to 1, −1 down to 0), or nil when none happens within range.
// Equal moves go to the workstream that comes first in catalogue order.
func firstShift(cat *survey.Catalogue, vals []Values, tierOf map[string]survey.Tier, opts Options, k, dir int) *survey.TierShift {
	wk := *weightFields(&opts.Weights)[k].value
	room := 1 - wk // how far the weight can move
	if dir < 0 {
		room = wk
	}
	var best *survey.TierShift
	for i, ws := range cat.Workstreams {
		vk, q := splitValue(vals[i], opts.Weights, k)
		slope := vk - q
		if slope == 0 {
			continue
		}
		s := vals[i].Score(opts.Weights)
		from := tierOf[ws.ID]
		for _, theta := range []float64{opts.Thresholds.High, opts.Thresholds.VeryHigh} {
			gap := theta - s
			if math.Abs(gap) <= scoreEpsilon {
				// The score already counts as on the threshold (see
				// [Thresholds.BaseTier]); a few ulps of rounding must
				// not put the crossing behind the current weight.
				gap = 0
			}
			delta := gap / slope * float64(dir)
			if delta < 0 || delta > room+scoreEpsilon || (best != nil && delta >= best.Delta) {
				continue
			}
			// Past the crossing the score moves on in the direction of
			// slope·dir.
			past := theta + math.Copysign(crossingStep, slope*float64(dir))
			if _, to := opts.tier(past, ws.Mandated); to != from {
				best = &survey.TierShift{Delta: delta, Weight: wk + float64(dir)*delta,
					WorkstreamID: ws.ID, Workstream: ws.Name, From: from, To: to}
			}
		}
	}
	return best
}

// splitValue returns workstream value v_k of criterion k and Q, the score
// the other criteria give per unit of weight left to them (see
// [sensitivity]).
func splitValue(v Values, w survey.Weights, k int) (vk, q float64) {
	vf := weightFields(&w)
	values := []float64{v.Survey, v.Impact, v.GPFV, v.Dependencies, v.Mandated} // weightFields order
	vk = values[k]
	wk := *vf[k].value
	if 1-wk > weightTolerance {
		return vk, (v.Score(w) - wk*vk) / (1 - wk)
	}
	sum := 0.0
	for i, x := range values {
		if i != k {
			sum += x
		}
	}
	return vk, sum / float64(len(values)-1)
}
