package analysis

import (
	"fmt"
	"math"

	"github.com/surveyworker/surveyworker/survey"
)

// Thresholds are the minimum scores of the score-based tiers; a score below
// High is Medium.
type Thresholds struct {
	// VeryHigh is the minimum score for "Very high".
	VeryHigh float64 `json:"very_high"`
	// High is the minimum score for "High".
	High float64 `json:"high"`
}

// DefaultThresholds returns the documented thresholds: Very high at 0.70,
// High at 0.50.
func DefaultThresholds() Thresholds {
	return Thresholds{VeryHigh: 0.70, High: 0.50}
}

// Validate reports an error unless 0 < High < VeryHigh ≤ 1.
func (t Thresholds) Validate() error {
	if math.IsNaN(t.High) || math.IsNaN(t.VeryHigh) || t.High <= 0 || t.VeryHigh <= t.High || t.VeryHigh > 1 {
		return fmt.Errorf("tier thresholds very_high=%v, high=%v: want 0 < high < very_high <= 1", t.VeryHigh, t.High)
	}
	return nil
}

// BaseTier returns the tier the score alone earns. A score within 1e-9 below
// a threshold counts as reaching it, so rounding never decides a tier.
func (t Thresholds) BaseTier(score float64) survey.Tier {
	switch {
	case score >= t.VeryHigh-scoreEpsilon:
		return survey.TierVeryHigh
	case score >= t.High-scoreEpsilon:
		return survey.TierHigh
	default:
		return survey.TierMedium
	}
}

// MandateFloor returns the final tier of a workstream whose score earns
// base: centrally mandated work below Very high moves up to "High -
// Centrally Mandated", the tier just below Very high; a mandated workstream
// that scores Very high stays Very high.
func MandateFloor(base survey.Tier, mandated bool) survey.Tier {
	if mandated && base != survey.TierVeryHigh {
		return survey.TierMandated
	}
	return base
}
