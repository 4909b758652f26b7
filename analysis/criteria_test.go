package analysis

import (
	"math"
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

func TestWorkshopValues(t *testing.T) {
	tests := []struct {
		name       string
		w          survey.Workstream
		dependents int
		depCap     int
		want       Values
	}{
		{"lowest", survey.Workstream{Impact: 1}, 0, 6, Values{}},
		{"highest", survey.Workstream{Impact: 5, GPFV: true, Mandated: true}, 6, 6, Values{Impact: 1, GPFV: 1, Mandated: 1, Dependencies: 1}},
		{"impact 3, two dependents", survey.Workstream{Impact: 3}, 2, 6, Values{Impact: 0.5, Dependencies: 2.0 / 6}},
		{"impact 2", survey.Workstream{Impact: 2}, 0, 6, Values{Impact: 0.25}},
		{"impact 4", survey.Workstream{Impact: 4}, 0, 6, Values{Impact: 0.75}},
		{"dependents over the cap", survey.Workstream{Impact: 1}, 11, 6, Values{Dependencies: 1}},
		{"cap 4", survey.Workstream{Impact: 1}, 3, 4, Values{Dependencies: 0.75}},
		{"cap below 1 acts as 1", survey.Workstream{Impact: 1}, 1, 0, Values{Dependencies: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WorkshopValues(tt.w, tt.dependents, tt.depCap); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	w := DefaultWeights()
	tests := []struct {
		name string
		v    Values
		want float64
	}{
		{"nothing", Values{}, 0},
		{"everything", Values{Survey: 1, Impact: 1, GPFV: 1, Dependencies: 1, Mandated: 1}, 1},
		// 0.40·0.875 + 0.25·1 + 0.15·1 + 0.20·(2/6) = 0.35 + 0.25 + 0.15 + 0.0667
		{"cyber security example", Values{Survey: 0.875, Impact: 1, GPFV: 1, Dependencies: 2.0 / 6}, 0.816667},
		// mandated has weight 0 by default: it changes no score
		{"mandate is not scored", Values{Survey: 0.5, Mandated: 1}, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.Score(w); math.Abs(got-tt.want) > 5e-7 {
				t.Errorf("Score = %.6f, want %.6f", got, tt.want)
			}
		})
	}
}

func TestContributionsSumToScore(t *testing.T) {
	w := survey.Weights{Survey: 0.3, Mandated: 0.2, Impact: 0.2, GPFV: 0.1, Dependencies: 0.2}
	v := Values{Survey: 0.6, Mandated: 1, Impact: 0.75, GPFV: 1, Dependencies: 0.5}
	c := v.Contributions(w)
	want := survey.Contributions{Survey: 0.18, Mandated: 0.2, Impact: 0.15, GPFV: 0.1, Dependencies: 0.1}
	if !approxContributions(c, want) {
		t.Errorf("contributions = %+v, want %+v", c, want)
	}
	sum := c.Survey + c.Mandated + c.Impact + c.GPFV + c.Dependencies
	if math.Abs(sum-v.Score(w)) > 1e-12 || math.Abs(sum-0.73) > 1e-12 {
		t.Errorf("contributions sum to %v, score %v, want 0.73", sum, v.Score(w))
	}
}

func approxContributions(a, b survey.Contributions) bool {
	d := math.Abs(a.Survey-b.Survey) + math.Abs(a.Mandated-b.Mandated) + math.Abs(a.Impact-b.Impact) +
		math.Abs(a.GPFV-b.GPFV) + math.Abs(a.Dependencies-b.Dependencies)
	return d < 1e-12
}
