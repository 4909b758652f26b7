package realworld

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a test would have ended.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestMissingFixture(t *testing.T) {
	const name = "exports/no-such-platform/absent.csv"
	tests := []struct {
		ci         string
		wantSkip   bool
		wantFailed bool
	}{
		{"", true, false},
		{"false", true, false},
		{"true", false, true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			for _, ask := range []func(testing.TB){
				func(tb testing.TB) { Path(tb, name) },
				func(tb testing.TB) { Glob(tb, "exports/no-such-platform/*.csv") },
			} {
				r := &recorder{TB: t}
				ask(r)
				if (r.skipped != "") != tt.wantSkip || (r.failed != "") != tt.wantFailed {
					t.Errorf("skipped %q, failed %q; want skip %v, fail %v", r.skipped, r.failed, tt.wantSkip, tt.wantFailed)
				}
				if msg := r.skipped + r.failed; !strings.Contains(msg, "no-such-platform") {
					t.Errorf("message %q does not name the missing file", msg)
				}
			}
		})
	}
}

func TestPresentFixture(t *testing.T) {
	r := &recorder{TB: t}
	files := Glob(r, "exports/*/*")
	if r.skipped != "" || r.failed != "" {
		t.Skipf("shared/realworld is not beside the repository: %s%s", r.skipped, r.failed)
	}
	if len(files) == 0 {
		t.Fatal("Glob returned no files and did not skip")
	}
	r = &recorder{TB: t}
	if got := Path(r, "SOURCES.md"); r.skipped != "" || r.failed != "" || !strings.HasSuffix(got, "realworld/SOURCES.md") {
		t.Errorf("Path(SOURCES.md) = %q (skipped %q, failed %q)", got, r.skipped, r.failed)
	}
}
