package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/store"
)

// Top2Min is the practice mean at or above which a practice counts towards
// the top-two share: "High priority" (0.75) or better on the five-level
// scale.
const Top2Min = 0.75

// scoreEpsilon absorbs floating-point rounding when a computed value is
// compared with a threshold it equals mathematically.
const scoreEpsilon = 1e-9

// practice is one responding practice of a [panel].
type practice struct {
	code       string
	federation string
	listSize   int
}

// panel is the practice-by-workstream matrix of practice means: the input
// of practice priority, and of any resampling or segmenting of practices.
type panel struct {
	practices   []practice  // sorted by code
	workstreams []string    // catalogue order
	mean        [][]float64 // [practice][workstream]; NaN when the practice gave no scored answer
	// weight is each practice's weight in practice priority: nil for one
	// practice, one vote, else set by [panel.weightByListSize].
	weight []float64
}

// listSizeWeights returns each practice's weight by list size, as
// [panel.weightByListSize] gives it, keyed by ODS code.
func listSizeWeights(scores []store.PracticeScore) map[string]float64 {
	p := &panel{practices: practicesOf(scores)}
	p.weightByListSize()
	out := make(map[string]float64, len(p.practices))
	for i, pr := range p.practices {
		out[pr.code] = p.weight[i]
	}
	return out
}

// weightOf returns the weight of practice row i.
func (p *panel) weightOf(i int) float64 {
	if p.weight == nil {
		return 1
	}
	return p.weight[i]
}

// weightByListSize weights each practice by its registered list size, so
// that practice priority speaks for patients rather than practices. A
// practice whose list size is unknown gets the median of the known ones
// (1 when none is known), so that a gap in the registry neither drops a
// practice nor makes it count for nothing.
func (p *panel) weightByListSize() {
	var known []int
	for _, pr := range p.practices {
		if pr.listSize > 0 {
			known = append(known, pr.listSize)
		}
	}
	fill := 1.0
	if len(known) > 0 {
		slices.Sort(known)
		fill = float64(known[len(known)/2])
		if len(known)%2 == 0 {
			fill = float64(known[len(known)/2-1]+known[len(known)/2]) / 2
		}
	}
	p.weight = make([]float64, len(p.practices))
	for i, pr := range p.practices {
		p.weight[i] = fill
		if pr.listSize > 0 {
			p.weight[i] = float64(pr.listSize)
		}
	}
}

// priority is one workstream's survey summary over a set of practices.
type priority struct {
	mean      float64 // P: mean of practice means, 0 when practices is 0
	top2      float64 // share of practices with a mean of at least Top2Min
	practices int     // practices with a scored answer
}

// newPanel arranges scores by practice and workstream. Scores for
// workstreams not in ids are ignored, as are rows without a scored answer.
// It returns an error for a duplicate (practice, workstream), an empty
// practice code or a mean outside 0..1.
func newPanel(ids []string, scores []store.PracticeScore) (*panel, error) {
	col := make(map[string]int, len(ids))
	for i, id := range ids {
		col[id] = i
	}
	p := &panel{workstreams: ids, practices: practicesOf(scores)}
	row := make(map[string]int, len(p.practices))
	for i, pr := range p.practices {
		row[pr.code] = i
		p.mean = append(p.mean, nanRow(len(ids)))
	}
	for _, s := range scores {
		if s.Practice == "" {
			return nil, fmt.Errorf("workstream %s: score without a practice", s.Workstream)
		}
		j, ok := col[s.Workstream]
		if !ok || s.Scored <= 0 {
			continue
		}
		if math.IsNaN(s.Mean) || s.Mean < 0 || s.Mean > 1 {
			return nil, fmt.Errorf("practice %s, workstream %s: mean %v is not between 0 and 1", s.Practice, s.Workstream, s.Mean)
		}
		cell := &p.mean[row[s.Practice]][j]
		if !math.IsNaN(*cell) {
			return nil, fmt.Errorf("practice %s, workstream %s: listed twice", s.Practice, s.Workstream)
		}
		*cell = s.Mean
	}
	return p, nil
}

// practicesOf returns the distinct practices of scores, sorted by code, so
// that every sum over practices runs in the same order whatever the input
// order.
func practicesOf(scores []store.PracticeScore) []practice {
	seen := map[string]bool{}
	var out []practice
	for _, s := range scores {
		if !seen[s.Practice] {
			seen[s.Practice] = true
			out = append(out, practice{code: s.Practice, federation: s.Federation, listSize: s.ListSize})
		}
	}
	slices.SortFunc(out, func(a, b practice) int { return strings.Compare(a.code, b.code) })
	return out
}

func nanRow(n int) []float64 {
	r := make([]float64, n)
	for i := range r {
		r[i] = math.NaN()
	}
	return r
}

// priorities returns each workstream's practice priority over the practices
// at the given row indices (a row may repeat, as in a resample), or over
// every practice when rows is nil. Each practice counts once per
// appearance, however many of its staff replied: one practice, one vote.
func (p *panel) priorities(rows []int) []priority {
	if rows == nil {
		rows = make([]int, len(p.practices))
		for i := range rows {
			rows[i] = i
		}
	}
	out := make([]priority, len(p.workstreams))
	for j := range out {
		out[j] = p.priority(rows, j)
	}
	return out
}

func (p *panel) priority(rows []int, j int) priority {
	var sum, wsum, wtop float64
	var n int
	for _, i := range rows {
		y := p.mean[i][j]
		if math.IsNaN(y) {
			continue
		}
		w := p.weightOf(i)
		sum += w * y
		wsum += w
		n++
		if y >= Top2Min-scoreEpsilon {
			wtop += w
		}
	}
	if n == 0 || wsum == 0 {
		return priority{}
	}
	return priority{mean: sum / wsum, top2: wtop / wsum, practices: n}
}
