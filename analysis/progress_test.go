package analysis

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/internal/progress/progresstest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// TestBootstrapProgress checks that the bootstrap counts its resamples on
// the run's task, and that being watched changes nothing in the ranking.
func TestBootstrapProgress(t *testing.T) {
	cat := survey.DefaultCatalogue()
	scores := aggregate(readRoadmapSurvey(t))
	opts := testOptions()
	want, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var started, stopped int
	task := progresstest.Quiet(&started, &stopped).Start("rank")
	defer task.Finish()
	opts.task = task

	p, err := newPanel(cat.IDs(), scores)
	if err != nil {
		t.Fatal(err)
	}
	newBootstrap(p, cat, criterionValues(cat, p.priorities(nil), opts), opts).run(300, DefaultSeed)
	wantCounts := progress.Counts{Phase: "bootstrap", Done: 300, Total: 300, Unit: "resamples"}
	if diff := cmp.Diff(wantCounts, task.Counts()); diff != "" {
		t.Errorf("after the bootstrap (-want +got):\n%s", diff)
	}

	got, err := Compute(cat, scores, store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranking with progress shown (-without +with):\n%s", diff)
	}
	if c := task.Counts(); c.Phase != "sensitivity" {
		t.Errorf("after Compute: %+v, want the sensitivity step", c)
	}
}

// TestRunProgress checks that Run shows itself as one task, finished by
// the time it returns.
func TestRunProgress(t *testing.T) {
	st := storetest.NewStore(t)
	cat := survey.DefaultCatalogue()
	loadResponses(t, st, "roadmap.csv", cat.IDs(), readRoadmapSurvey(t))
	var started, stopped int
	opts := testOptions()
	opts.Progress = progresstest.Quiet(&started, &stopped)
	for _, save := range []bool{false, true} {
		if _, err := Run(context.Background(), st, cat, opts, save); err != nil {
			t.Fatal(err)
		}
	}
	if started != 2 || stopped != 2 {
		t.Errorf("%d tasks started and %d finished, want 2 of each", started, stopped)
	}
}
