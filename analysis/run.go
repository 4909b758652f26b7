package analysis

import (
	"context"
	"fmt"

	"surveyworker/store"
	"surveyworker/survey"
)

// Run loads the practice-level survey aggregates and totals from st, ranks
// cat with [Compute] and, when save is true, stores the ranking (setting
// its RunID).
func Run(ctx context.Context, st *store.Store, cat *survey.Catalogue, opts Options, save bool) (survey.Ranking, error) {
	scores, err := st.PracticeScores(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	totals, err := st.Totals(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	r, err := Compute(cat, scores, totals, opts)
	if err != nil {
		return survey.Ranking{}, err
	}
	if save {
		if _, err := st.SaveRanking(ctx, &r); err != nil {
			return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
		}
	}
	return r, nil
}
