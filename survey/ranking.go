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
