package words

import "testing"

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n            int
		noun, plural string
		want         string
	}{
		{0, "practice", "", "0 practices"},
		{1, "practice", "", "1 practice"},
		{2, "practice", "", "2 practices"},
		{1, "member of staff", "staff", "1 member of staff"},
		{12, "member of staff", "staff", "12 staff"},
		{-3, "file", "", "-3 files"},
	} {
		if got := Count(tt.n, tt.noun, tt.plural); got != tt.want {
			t.Errorf("Count(%d, %q, %q) = %q, want %q", tt.n, tt.noun, tt.plural, got, tt.want)
		}
	}
}
