package analysis

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/survey"
)

// TieDecimals is the number of decimals to which scores are rounded when
// deciding ties: workstreams in the same tier whose scores agree to two
// decimals share a rank.
const TieDecimals = 2

// order sorts rows best first (tier, then score descending, then name, then
// ID) and gives them standard competition ranks ("1, 2, 2, 4"): a row ties
// with the one before it when both are in the same tier and their scores
// round to the same [TieDecimals] decimals.
func order(rows []survey.RankedWorkstream) {
	slices.SortStableFunc(rows, compareRows)
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && tied(rows[i-1], rows[i]) {
			rows[i].Rank = rows[i-1].Rank
		}
	}
}

func compareRows(a, b survey.RankedWorkstream) int {
	return cmp.Or(
		cmp.Compare(a.Tier.Order(), b.Tier.Order()),
		cmp.Compare(sortKey(b.Score), sortKey(a.Score)),
		strings.Compare(a.Workstream, b.Workstream),
		strings.Compare(a.WorkstreamID, b.WorkstreamID),
	)
}

func tied(a, b survey.RankedWorkstream) bool {
	return a.Tier == b.Tier && tieKey(a.Score) == tieKey(b.Score)
}

// sortKey is the score to 9 decimals, so that scores equal in exact
// arithmetic sort by name even when summation order left them a few ulps
// apart.
func sortKey(s float64) int64 {
	return int64(math.Round(s * 1e9))
}

// tieKey is the score rounded half away from zero to [TieDecimals] decimals,
// as an integer. Rounding goes through [sortKey] so that 0.725, stored as
// 0.72499999…, rounds to 0.73 as written.
func tieKey(s float64) int64 {
	return int64(math.Round(float64(sortKey(s)) / math.Pow10(9-TieDecimals)))
}
