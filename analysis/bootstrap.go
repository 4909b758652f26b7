package analysis

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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
	// y is a dense copy of the panel's means, [practice*nw + workstream],
	// 0 where missing, so that the inner loop has no branch.
	y []float64
	// The workstreams each practice has no mean for, practice i's being
	// missing[missingAt[i]:missingAt[i+1]]: a few, where there are any.
	missing   []int32
	missingAt []int32

	weight []float64      // each practice's weight (see panel.weightOf)
	index  map[string]int // workstream ID to catalogue index
	ranks  [][]int        // [workstream][resample]
}

// resample is the working state of one resample: its draws, and the sums
// and ranking they give. Each goroutine of a bootstrap has its own, reused
// from one resample to the next.
type resample struct {
	r      int                       // its number, from 0
	counts []int                     // times each practice is drawn
	sum, n []float64                 // per workstream
	rows   []survey.RankedWorkstream // ranking buffer
}

func (b *bootstrap) newResample() *resample {
	return &resample{counts: make([]int, b.np), sum: make([]float64, b.nw), n: make([]float64, b.nw),
		rows: make([]survey.RankedWorkstream, b.nw)}
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
		y: make([]float64, np*nw), missingAt: make([]int32, np+1),
		weight: make([]float64, np), index: make(map[string]int, nw)}
	for i, row := range p.mean {
		b.weight[i] = p.weightOf(i)
		for j, m := range row {
			if math.IsNaN(m) {
				b.missing = append(b.missing, int32(j))
				continue
			}
			b.y[i*nw+j] = m
		}
		b.missingAt[i+1] = int32(len(b.missing))
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
// summarises them, counting the resamples on the run's task. This
// goroutine draws the resamples in turn, so a seed gives the same draws
// however many goroutines there are; one per processor ranks them.
func (b *bootstrap) run(resamples int, seed uint64) bootResult {
	task := b.opts.task
	task.Phase("bootstrap")
	task.SetTotal(int64(resamples), "resamples")
	src := rand.NewPCG(seed, pcgStream)
	b.ranks = make([][]int, b.nw)
	for j := range b.nw {
		b.ranks[j] = make([]int, resamples)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), resamples))
	free := make(chan *resample, 2*workers)
	for range cap(free) {
		free <- b.newResample()
	}
	drawn := make(chan *resample, cap(free))
	var wg sync.WaitGroup
	var done atomic.Int64
	for range workers {
		wg.Go(func() {
			for s := range drawn {
				b.rank(s)
				free <- s
				task.SetDone(done.Add(1))
			}
		})
	}
	for r := range resamples {
		s := <-free
		s.r = r
		b.draw(src, s)
		drawn <- s
	}
	close(drawn)
	wg.Wait()
	task.SetDone(int64(resamples))
	return b.summarise()
}

// draw sets s.counts to one resample: draws(n) practices drawn with
// replacement from all n responding practices, in ODS-code order.
func (b *bootstrap) draw(src *rand.PCG, s *resample) {
	clear(s.counts)
	n := uint64(b.np)
	for range draws(b.np) {
		s.counts[uniform(src, n)]++
	}
}

// rank computes the resample's practice priorities from the counts (a
// practice drawn c times weighs c times its weight), then the scores,
// tiers and ranks, and records the ranks as resample s.r.
//
// The weights are whole or half numbers (1, list sizes, their median), so
// their sums are exact in any order: each workstream's is the weight of
// every practice drawn less that of those drawn without a mean for it.
func (b *bootstrap) rank(s *resample) {
	nw := b.nw
	sum, n := s.sum[:nw], s.n[:nw]
	clear(sum)
	clear(n)
	var whole float64
	for i, c := range s.counts {
		if c == 0 {
			continue
		}
		w := float64(c) * b.weight[i]
		whole += w
		y := b.y[i*nw : (i+1)*nw]
		y = y[:len(sum)]
		for j, v := range y {
			sum[j] += w * v
		}
		for _, j := range b.missing[b.missingAt[i]:b.missingAt[i+1]] {
			n[j] -= w
		}
	}
	for j := range n {
		n[j] += whole
	}
	for j, ws := range b.cat.Workstreams {
		v := b.vals[j]
		v.Survey = 0
		if n[j] > 0 {
			v.Survey = sum[j] / n[j]
		}
		score := v.Score(b.opts.Weights)
		_, tier := b.opts.tier(score, ws.Mandated)
		s.rows[j] = survey.RankedWorkstream{WorkstreamID: ws.ID, Workstream: ws.Name, Score: score, Tier: tier}
	}
	order(s.rows)
	for _, row := range s.rows {
		b.ranks[b.index[row.WorkstreamID]][s.r] = row.Rank
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
