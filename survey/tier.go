package survey

// Tier is a priority band of the roadmap.
type Tier string

// The roadmap's tiers, best first.
const (
	TierVeryHigh Tier = "Very high"
	TierMandated Tier = "High - Centrally Mandated"
	TierHigh     Tier = "High"
	TierMedium   Tier = "Medium"
	TierLow      Tier = "Low"
)

// Tiers lists the tiers in order, best first.
var Tiers = []Tier{TierVeryHigh, TierMandated, TierHigh, TierMedium, TierLow}

// Valid reports whether t is one of [Tiers].
func (t Tier) Valid() bool {
	return t.Order() >= 0
}

// Order returns t's position in [Tiers] (0 is best), or -1 for an unknown tier.
func (t Tier) Order() int {
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -1
}
