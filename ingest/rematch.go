package ingest

import (
	"context"
	"fmt"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/store"
)

// RematchPractices matches again, against the practice registry as now
// stored, the answers of the respondents stored without a practice (their
// answer matched none, or more than one, when they were loaded), with
// the rules a load uses. Call it after the registry or its aliases
// change: the raw answers are kept for this. It returns how many
// respondents it matched.
func RematchPractices(ctx context.Context, st *store.Store) (int, error) {
	texts, err := st.UnmatchedPracticeTexts(ctx)
	if err != nil || len(texts) == 0 {
		return 0, err
	}
	ps, err := st.Practices(ctx)
	if err != nil {
		return 0, err
	}
	m := practices.NewMatcher(ps)
	var ms []store.PracticeMatch
	for _, t := range texts {
		if pm := m.Match(t); pm.Code != "" {
			ms = append(ms, store.PracticeMatch{Text: t, ODSCode: pm.Code, Method: pm.Method})
		}
	}
	n, err := st.RematchPractices(ctx, ms)
	if err != nil {
		return 0, fmt.Errorf("ingest: %w", err)
	}
	return n, nil
}
