package analysis

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// TestBootstrapWorkedExample checks the resamples worked by hand in
// docs/METHOD.md §9. Every resample draws two of the three practices
// (K84001, K84002, K84003), whatever their federations:
//
//	counts (2, 0, 0): P*_CY = 0.875, P*_PR = 0.875, P*_WF = 0.375, S*_PR = 0.4·0.875 + 0.1875 = 0.5375 (High)
//	counts (1, 1, 0): P*_CY = 0.9375, P*_PR = 0.6875, P*_WF = 0.5625, S*_PR = 0.4625 (Medium)
//	counts (0, 1, 1): P*_CY = 0.875, P*_PR = 0.5 (K84003 did not answer), P*_WF = 0.625, S*_PR = 0.3875
//
// Cyber Security is first, Wifi second, Patient Online third and Printing
// fourth in every one of them, so every rank range is a single rank.
func TestBootstrapWorkedExample(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	opts := testOptions()
	p, err := newPanel(cat.IDs(), aggregate(exampleResponses))
	if err != nil {
		t.Fatal(err)
	}
	b := newBootstrap(p, cat, criterionValues(cat, p.priorities(nil), opts), opts)
	b.ranks = make([][]int, b.nw)
	for j := range b.nw {
		b.ranks[j] = make([]int, 1)
	}
	const cy, pr, wf, po = 0, 1, 2, 3 // catalogue order
	tests := []struct {
		name               string
		counts             []int // K84001, K84002, K84003
		pCY, pPR, pWF, sPR float64
		tierPrinting       survey.Tier
	}{
		{"K84001 twice", []int{2, 0, 0}, 0.875, 0.875, 0.375, 0.5375, survey.TierHigh},
		{"K84001 and K84002", []int{1, 1, 0}, 0.9375, 0.6875, 0.5625, 0.4625, survey.TierMedium},
		{"K84002 and K84003", []int{0, 1, 1}, 0.875, 0.5, 0.625, 0.3875, survey.TierMedium},
	}
	s := b.newResample()
	for _, tt := range tests {
		copy(s.counts, tt.counts)
		b.rank(s)
		var printing survey.RankedWorkstream
		for _, row := range s.rows {
			if row.WorkstreamID == "printing" {
				printing = row
			}
		}
		got := []float64{s.sum[cy] / s.n[cy], s.sum[pr] / s.n[pr], s.sum[wf] / s.n[wf], printing.Score}
		want := []float64{tt.pCY, tt.pPR, tt.pWF, tt.sPR}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 5e-7 {
				t.Errorf("%s: P*_CY, P*_PR, P*_WF, S*_PR = %v, want %v", tt.name, got, want)
				break
			}
		}
		if printing.Tier != tt.tierPrinting {
			t.Errorf("%s: printing tier %q, want %q", tt.name, printing.Tier, tt.tierPrinting)
		}
		if ranks := []int{b.ranks[cy][0], b.ranks[wf][0], b.ranks[po][0], b.ranks[pr][0]}; !slices.Equal(ranks, []int{1, 2, 3, 4}) {
			t.Errorf("%s: ranks of CY, WF, PO, PR = %v, want 1, 2, 3, 4", tt.name, ranks)
		}
	}
}

// TestIntervalWorkedExample checks the intervals and tier probabilities
// worked by hand in docs/METHOD.md §9, on the example of §6.
func TestIntervalWorkedExample(t *testing.T) {
	r, err := Compute(mustCatalogue(t, exampleCatalogue), aggregate(exampleResponses), store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id               string
		lo, hi, tierProb float64
	}{
		// n = 3, SE = max(0.072169, 0.25/3) = 0.083333, logit sd 0.761905,
		// t(2) = 2.919986: P in 0.430738–0.984793.
		{"cyber-security", 0.638962, 0.860584, 0.915484},
		// n = 2, SE = 0.1875, logit sd 0.872727, t(1) = 6.313752: P in
		// 0.008821–0.998165; Medium while P < 0.78125.
		{"printing", 0.191029, 0.586766, 0.661320},
		// Mandated and below Very high for every P: certain.
		{"wifi", 0, 0, 1},
		// Nobody answered: P is 0 by definition.
		{"patient-online", 0.275, 0.275, 1},
	}
	for _, tt := range tests {
		w := rowByID(t, r, tt.id)
		if tt.lo == 0 { // only the probability was worked
			tt.lo, tt.hi = w.CILow, w.CIHigh
		}
		if math.Abs(w.CILow-tt.lo) > 5e-6 || math.Abs(w.CIHigh-tt.hi) > 5e-6 || math.Abs(w.TierProbability-tt.tierProb) > 5e-6 {
			t.Errorf("%s: interval %.6f–%.6f, tier probability %.6f; want %.6f–%.6f, %.6f", tt.id,
				w.CILow, w.CIHigh, w.TierProbability, tt.lo, tt.hi, tt.tierProb)
		}
		if w.RankLow != w.Rank || w.RankHigh != w.Rank {
			t.Errorf("%s: rank %d, range %d–%d; want a single rank", tt.id, w.Rank, w.RankLow, w.RankHigh)
		}
	}
}

// TestComputeEdgeCases checks that degenerate inputs give a ranking
// without NaN or infinity anywhere (JSON cannot carry them) and with the
// values worked by hand.
func TestComputeEdgeCases(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	fed := func(s store.PracticeScore, f string) store.PracticeScore {
		s.Federation = f
		return s
	}
	type want struct {
		id       string
		p        float64 // practice priority
		n        int     // practices
		score    float64
		tier     survey.Tier
		tierProb float64 // -1: not checked
	}
	tests := []struct {
		name    string
		cat     *survey.Catalogue
		scores  []store.PracticeScore
		weights survey.Weights
		want    []want
	}{
		{
			// Every row is ranked on the workshop criteria alone, and no
			// resample can move it.
			name: "no practices at all",
			want: []want{{"cyber-security", 0, 0, 0.25 + 0.15 + 0.2*2.0/6, survey.TierMedium, 1},
				{"patient-online", 0, 0, 0.275, survey.TierMandated, 1}},
		},
		{
			// One practice says nothing about the spread: the interval
			// rests on the guard of a quarter-step and one degree of
			// freedom. 0.4·0.75 + 0.25 + 0.15 + 0.0667 = 0.7667.
			name:   "one practice",
			scores: []store.PracticeScore{ps("K1", "cyber-security", 0.75, 2)},
			want:   []want{{"cyber-security", 0.75, 1, 0.766667, survey.TierVeryHigh, -1}},
		},
		{
			// Practices at 1 and 0: the guard keeps the logit finite.
			// Printing: K2 answered 1 and K3 0.
			name: "a federation with one practice",
			scores: []store.PracticeScore{fed(ps("K1", "cyber-security", 1, 1), "North"),
				fed(ps("K2", "printing", 1, 1), "City"), fed(ps("K3", "printing", 0, 1), "City")},
			want: []want{{"cyber-security", 1, 1, 0.866667, survey.TierVeryHigh, -1},
				{"printing", 0.5, 2, 0.3875, survey.TierMedium, -1}},
		},
		{
			// Every answer "Don't know": no practice is in V_i, P = 0.
			name:   "all answers don't know",
			scores: []store.PracticeScore{dk("K1", "cyber-security", 3), dk("K1", "printing", 3), dk("K2", "wifi", 1)},
			want: []want{{"cyber-security", 0, 0, 0.466667, survey.TierMedium, 1},
				{"wifi", 0, 0, 0.245833, survey.TierMandated, 1}},
		},
		{
			// Patient Online has no answer: P = 0 from 0 practices,
			// 0.125 + 0.15 = 0.275, lifted by the mandate floor.
			name:   "a workstream nobody answered",
			scores: aggregate(exampleResponses),
			want:   []want{{"patient-online", 0, 0, 0.275, survey.TierMandated, 1}},
		},
		{
			// GPFV and dependencies weigh 0: printing 0.5·0.6875 + 0.5·0.75.
			name:    "weights with a zero",
			scores:  aggregate(exampleResponses),
			weights: survey.Weights{Survey: 0.5, Impact: 0.5},
			want:    []want{{"printing", 0.6875, 2, 0.71875, survey.TierVeryHigh, -1}},
		},
		{
			// Survey weight 1: the score is P, and the sensitivity's Q is
			// the mean of the other four values.
			name:    "survey weight 1",
			scores:  aggregate(exampleResponses),
			weights: survey.Weights{Survey: 1},
			want:    []want{{"cyber-security", 0.875, 3, 0.875, survey.TierVeryHigh, -1}},
		},
		{
			// Cyber Security and Printing list each other, as do Wifi and
			// Patient Online: each cycle counts one dependent each way,
			// and Wifi and Printing also list Cyber Security (d = 2).
			name: "dependencies with cycles",
			cat: func() *survey.Catalogue {
				c, err := ApplyCriteria(cat, []CriteriaOverride{
					{Line: 2, Workstream: "cyber-security", ConsideredWith: []string{"printing"}},
					{Line: 3, Workstream: "wifi", ConsideredWith: []string{"cyber-security", "patient-online"}},
				})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}(),
			want: []want{{"cyber-security", 0, 0, 0.466667, survey.TierMedium, 1},
				{"printing", 0, 0, 0.1875 + 0.2/6, survey.TierMedium, 1},
				{"wifi", 0, 0, 0.0625 + 0.15 + 0.2/6, survey.TierMandated, 1},
				{"patient-online", 0, 0, 0.275 + 0.2/6, survey.TierMandated, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cat
			if c == nil {
				c = cat
			}
			opts := testOptions()
			if tt.weights != (survey.Weights{}) {
				opts.Weights = tt.weights
			}
			r, err := Compute(c, tt.scores, store.Totals{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			r.Segments = append(r.Segments, RoleSegments(c, nil, nil)...)
			if path := nonFinite(reflect.ValueOf(r), "ranking"); path != "" {
				t.Errorf("%s is not finite", path)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("json: %v", err)
			}
			for _, w := range tt.want {
				row := rowByID(t, r, w.id)
				if math.Abs(row.PracticePriority-w.p) > 5e-7 || row.Practices != w.n || math.Abs(row.Score-w.score) > 5e-7 || row.Tier != w.tier {
					t.Errorf("%s: P %v from %d, score %v, %q; want P %v from %d, score %v, %q", w.id,
						row.PracticePriority, row.Practices, row.Score, row.Tier, w.p, w.n, w.score, w.tier)
				}
				if w.tierProb >= 0 && (row.TierProbability != w.tierProb || row.CILow != row.Score || row.CIHigh != row.Score) {
					t.Errorf("%s: interval %v–%v around %v, tier probability %v; want the point score and %v", w.id,
						row.CILow, row.CIHigh, row.Score, row.TierProbability, w.tierProb)
				}
				if row.CILow > row.Score || row.CIHigh < row.Score || row.TierProbability < 0 || row.TierProbability > 1 {
					t.Errorf("%s: interval %v–%v around %v, tier probability %v", w.id, row.CILow, row.CIHigh, row.Score, row.TierProbability)
				}
				if row.RankLow < 1 || row.RankHigh > len(r.Rows) || row.RankLow > row.RankHigh {
					t.Errorf("%s: rank range %d–%d", w.id, row.RankLow, row.RankHigh)
				}
			}
		})
	}
}

// nonFinite returns the path of the first NaN or infinite float in v, or
// "".
func nonFinite(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return nonFinite(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if p := nonFinite(v.Field(i), path+"."+v.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if p := nonFinite(v.Index(i), path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestTierThresholdTies checks scores at a tier threshold: 0.4·0.75 +
// 0.25 + 0.15 = 0.70 is Very high, however the sum rounds, and ties with
// another 0.70; 0.4·0.7375 + 0.25 + 0.15 = 0.695 also rounds to 0.70 but
// is High, so it does not tie with them.
func TestTierThresholdTies(t *testing.T) {
	cat := mustCatalogue(t, `workstreams:
  - {id: a, name: A, impact: 5, gpfv: true}
  - {id: b, name: B, impact: 5, gpfv: true}
  - {id: c, name: C, impact: 5, gpfv: true}
`)
	scores := []store.PracticeScore{ps("K1", "a", 0.75, 1), ps("K1", "b", 0.75, 1), ps("K1", "c", 0.7375, 1)}
	r, err := Compute(cat, scores, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	type placed struct {
		id   string
		rank int
		tier survey.Tier
	}
	want := []placed{{"a", 1, survey.TierVeryHigh}, {"b", 1, survey.TierVeryHigh}, {"c", 3, survey.TierHigh}}
	for i, w := range want {
		if got := r.Rows[i]; got.WorkstreamID != w.id || got.Rank != w.rank || got.Tier != w.tier {
			t.Errorf("row %d: %s rank %d %q (score %v), want %s rank %d %q", i, got.WorkstreamID, got.Rank, got.Tier,
				got.Score, w.id, w.rank, w.tier)
		}
	}
	// a and b get Q = (0.70 − 0.30)/0.6 = 0.6667 per unit from the other
	// criteria, less than their P of 0.75, so any move of the survey weight
	// down drops them below 0.70: the margin is 0, and a comes first.
	for _, m := range r.Sensitivity {
		if m.Criterion != "survey" {
			continue
		}
		if m.Down == nil || m.Down.Delta > 1e-9 || m.Down.WorkstreamID != "a" || m.Down.To != survey.TierHigh {
			t.Errorf("survey down = %+v, want a to High at once", m.Down)
		}
	}
}

// TestSensitivityScoreJustBelowThreshold checks a score that rounding left
// a few ulps below a threshold it reaches in exact arithmetic: 0.35·8/21 +
// 0.2·0.25 + 0.25 + 0.2·2/6 = 0.5 is 0.49999999999999994 in floating
// point, High by the 1e-9 rule. Raising the survey weight lowers it (Q =
// 0.3667/0.65 = 0.5641 > P = 0.3810), so it drops to Medium at once: the
// margin is 0, not the next crossing further on.
func TestSensitivityScoreJustBelowThreshold(t *testing.T) {
	cat := mustCatalogue(t, `workstreams:
  - {id: a, name: A, impact: 2, gpfv: true}
  - {id: b, name: B, impact: 1, considered_with: [a]}
  - {id: c, name: C, impact: 1, considered_with: [a]}
`)
	opts := testOptions()
	opts.Weights = survey.Weights{Survey: 0.35, Impact: 0.2, GPFV: 0.25, Dependencies: 0.2}
	r, err := Compute(cat, []store.PracticeScore{ps("K1", "a", 8.0/21, 1)}, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a := rowByID(t, r, "a"); a.Score >= 0.5 || a.Tier != survey.TierHigh {
		t.Fatalf("a: score %v, %q; want just below 0.5 and High", a.Score, a.Tier)
	}
	up := r.Sensitivity[0].Up
	if r.Sensitivity[0].Criterion != "survey" || up == nil || up.WorkstreamID != "a" || up.Delta > 1e-9 ||
		up.From != survey.TierHigh || up.To != survey.TierMedium {
		t.Errorf("survey up = %+v, want a from High to Medium at once", up)
	}
}
