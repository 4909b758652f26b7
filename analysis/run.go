package analysis

import (
	"context"
	"errors"
	"fmt"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Run loads the practice-level survey aggregates and totals from st (one
// read of the totals the store keeps per file, whatever the number of
// respondents), ranks
// cat with [Compute], adds the role segments ([RoleSegments]) and the
// movement since the latest stored run ([Compare]) and, when save is true,
// stores the ranking (setting its RunID). Its steps are shown on
// opts.Progress.
func Run(ctx context.Context, st *store.Store, cat *survey.Catalogue, opts Options, save bool) (survey.Ranking, error) {
	task := opts.Progress.Start("rank")
	defer task.Finish()
	opts.task = task
	task.Phase("reading the survey totals")
	in, err := st.RankingInputs(ctx)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
	}
	scores, totals, roles := in.Scores, in.Totals, in.Roles
	task.Phase("reading the latest ranking")
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
		task.Phase("saving")
		if _, err := st.SaveRanking(ctx, &r); err != nil {
			return survey.Ranking{}, fmt.Errorf("analysis: %w", err)
		}
	}
	return r, nil
}
