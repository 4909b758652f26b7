package analysis

import (
	"github.com/surveyworker/surveyworker/survey"
)

// Values are one workstream's partial values on the five criteria, each
// on the 0..1 scale where 1 is best.
type Values struct {
	// Survey is the practice priority P.
	Survey float64
	// Mandated is 1 for centrally mandated work, else 0.
	Mandated float64
	// GPFV is 1 for a GP Forward View enabler, else 0.
	GPFV float64
	// Impact is (impact − 1) / 4 for a workshop impact of 1 to 5.
	Impact float64
	// Dependencies is min(dependents, cap) / cap.
	Dependencies float64
}

// WorkshopValues returns the partial values of the workshop criteria of w,
// given how many other workstreams list it as "considered with"
// (dependents) and the dependency cap (at least 1). Survey is left 0.
func WorkshopValues(w survey.Workstream, dependents, depCap int) Values {
	depCap = max(depCap, 1)
	return Values{
		Mandated:     boolValue(w.Mandated),
		GPFV:         boolValue(w.GPFV),
		Impact:       float64(min(max(w.Impact, 1), 5)-1) / 4,
		Dependencies: float64(min(max(dependents, 0), depCap)) / float64(depCap),
	}
}

// Contributions returns each criterion's weighted value w·v.
func (v Values) Contributions(w survey.Weights) survey.Contributions {
	return survey.Contributions{
		Survey:       w.Survey * v.Survey,
		Mandated:     w.Mandated * v.Mandated,
		GPFV:         w.GPFV * v.GPFV,
		Impact:       w.Impact * v.Impact,
		Dependencies: w.Dependencies * v.Dependencies,
	}
}

// Score returns the weighted sum S = Σ w·v, between 0 and 1 when the
// weights sum to 1.
func (v Values) Score(w survey.Weights) float64 {
	c := v.Contributions(w)
	return c.Survey + c.Impact + c.GPFV + c.Dependencies + c.Mandated
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
