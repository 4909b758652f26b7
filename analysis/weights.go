package analysis

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/surveyworker/surveyworker/survey"
)

// weightTolerance is how far the weights may sum from 1.
const weightTolerance = 1e-6

// DefaultWeights returns the documented default criteria weights: survey
// 0.40, impact 0.25, GP Forward View 0.15, dependencies 0.20 and mandated 0,
// because the mandate acts as a tier floor rather than through the score.
func DefaultWeights() survey.Weights {
	return survey.Weights{Survey: 0.40, Impact: 0.25, GPFV: 0.15, Dependencies: 0.20, Mandated: 0}
}

// ValidateWeights reports an error unless every weight is a finite number
// between 0 and 1 and the weights sum to 1 (within 1e-6).
func ValidateWeights(w survey.Weights) error {
	sum := 0.0
	for _, c := range weightFields(&w) {
		v := *c.value
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("weight %s=%v is not between 0 and 1", c.name, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > weightTolerance {
		return fmt.Errorf("weights sum to %.6g, want 1", sum)
	}
	return nil
}

// ParseWeights parses a list such as
// "survey=0.4,impact=0.25,gpfv=0.15,dependencies=0.2,mandated=0". Criteria
// not named are 0. Names are survey, mandated, gpfv, impact and dependencies
// (also "dependents"), in any case; the result must pass [ValidateWeights].
func ParseWeights(s string) (survey.Weights, error) {
	var w survey.Weights
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return survey.Weights{}, fmt.Errorf("weights %q: %q is not name=value", s, part)
		}
		ptr, canon := lookupWeight(&w, name)
		if ptr == nil {
			return survey.Weights{}, fmt.Errorf("weights %q: unknown criterion %q (want survey, mandated, gpfv, impact or dependencies)", s, name)
		}
		if seen[canon] {
			return survey.Weights{}, fmt.Errorf("weights %q: %s given twice", s, canon)
		}
		seen[canon] = true
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return survey.Weights{}, fmt.Errorf("weights %q: %s: %w", s, canon, err)
		}
		*ptr = f
	}
	if err := ValidateWeights(w); err != nil {
		return survey.Weights{}, fmt.Errorf("weights %q: %w", s, err)
	}
	return w, nil
}

// FormatWeights formats w in the syntax [ParseWeights] reads, criteria in a
// fixed order.
func FormatWeights(w survey.Weights) string {
	var parts []string
	for _, c := range weightFields(&w) {
		parts = append(parts, c.name+"="+strconv.FormatFloat(*c.value, 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}

type weightField struct {
	name  string
	value *float64
}

// weightFields lists the fields of w with their names, in display order.
func weightFields(w *survey.Weights) []weightField {
	return []weightField{
		{"survey", &w.Survey}, {"impact", &w.Impact}, {"gpfv", &w.GPFV},
		{"dependencies", &w.Dependencies}, {"mandated", &w.Mandated},
	}
}

// lookupWeight returns the field of w called name and its canonical name,
// or nil.
func lookupWeight(w *survey.Weights, name string) (*float64, string) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "dependents" {
		name = "dependencies"
	}
	for _, c := range weightFields(w) {
		if c.name == name {
			return c.value, c.name
		}
	}
	return nil, ""
}
