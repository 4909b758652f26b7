package analysis

import (
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

func TestBaseTier(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		score float64
		want  survey.Tier
	}{
		{1, survey.TierVeryHigh},
		{0.70, survey.TierVeryHigh},
		{0.1 + 0.6, survey.TierVeryHigh},   // 0.7 computed with rounding error
		{0.7 - 1e-12, survey.TierVeryHigh}, // rounding, not a real difference
		{0.6999, survey.TierHigh},
		{0.50, survey.TierHigh},
		{0.4999, survey.TierMedium},
		{0, survey.TierMedium},
	}
	for _, tt := range tests {
		if got := th.BaseTier(tt.score); got != tt.want {
			t.Errorf("BaseTier(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

func TestMandateFloor(t *testing.T) {
	tests := []struct {
		base     survey.Tier
		mandated bool
		want     survey.Tier
	}{
		{survey.TierVeryHigh, true, survey.TierVeryHigh},
		{survey.TierHigh, true, survey.TierMandated},
		{survey.TierMedium, true, survey.TierMandated},
		{survey.TierVeryHigh, false, survey.TierVeryHigh},
		{survey.TierHigh, false, survey.TierHigh},
		{survey.TierMedium, false, survey.TierMedium},
	}
	for _, tt := range tests {
		if got := MandateFloor(tt.base, tt.mandated); got != tt.want {
			t.Errorf("MandateFloor(%q, %v) = %q, want %q", tt.base, tt.mandated, got, tt.want)
		}
	}
}

func TestThresholdsValidate(t *testing.T) {
	tests := []struct {
		th Thresholds
		ok bool
	}{
		{DefaultThresholds(), true},
		{Thresholds{VeryHigh: 1, High: 0.1}, true},
		{Thresholds{VeryHigh: 0.5, High: 0.5}, false},
		{Thresholds{VeryHigh: 0.5, High: 0.7}, false},
		{Thresholds{VeryHigh: 1.1, High: 0.5}, false},
		{Thresholds{VeryHigh: 0.7, High: 0}, false},
	}
	for _, tt := range tests {
		if err := tt.th.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", tt.th, err, tt.ok)
		}
	}
}
