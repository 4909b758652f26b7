package analysis

import (
	"fmt"
	"time"

	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Method names the scoring method recorded with each ranking.
const Method = "mcda-v1"

// DefaultDependencyCap is the number of dependents at which the
// dependencies criterion reaches its maximum value of 1.
const DefaultDependencyCap = 6

// Options configure a ranking. The zero value of each field means its
// default, so Options{} ranks like [DefaultOptions].
type Options struct {
	// Weights are the criteria weights; zero means [DefaultWeights].
	Weights survey.Weights
	// Thresholds are the tier thresholds; zero means [DefaultThresholds].
	Thresholds Thresholds
	// DependencyCap is the dependents count worth the full dependencies
	// value; zero means [DefaultDependencyCap].
	DependencyCap int
	// NoMandateFloor turns off the "High - Centrally Mandated" floor, so
	// that mandated work is tiered on its score alone.
	NoMandateFloor bool
	// Now returns the time recorded as the ranking's CreatedAt; nil means
	// time.Now.
	Now func() time.Time
	// Resamples is the number of bootstrap resamples B; zero means
	// [DefaultResamples]. Fewer than [MinResamples] is an error.
	Resamples int
	// Seed seeds the bootstrap; zero means [DefaultSeed].
	Seed uint64
	// WhatIf marks a run with other weights or criteria than the
	// configured ones; it is recorded in the run's parameters.
	WhatIf bool
	// WeightByListSize weights each practice's mean by its registered
	// list size in practice priority, its top-two share and the bootstrap,
	// instead of one practice, one vote; see [panel.weightByListSize].
	WeightByListSize bool
	// Criteria names the source of the catalogue's workshop criteria,
	// recorded in the run's parameters; empty means "catalogue".
	Criteria string
	// Progress, when set, is shown the steps of [Run]: reading the
	// aggregates, the bootstrap resamples, the weight sensitivity and
	// saving. Nil shows none.
	Progress *progress.Reporter

	// task is the progress of the Run under way, for Compute's steps.
	task *progress.Task
	// testResamples, when positive, replaces Resamples without the
	// minimum, so that tests can run small bootstraps.
	testResamples int
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Weights:       DefaultWeights(),
		Thresholds:    DefaultThresholds(),
		DependencyCap: DefaultDependencyCap,
		Now:           time.Now,
		Resamples:     DefaultResamples,
		Seed:          DefaultSeed,
		Criteria:      "catalogue",
	}
}

// withDefaults fills zero fields from [DefaultOptions] and validates.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.Weights == (survey.Weights{}) {
		o.Weights = d.Weights
	}
	if o.Thresholds == (Thresholds{}) {
		o.Thresholds = d.Thresholds
	}
	if o.DependencyCap == 0 {
		o.DependencyCap = d.DependencyCap
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	if o.Resamples == 0 {
		o.Resamples = d.Resamples
	}
	if o.Seed == 0 {
		o.Seed = d.Seed
	}
	if o.Criteria == "" {
		o.Criteria = d.Criteria
	}
	if o.testResamples > 0 {
		o.Resamples = o.testResamples
	} else if o.Resamples < MinResamples {
		return o, fmt.Errorf("bootstrap resamples %d: want at least %d", o.Resamples, MinResamples)
	}
	if err := ValidateWeights(o.Weights); err != nil {
		return o, err
	}
	if o.DependencyCap < 1 {
		return o, fmt.Errorf("dependency cap %d: want at least 1", o.DependencyCap)
	}
	return o, o.Thresholds.Validate()
}

// Compute ranks every workstream of cat from the practice-level survey
// aggregates and the catalogue's workshop criteria. It reads no clock but
// opts.Now and is otherwise a pure function of its inputs: the order of
// scores does not matter. Scores for workstreams not in cat are ignored;
// workstreams nobody answered still appear, with practice priority 0 and no
// practices. totals fills the ranking's summary counts.
//
// Beside the point ranking, Compute adds each row's 90% score interval
// and tier probability, its bootstrap rank range (seeded by opts.Seed, so
// the same inputs give the same ranges), the weight sensitivity and the
// per-federation segments. Role segments and movement need more than the practice means;
// [Run] adds them.
func Compute(cat *survey.Catalogue, scores []store.PracticeScore, totals store.Totals, opts Options) (survey.Ranking, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: options: %w", err)
	}
	if cat == nil || len(cat.Workstreams) == 0 {
		return survey.Ranking{}, fmt.Errorf("analysis: empty catalogue")
	}
	p, err := newPanel(cat.IDs(), scores)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("analysis: survey scores: %w", err)
	}
	if opts.WeightByListSize {
		p.weightByListSize()
	}
	pri := p.priorities(nil)
	vals := criterionValues(cat, pri, opts)
	r := survey.Ranking{
		CreatedAt: opts.Now(), Method: Method, Weights: opts.Weights,
		Respondents: totals.Respondents, Practices: totals.Practices, Files: totals.Files,
		Rows: rankRows(cat, pri, vals, opts),
		Params: survey.RunParams{Resamples: opts.Resamples, Seed: opts.Seed, Criteria: opts.Criteria,
			Intervals: IntervalMethod, WeightByListSize: opts.WeightByListSize, WhatIf: opts.WhatIf},
	}
	applyIntervals(r.Rows, p, cat, vals, opts)
	newBootstrap(p, cat, vals, opts).run(opts.Resamples, opts.Seed).apply(r.Rows)
	opts.task.Phase("sensitivity")
	r.Sensitivity = sensitivity(cat, vals, r.Rows, opts)
	r.Segments = federationSegments(p)
	return r, nil
}

// criterionValues returns the partial values of every workstream of cat,
// aligned with cat.Workstreams, given their practice priorities.
func criterionValues(cat *survey.Catalogue, pri []priority, opts Options) []Values {
	deps := cat.Dependents()
	vals := make([]Values, len(cat.Workstreams))
	for i, w := range cat.Workstreams {
		vals[i] = WorkshopValues(w, deps[w.ID], opts.DependencyCap)
		vals[i].Survey = pri[i].mean
	}
	return vals
}

// rankRows scores, tiers and orders the workstreams of cat given their
// practice priorities and criterion values, aligned with cat.Workstreams.
func rankRows(cat *survey.Catalogue, pri []priority, vals []Values, opts Options) []survey.RankedWorkstream {
	deps := cat.Dependents()
	rows := make([]survey.RankedWorkstream, len(cat.Workstreams))
	for i, w := range cat.Workstreams {
		v := vals[i]
		rows[i] = survey.RankedWorkstream{
			WorkstreamID: w.ID, Workstream: w.Name,
			Score:            v.Score(opts.Weights),
			Contributions:    v.Contributions(opts.Weights),
			PracticePriority: pri[i].mean, Top2Share: pri[i].top2, Practices: pri[i].practices,
			Mandated: w.Mandated, GPFV: w.GPFV, Impact: w.Impact, Dependents: deps[w.ID],
		}
		rows[i].BaseTier, rows[i].Tier = opts.tier(rows[i].Score, w.Mandated)
	}
	order(rows)
	return rows
}

// tier returns the tier a score earns and the final tier after the mandate
// floor (unless turned off).
func (o Options) tier(score float64, mandated bool) (base, final survey.Tier) {
	base = o.Thresholds.BaseTier(score)
	if o.NoMandateFloor {
		return base, base
	}
	return base, MandateFloor(base, mandated)
}
