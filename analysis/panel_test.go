package analysis

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"surveyworker/store"
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
