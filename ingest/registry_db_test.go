package ingest

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExamplePractices loads the example registry into the database twice:
// the second import changes nothing.
func TestExamplePractices(t *testing.T) {
	_, st := setup(t)
	ps, err := st.Practices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	feds := map[string]int{}
	for _, p := range ps {
		feds[p.Federation]++
	}
	if len(ps) != 18 || len(feds) != 4 {
		t.Errorf("got %d practices in %d federations, want 18 in 4", len(ps), len(feds))
	}
	f, err := os.Open("../examples/practices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	again, err := ReadPractices(f)
	if err != nil {
		t.Fatal(err)
	}
	before := counts(t, st)
	if _, err := st.UpsertPractices(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, counts(t, st)); diff != "" {
		t.Errorf("second import changed counts:\n%s", diff)
	}
}
