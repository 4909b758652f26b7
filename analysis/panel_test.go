package analysis

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// ps is a shorthand for a practice score with scored answers.
func ps(practice, workstream string, mean float64, respondents int) store.PracticeScore {
	return store.PracticeScore{Practice: practice, Workstream: workstream, Mean: mean, Scored: respondents, Respondents: respondents}
}

// dk is a practice whose respondents all answered "Don't know".
func dk(practice, workstream string, respondents int) store.PracticeScore {
	return store.PracticeScore{Practice: practice, Workstream: workstream, Respondents: respondents}
}

var approx = cmpopts.EquateApprox(0, 1e-12)

func TestPriorities(t *testing.T) {
	ids := []string{"a", "b", "c"}
	tests := []struct {
		name   string
		scores []store.PracticeScore
		want   []priority
	}{
		{
			name: "a practice with 30 respondents counts as much as one with 1",
			scores: []store.PracticeScore{
				ps("K1", "a", 1, 30),
				ps("K2", "a", 0, 1),
			},
			want: []priority{{mean: 0.5, top2: 0.5, practices: 2}, {}, {}},
		},
		{
			name: "missing answers are excluded, not zero",
			scores: []store.PracticeScore{
				ps("K1", "a", 0.75, 1),
				ps("K2", "a", 1, 2),
				dk("K3", "a", 4),
			},
			want: []priority{{mean: 0.875, top2: 1, practices: 2}, {}, {}},
		},
		{
			name: "top-two share counts practice means of at least 0.75",
			scores: []store.PracticeScore{
				ps("K1", "b", 0.75, 2), ps("K2", "b", 0.74, 1), ps("K3", "b", 0.5, 1), ps("K4", "b", 1, 1),
			},
			want: []priority{{}, {mean: 2.99 / 4, top2: 0.5, practices: 4}, {}},
		},
		{
			name: "unknown workstreams are ignored",
			scores: []store.PracticeScore{
				ps("K1", "c", 0.25, 1), ps("K1", "retired", 1, 1),
			},
			want: []priority{{}, {}, {mean: 0.25, practices: 1}},
		},
		{
			name:   "no answers",
			scores: nil,
			want:   []priority{{}, {}, {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newPanel(ids, tt.scores)
			if err != nil {
				t.Fatal(err)
			}
			got := p.priorities(nil)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(priority{}), approx); diff != "" {
				t.Errorf("priorities (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrioritiesOverResample(t *testing.T) {
	p, err := newPanel([]string{"a"}, []store.PracticeScore{
		ps("K2", "a", 0, 1), ps("K1", "a", 1, 1), dk("K3", "a", 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rows follow practice code order: K1, K2, K3. K1 drawn twice, K2 once,
	// K3 (missing) once: P = (1 + 1 + 0) / 3.
	got := p.priorities([]int{0, 0, 1, 2})[0]
	want := priority{mean: 2.0 / 3, top2: 2.0 / 3, practices: 3}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(priority{}), approx); diff != "" {
		t.Errorf("resampled priority (-want +got):\n%s", diff)
	}
}

func TestNewPanelErrors(t *testing.T) {
	tests := []struct {
		name   string
		scores []store.PracticeScore
	}{
		{"duplicate practice and workstream", []store.PracticeScore{ps("K1", "a", 1, 1), ps("K1", "a", 0.5, 1)}},
		{"mean above 1", []store.PracticeScore{ps("K1", "a", 1.5, 1)}},
		{"negative mean", []store.PracticeScore{ps("K1", "a", -0.1, 1)}},
		{"NaN mean", []store.PracticeScore{ps("K1", "a", math.NaN(), 1)}},
		{"no practice", []store.PracticeScore{ps("", "a", 1, 1)}},
	}
	for _, tt := range tests {
		if _, err := newPanel([]string{"a"}, tt.scores); err == nil {
			t.Errorf("%s: got nil error", tt.name)
		}
	}
}

// TestPrioritiesByListSize checks the list-size weighting by hand: K1
// (3,000 patients) rates a 1, K2 (1,000) rates it 0, so P = 3000/4000;
// K3 has no list size and weighs the median of the known ones (2,000).
func TestPrioritiesByListSize(t *testing.T) {
	sized := func(code string, size int, mean float64) store.PracticeScore {
		s := ps(code, "a", mean, 1)
		s.ListSize = size
		return s
	}
	tests := []struct {
		name   string
		scores []store.PracticeScore
		want   priority
	}{
		{"two sizes", []store.PracticeScore{sized("K1", 3000, 1), sized("K2", 1000, 0)},
			priority{mean: 0.75, top2: 0.75, practices: 2}},
		{"unknown size takes the median", []store.PracticeScore{sized("K1", 3000, 1), sized("K2", 1000, 0), sized("K3", 0, 0.5)},
			priority{mean: (3000 + 1000) / 6000.0, top2: 0.5, practices: 3}},
		{"no size known: one practice, one vote", []store.PracticeScore{sized("K1", 0, 1), sized("K2", 0, 0)},
			priority{mean: 0.5, top2: 0.5, practices: 2}},
	}
	for _, tt := range tests {
		p, err := newPanel([]string{"a"}, tt.scores)
		if err != nil {
			t.Fatal(err)
		}
		p.weightByListSize()
		got := p.priorities(nil)[0]
		if math.Abs(got.mean-tt.want.mean) > 1e-12 || math.Abs(got.top2-tt.want.top2) > 1e-12 || got.practices != tt.want.practices {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestIntervalByListSize checks that the interval uses the same weights
// as the point estimate. Practices of 9,000 and 1,000 patients rating 1
// and 0 give P = 0.9 and SE² = 2 · (9,000² · 0.1² + 1,000² · 0.9²) /
// 10,000² = 0.0324, SE = 0.18; one practice, one vote would give P = 0.5
// and SE = 0.5. The logit is taken at 0.875, a quarter-step over n = 2
// from 1 (the guard), so its sd is 0.18/(0.875 · 0.125).
func TestIntervalByListSize(t *testing.T) {
	cat := survey.DefaultCatalogue()
	var scores []store.PracticeScore
	for i, size := range []int{9000, 1000} {
		s := ps(fmt.Sprintf("K%d", i+1), cat.Workstreams[0].ID, float64(1-i), 1)
		s.Federation, s.ListSize = fmt.Sprintf("F%d", i), size
		scores = append(scores, s)
	}
	p, err := newPanel(cat.IDs(), scores)
	if err != nil {
		t.Fatal(err)
	}
	p.weightByListSize()
	u := priorityUncertainty(p, 0)
	if math.Abs(u.est-0.9) > 1e-12 || u.center != 0.875 || math.Abs(u.sd-0.18/(0.875*0.125)) > 1e-12 || u.df != 1 {
		t.Errorf("uncertainty %+v, want P 0.9 at 0.875, logit sd 1.645714, 1 degree of freedom", u)
	}
	opts := DefaultOptions()
	opts.WeightByListSize, opts.testResamples = true, 20
	r, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := u.interval(intervalTail)
	row := rowByID(t, r, cat.Workstreams[0].ID)
	f := row.Score - 0.4*0.9
	if math.Abs(row.PracticePriority-0.9) > 1e-9 || math.Abs(row.CILow-(f+0.4*lo)) > 1e-12 || math.Abs(row.CIHigh-(f+0.4*hi)) > 1e-12 {
		t.Errorf("practice priority %v (want 0.9), interval %v..%v, want %v..%v", row.PracticePriority,
			row.CILow, row.CIHigh, f+0.4*lo, f+0.4*hi)
	}
	if !r.Params.WeightByListSize {
		t.Error("the run's parameters do not record the weighting")
	}
}
