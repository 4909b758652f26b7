package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// TestSensitivityWorkedExample checks the margins of the worked example in
// docs/METHOD.md against the hand computation there: S_i(t) = t·v + (1 −
// t)·Q with Q = (S − w·v)/(1 − w).
func TestSensitivityWorkedExample(t *testing.T) {
	r, err := Compute(mustCatalogue(t, exampleCatalogue), aggregate(exampleResponses), store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	printing := func(delta, weight float64) *survey.TierShift {
		return &survey.TierShift{Delta: delta, Weight: weight, WorkstreamID: "printing", Workstream: "Improving Printing",
			From: survey.TierMedium, To: survey.TierHigh}
	}
	want := map[string][2]*survey.TierShift{
		// Printing: Q = (0.4625 − 0.275)/0.6 = 0.3125, slope 0.6875 −
		// 0.3125 = 0.375, reaches 0.50 after (0.5 − 0.4625)/0.375 = 0.1.
		// Down, every crossing lies beyond 0.
		"survey": {printing(0.1, 0.5), nil},
		// Up: Cyber Security, Q = 0.75/0.8 = 0.9375, slope 1/3 − 0.9375,
		// falls to 0.70 after 0.116667/0.604167 = 0.193103. Down:
		// Printing, Q = 0.578125, reaches 0.50 after 0.0375/0.578125 =
		// 0.064865. Wifi crosses 0.50 later, at 0.101408, and stays under
		// the mandate floor anyway.
		"dependencies": {
			{Delta: 0.193103, Weight: 0.393103, WorkstreamID: "cyber-security", Workstream: "Cyber Security",
				From: survey.TierVeryHigh, To: survey.TierHigh},
			printing(0.064865, 0.135135),
		},
	}
	for _, m := range r.Sensitivity {
		w, ok := want[m.Criterion]
		if !ok {
			continue
		}
		if diff := cmp.Diff(w[0], m.Up, cmpopts.EquateApprox(0, 5e-7)); diff != "" {
			t.Errorf("%s up (-want +got):\n%s", m.Criterion, diff)
		}
		if diff := cmp.Diff(w[1], m.Down, cmpopts.EquateApprox(0, 5e-7)); diff != "" {
			t.Errorf("%s down (-want +got):\n%s", m.Criterion, diff)
		}
	}
	var names []string
	for _, m := range r.Sensitivity {
		names = append(names, m.Criterion)
	}
	if diff := cmp.Diff([]string{"survey", "impact", "gpfv", "dependencies", "mandated"}, names); diff != "" {
		t.Errorf("criteria (-want +got):\n%s", diff)
	}
}

// TestSensitivityMovesTier recomputes the ranking with each reported
// weight, just past the margin, and checks that the named workstream's tier
// has changed, and that it has not just short of the margin.
func TestSensitivityMovesTier(t *testing.T) {
	cat := survey.DefaultCatalogue()
	scores := aggregate(readRoadmapSurvey(t))
	opts := testOptions()
	opts.testResamples = 1
	r, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tiers := func(w survey.Weights) map[string]survey.Tier {
		o := opts
		o.Weights = w
		got, err := Compute(cat, scores, store.Totals{}, o)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]survey.Tier{}
		for _, row := range got.Rows {
			m[row.WorkstreamID] = row.Tier
		}
		return m
	}
	base := tiers(opts.Weights)
	for k, m := range r.Sensitivity {
		for dir, s := range map[float64]*survey.TierShift{1: m.Up, -1: m.Down} {
			if s == nil {
				continue
			}
			past := tiers(moveWeight(opts.Weights, k, s.Weight+dir*1e-6))
			if past[s.WorkstreamID] != s.To {
				t.Errorf("%s to %v: %s is %q, want %q", m.Criterion, s.Weight, s.WorkstreamID, past[s.WorkstreamID], s.To)
			}
			if s.Delta > 1e-5 {
				short := tiers(moveWeight(opts.Weights, k, s.Weight-dir*1e-5))
				if diff := cmp.Diff(base, short); diff != "" {
					t.Errorf("%s just short of %v: tiers changed (-base +short):\n%s", m.Criterion, s.Weight, diff)
				}
			}
		}
	}
}

// moveWeight sets weight k to t and scales the others to keep the sum 1.
func moveWeight(w survey.Weights, k int, t float64) survey.Weights {
	fields := weightFields(&w)
	old := *fields[k].value
	for i, f := range fields {
		if i == k {
			*f.value = t
		} else {
			*f.value *= (1 - t) / (1 - old)
		}
	}
	return w
}
