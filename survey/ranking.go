package survey

import "time"

// Weights are the relative weights of the five criteria in the overall score.
// They sum to 1.
type Weights struct {
	Survey       float64 `json:"survey"`
	Mandated     float64 `json:"mandated"`
	GPFV         float64 `json:"gpfv"`
	Impact       float64 `json:"impact"`
	Dependencies float64 `json:"dependencies"`
}

// Ranking is one computed ranking of the catalogue, best first.
type Ranking struct {
	// RunID identifies the stored ranking run; 0 when not stored.
	RunID int64 `json:"run_id,omitempty"`
	// CreatedAt is when the ranking was computed.
	CreatedAt time.Time `json:"created_at"`
	// Method names the scoring method and its version, e.g. "mcda-v1".
	Method string `json:"method"`
	// Weights are the criteria weights used.
	Weights Weights `json:"weights"`
	// Respondents is the number of respondents stored.
	Respondents int `json:"respondents"`
	// Practices is the number of practices with at least one response.
	Practices int `json:"practices"`
	// Files is the number of source files loaded.
	Files int `json:"files"`
	// Rows holds one entry per workstream, in rank order.
	Rows []RankedWorkstream `json:"rows"`
	// Params are the run's parameters beyond the weights: the bootstrap
	// and the source of the workshop criteria.
	Params RunParams `json:"params"`
	// Sensitivity holds, for each of the five weights, how far it can move
	// before a workstream changes tier.
	Sensitivity []WeightMargin `json:"sensitivity,omitempty"`
	// Segments are the practice priorities per federation and per
	// respondent role group.
	Segments []Segment `json:"segments,omitempty"`
	// Previous is the stored run this one is compared with; nil when there
	// is none.
	Previous *RunRef `json:"previous,omitempty"`
	// NewResponses is Respondents minus the previous run's respondents, 0
	// when there is no previous run.
	NewResponses int `json:"new_responses"`
}

// RunParams are the parameters of a ranking run that are not weights.
type RunParams struct {
	// Resamples is the number of bootstrap resamples B.
	Resamples int `json:"resamples"`
	// Seed seeds the bootstrap's random number generator.
	Seed uint64 `json:"seed"`
	// Criteria names the source of the workshop criteria: "catalogue", or
	// the criteria file that overrode them.
	Criteria string `json:"criteria"`
	// WeightByListSize is true when practices were weighted by their
	// registered list size instead of one practice, one vote.
	WeightByListSize bool `json:"weight_by_list_size,omitempty"`
	// Intervals names how CILow, CIHigh and TierProbability were
	// computed: "logit-t" (docs/METHOD.md §9); empty for runs stored
	// before it, whose intervals were stratified percentile bootstrap
	// intervals and whose tier probability was a share of resamples.
	Intervals string `json:"intervals,omitempty"`
	// WhatIf is true for a run with other weights or criteria than the
	// configured ones. A stored what-if run is kept for reference but is
	// never the run a later one is compared with or the one reported.
	WhatIf bool `json:"what_if,omitempty"`
}

// RunRef identifies a stored ranking run.
type RunRef struct {
	// RunID is the stored run's ID.
	RunID int64 `json:"run_id"`
	// CreatedAt is when it was computed.
	CreatedAt time.Time `json:"created_at"`
	// Respondents is the number of respondents it counted.
	Respondents int `json:"respondents"`
}

// RankedWorkstream is one workstream's place in a [Ranking].
type RankedWorkstream struct {
	// Rank is 1 for the first; tied workstreams share a rank ("1, 2, 2, 4").
	Rank int `json:"rank"`
	// WorkstreamID is the catalogue ID.
	WorkstreamID string `json:"workstream_id"`
	// Workstream is the display name.
	Workstream string `json:"workstream"`
	// Tier is the computed tier.
	Tier Tier `json:"tier"`
	// BaseTier is the tier the score alone gives, before the mandate floor;
	// it differs from Tier when the floor lifted a mandated workstream.
	BaseTier Tier `json:"base_tier"`
	// Score is the overall weighted score, 0 to 1.
	Score float64 `json:"score"`
	// PracticePriority is the mean practice-level survey score, 0 to 1
	// (one practice, one vote). It is 0 when Practices is 0.
	PracticePriority float64 `json:"practice_priority"`
	// Top2Share is the share of answering practices whose mean rates the
	// workstream High or Very high.
	Top2Share float64 `json:"top2_share"`
	// Practices is the number of practices that answered for the workstream.
	Practices int `json:"practices"`
	// Mandated, GPFV, Impact and Dependents are the workshop criteria used.
	Mandated   bool `json:"mandated"`
	GPFV       bool `json:"gpfv"`
	Impact     int  `json:"impact"`
	Dependents int  `json:"dependents"`
	// Contributions are the weighted criterion values that sum to Score.
	Contributions Contributions `json:"contributions"`
	// CILow and CIHigh bound the 90% interval of the true Score: the
	// score of the practice priority every practice of the population
	// would give. It is a t interval on the logit scale of the practice
	// priority (docs/METHOD.md §9); it is the point score when no
	// practice answered.
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	// RankLow and RankHigh are the 5th and 95th percentiles of the rank
	// across bootstrap resamples of the practices; RankLow is the better
	// (smaller) rank.
	RankLow  int `json:"rank_low"`
	RankHigh int `json:"rank_high"`
	// TierProbability is the probability, under the model of the
	// interval, that the true score earns Tier (after the mandate floor):
	// among workstreams stated at p, a share p are truly in their tier.
	TierProbability float64 `json:"tier_probability"`
	// RankChange is the previous run's rank minus this rank (positive
	// means it moved up); nil when the previous run did not rank it or
	// there is no previous run.
	RankChange *int `json:"rank_change"`
	// PreviousTier is the tier in the previous run, empty when there is
	// none.
	PreviousTier Tier `json:"previous_tier,omitempty"`
	// TierChange is the number of tiers moved up since the previous run
	// (negative is down), 0 when unchanged or there is no previous run.
	TierChange int `json:"tier_change"`
}

// WeightMargin is the sensitivity of a ranking's tiers to one criterion
// weight: the smallest move of the weight, up and down, with the other
// weights rescaled proportionally to keep the sum 1, that changes any
// workstream's tier.
type WeightMargin struct {
	// Criterion is the weight's name: survey, impact, gpfv, dependencies
	// or mandated.
	Criterion string `json:"criterion"`
	// Weight is the weight used.
	Weight float64 `json:"weight"`
	// Up and Down are the first tier changes when the weight is raised
	// towards 1 or lowered towards 0; nil means none within range.
	Up   *TierShift `json:"up"`
	Down *TierShift `json:"down"`
}

// TierShift is the first tier change found by moving one weight.
type TierShift struct {
	// Delta is how far the weight moved (always positive).
	Delta float64 `json:"delta"`
	// Weight is the weight at which the tier changes.
	Weight float64 `json:"weight"`
	// WorkstreamID and Workstream name the workstream that changes first.
	WorkstreamID string `json:"workstream_id"`
	Workstream   string `json:"workstream"`
	// From and To are its tier before and after.
	From Tier `json:"from"`
	To   Tier `json:"to"`
}

// Segment kinds.
const (
	SegmentFederation = "federation"
	SegmentRole       = "role"
)

// Segment is the survey summary of one group of practices or respondents:
// a federation, or a respondent role group.
type Segment struct {
	// Kind is [SegmentFederation] or [SegmentRole].
	Kind string `json:"kind"`
	// Name is the federation or role group name.
	Name string `json:"name"`
	// Cells holds one entry per workstream, in catalogue order.
	Cells []SegmentCell `json:"cells"`
}

// SegmentCell is one workstream's practice priority within a [Segment].
// When fewer practices than the reporting minimum back it, Withheld is
// true and only Practices is set.
type SegmentCell struct {
	// WorkstreamID is the catalogue ID.
	WorkstreamID string `json:"workstream_id"`
	// PracticePriority and Top2Share are as in [RankedWorkstream], over
	// the segment's practices.
	PracticePriority float64 `json:"practice_priority"`
	Top2Share        float64 `json:"top2_share"`
	// Practices is the number of practices with a scored answer.
	Practices int `json:"practices"`
	// Withheld reports that too few practices back the cell to show it.
	Withheld bool `json:"withheld"`
}

// Contributions are one workstream's criterion contributions w·v to its
// score: each criterion's 0..1 value times its weight. They sum to the
// score.
type Contributions struct {
	Survey       float64 `json:"survey"`
	Mandated     float64 `json:"mandated"`
	GPFV         float64 `json:"gpfv"`
	Impact       float64 `json:"impact"`
	Dependencies float64 `json:"dependencies"`
}
