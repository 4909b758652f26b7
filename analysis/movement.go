package analysis

import "github.com/surveyworker/surveyworker/survey"

// Compare sets the movement of r since prev, the stored run before it:
// each row's RankChange (prev rank − rank, so positive means it moved up),
// PreviousTier and TierChange (tiers moved up, negative down), and r's
// Previous and NewResponses (respondents counted now minus then). A
// workstream prev did not rank has a nil RankChange and no previous tier.
// A nil prev clears the movement.
func Compare(r *survey.Ranking, prev *survey.Ranking) {
	r.Previous, r.NewResponses = nil, 0
	before := map[string]survey.RankedWorkstream{}
	if prev != nil {
		r.Previous = &survey.RunRef{RunID: prev.RunID, CreatedAt: prev.CreatedAt, Respondents: prev.Respondents}
		r.NewResponses = r.Respondents - prev.Respondents
		for _, w := range prev.Rows {
			before[w.WorkstreamID] = w
		}
	}
	for i := range r.Rows {
		w := &r.Rows[i]
		w.RankChange, w.PreviousTier, w.TierChange = nil, "", 0
		p, ok := before[w.WorkstreamID]
		if !ok {
			continue
		}
		change := p.Rank - w.Rank
		w.RankChange = &change
		w.PreviousTier = p.Tier
		if p.Tier.Valid() && w.Tier.Valid() {
			w.TierChange = p.Tier.Order() - w.Tier.Order()
		}
	}
}
