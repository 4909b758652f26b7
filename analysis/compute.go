package analysis

import (
	"fmt"
	"time"

	"surveyworker/store"
	"surveyworker/survey"
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
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Weights:       DefaultWeights(),
		Thresholds:    DefaultThresholds(),
		DependencyCap: DefaultDependencyCap,
		Now:           time.Now,
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
	r := survey.Ranking{
		CreatedAt: opts.Now(), Method: Method, Weights: opts.Weights,
		Respondents: totals.Respondents, Practices: totals.Practices, Files: totals.Files,
		Rows: rankRows(cat, p.priorities(nil), opts),
	}
	return r, nil
}

// rankRows scores, tiers and orders the workstreams of cat given their
// practice priorities, aligned with cat.Workstreams.
func rankRows(cat *survey.Catalogue, pri []priority, opts Options) []survey.RankedWorkstream {
	deps := cat.Dependents()
	rows := make([]survey.RankedWorkstream, len(cat.Workstreams))
	for i, w := range cat.Workstreams {
		v := WorkshopValues(w, deps[w.ID], opts.DependencyCap)
		v.Survey = pri[i].mean
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
