package analysis

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/surveyworker/surveyworker/survey"
)

// DefaultResamples is the default number of bootstrap resamples B.
const DefaultResamples = 1000

// MinResamples is the fewest bootstrap resamples a ranking may use: with
// fewer, the 5th and 95th percentile ranks rest on too few resamples.
const MinResamples = 1000

// DefaultSeed seeds the bootstrap when no seed is given.
const DefaultSeed uint64 = 20240101

// pcgStream is the second word of the PCG state; it is fixed so that a run
// is reproduced by its seed alone.
const pcgStream uint64 = 0x73757276_65790001

// intervalTail is the share of the distribution below (and above) the
// reported intervals and rank ranges: 5% each side of a 90% interval.
const intervalTail = 0.05

// bootstrap resamples the responding practices with replacement and
// recomputes every workstream's score, tier and rank, for the rank range.
// Its buffers are allocated once and reused for every resample.
type bootstrap struct {
	cat  *survey.Catalogue
	vals []Values // point values; Survey is replaced per resample
	opts Options
	np   int // responding practices
	nw   int // workstreams
	// Dense copies of the panel, [practice*nw + workstream]: the mean (0
	// when missing) and 1 when the mean is defined, else 0, so that the
	// inner loop has no branch.
	y, has []float64

	weight []float64                 // each practice's weight (see panel.weightOf)
	counts []int                     // times each practice is drawn
	sum, n []float64                 // per workstream
	rows   []survey.RankedWorkstream // ranking buffer
	index  map[string]int            // workstream ID to catalogue index
	ranks  [][]int                   // [workstream][resample]
}

// bootResult holds each workstream's rank range, in catalogue order.
type bootResult struct {
	ids      []string
	rankLow  []int
	rankHigh []int
}

func newBootstrap(p *panel, cat *survey.Catalogue, vals []Values, opts Options) *bootstrap {
	nw, np := len(p.workstreams), len(p.practices)
	b := &bootstrap{cat: cat, vals: slices.Clone(vals), opts: opts, np: np, nw: nw,
		y: make([]float64, np*nw), has: make([]float64, np*nw),
		weight: make([]float64, np), counts: make([]int, np), sum: make([]float64, nw), n: make([]float64, nw),
		rows: make([]survey.RankedWorkstream, nw), index: make(map[string]int, nw)}
	for i, row := range p.mean {
		b.weight[i] = p.weightOf(i)
		for j, m := range row {
			if math.IsNaN(m) {
				continue
			}
			b.y[i*nw+j], b.has[i*nw+j] = m, 1
		}
	}
	for j, w := range cat.Workstreams {
		b.index[w.ID] = j
	}
	return b
}

// draws is the number of practices one resample draws from n: n − 1, the
// Rao–Wu rescaled bootstrap for one stratum, whose variance of a mean is
// s²/n rather than the (n − 1)/n · s²/n that n draws give; a lone practice
// is drawn once.
func draws(n int) int {
	return max(n-1, min(n, 1))
}

// run draws resamples resamples from a PCG generator seeded with seed and
// summarises them, counting the resamples on the run's task.
func (b *bootstrap) run(resamples int, seed uint64) bootResult {
	task := b.opts.task
	task.Phase("bootstrap")
	task.SetTotal(int64(resamples), "resamples")
	src := rand.NewPCG(seed, pcgStream)
	b.ranks = make([][]int, b.nw)
	for j := range b.nw {
		b.ranks[j] = make([]int, resamples)
	}
	for r := range resamples {
		b.draw(src)
		b.rank(r)
		task.SetDone(int64(r + 1))
	}
	return b.summarise()
}

// draw sets counts to one resample: draws(n) practices drawn with
// replacement from all n responding practices, in ODS-code order.
func (b *bootstrap) draw(src *rand.PCG) {
	clear(b.counts)
	n := uint64(b.np)
	for range draws(b.np) {
		b.counts[uniform(src, n)]++
	}
}

// rank computes the resample's practice priorities from the counts (a
// practice drawn c times weighs c times its weight), then the scores,
// tiers and ranks, and records the ranks as resample r.
func (b *bootstrap) rank(r int) {
	clear(b.sum)
	clear(b.n)
	nw := b.nw
	for i, c := range b.counts {
		if c == 0 {
			continue
		}
		w := float64(c) * b.weight[i]
		y, has := b.y[i*nw:(i+1)*nw], b.has[i*nw:(i+1)*nw]
		for j := range nw {
			b.sum[j] += w * y[j]
			b.n[j] += w * has[j]
		}
	}
	for j, ws := range b.cat.Workstreams {
		v := b.vals[j]
		v.Survey = 0
		if b.n[j] > 0 {
			v.Survey = b.sum[j] / b.n[j]
		}
		score := v.Score(b.opts.Weights)
		_, tier := b.opts.tier(score, ws.Mandated)
		b.rows[j] = survey.RankedWorkstream{WorkstreamID: ws.ID, Workstream: ws.Name, Score: score, Tier: tier}
	}
	order(b.rows)
	for _, row := range b.rows {
		b.ranks[b.index[row.WorkstreamID]][r] = row.Rank
	}
}

// summarise turns the recorded resamples into rank ranges.
func (b *bootstrap) summarise() bootResult {
	res := bootResult{ids: b.cat.IDs(), rankLow: make([]int, b.nw), rankHigh: make([]int, b.nw)}
	for j := range b.nw {
		slices.Sort(b.ranks[j])
		res.rankLow[j], res.rankHigh[j] = rankBounds(b.ranks[j], intervalTail)
	}
	return res
}

// apply sets the rank ranges of rows, matched by workstream ID.
func (res bootResult) apply(rows []survey.RankedWorkstream) {
	at := make(map[string]int, len(res.ids))
	for j, id := range res.ids {
		at[id] = j
	}
	for k := range rows {
		j := at[rows[k].WorkstreamID]
		rows[k].RankLow, rows[k].RankHigh = res.rankLow[j], res.rankHigh[j]
	}
}

// quantile returns the q-quantile of sorted x by linear interpolation
// between order statistics (Hyndman and Fan type 7, the default of R and
// NumPy): h = (len−1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return 0
	}
	h := float64(len(x)-1) * q
	lo := int(math.Floor(h))
	if lo+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

// rankBounds returns the tail and 1−tail percentiles of sorted integer
// ranks as whole ranks: the order statistics just outside the type 7
// interpolation points, x[⌊(len−1)·tail⌋] and x[⌈(len−1)·(1−tail)⌉], so the
// range always contains the interpolated percentiles.
func rankBounds(x []int, tail float64) (lo, hi int) {
	if len(x) == 0 {
		return 0, 0
	}
	n := float64(len(x) - 1)
	return x[int(math.Floor(n*tail))], x[int(math.Ceil(n*(1-tail)))]
}

// uniform returns a uniformly distributed integer in [0, n), n > 0, from
// src by Lemire's multiply-and-reject method. It uses only src.Uint64, whose
// sequence the PCG algorithm fixes, so the draws are the same on every
// platform and Go release.
func uniform(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}
