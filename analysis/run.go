package analysis

import (
	"context"
	"errors"
	"fmt"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Run loads the practice-level survey aggregates and totals from st, ranks
// cat with [Compute], adds the role segments ([RoleSegments]) and the
// movement since the latest stored run ([Compare]) and, when save is true,
// stores the ranking (setting its RunID).
func Run(ctx context.Context, st *store.Store, cat *survey.Catalogue, opts Options, save bool) (survey.Ranking, error) {
	scores, err := st.PracticeScores(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	totals, err := st.Totals(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	roles, err := st.RoleScores(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	prev, err := st.LatestRanking(ctx)
	if errors.Is(err, store.ErrNotFound) {
		prev, err = nil, nil
	}
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	r, err := Compute(cat, scores, totals, opts)
	if err != nil {
		return survey.Ranking{}, err
	}
	var weights map[string]float64
	if opts.WeightByListSize {
		weights = listSizeWeights(scores)
	}
	r.Segments = append(r.Segments, RoleSegments(cat, roles, weights)...)
	Compare(&r, prev)
	if save {
		if _, err := st.SaveRanking(ctx, &r); err != nil {
			return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
		}
	}
	return r, nil
}
