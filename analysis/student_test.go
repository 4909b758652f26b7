package analysis

import (
	"math"
	"testing"
)

// TestStudent checks the t distribution against values computed to 30 digits
// (mpmath) and the closed forms for one and two degrees of freedom:
// P(T₁ ≤ t) = 1/2 + atan(t)/π and P(T₂ ≤ t) = 1/2 + t/(2√(2 + t²)).
func TestStudent(t *testing.T) {
	quantiles := []struct{ p, df, want float64 }{
		{0.95, 1, 6.313751514675},
		{0.95, 2, 2.919985580354},
		{0.95, 9, 1.833112932653},
		{0.95, 29, 1.699127026533},
		{0.95, 59, 1.671093032404},
		{0.95, 149, 1.655144533798},
		{0.975, 4, 2.776445105198},
		{0.05, 29, -1.699127026533},
		{0.5, 7, 0},
		{0.95, 1e7, 1.644853779328},
	}
	for _, q := range quantiles {
		if got := studentQuantile(q.p, q.df); math.Abs(got-q.want) > 1e-8 {
			t.Errorf("studentQuantile(%v, %v) = %.12f, want %.12f", q.p, q.df, got, q.want)
		}
	}
	cdfs := []struct{ x, df, want float64 }{
		{1, 1, 0.5 + math.Atan(1)/math.Pi},
		{-3, 1, 0.5 + math.Atan(-3)/math.Pi},
		{2, 2, 0.5 + 2/(2*math.Sqrt(6))},
		{0.3, 2, 0.5 + 0.3/(2*math.Sqrt(2.09))},
		{0, 5, 0.5},
		{2.5, 10, 0.984276577882},
		{-1.2, 30, 0.119765175445},
		{math.Inf(1), 3, 1},
		{math.Inf(-1), 3, 0},
	}
	for _, c := range cdfs {
		if got := studentCDF(c.x, c.df); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("studentCDF(%v, %v) = %.12f, want %.12f", c.x, c.df, got, c.want)
		}
	}
}
