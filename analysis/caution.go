package analysis

import (
	"fmt"

	"github.com/surveyworker/surveyworker/survey"
)

// MinIntervalPractices is the fewest practices a ranking's intervals, rank
// ranges and tier probabilities are vouched for at: below it they lean on
// the guards of [priorityUncertainty] and on a t distribution with very
// few degrees of freedom (docs/METHOD.md §9).
const MinIntervalPractices = 10

// MinFederationPractices is the fewest practices a federation segment's
// figures are more than a first look at.
const MinFederationPractices = 5

// IntervalCaution returns, in words a lead understands, why r's ranges and
// tier probabilities carry little meaning, or "" when they carry it: when
// fewer than [MinIntervalPractices] practices answered any workstream. It
// reads only the rows' practice counts, which every stored run keeps, so
// a stored run gives the same words as the run that computed it.
func IntervalCaution(r survey.Ranking) string {
	n := surveyPractices(r)
	switch {
	case n >= MinIntervalPractices:
		return ""
	case n == 0:
		return "No practice answered the survey, so the ranking rests on the workshop criteria alone " +
			"and its ranges say nothing about what practices think."
	}
	return fmt.Sprintf("%s answered. With fewer than %d, the score ranges, rank ranges and tier confidence "+
		"could be far off: read this ranking as a first look, not a settled order.", onlyPractices(n), MinIntervalPractices)
}

// FewPractices reports whether fewer than [MinIntervalPractices] practices
// answered for w, so that its range and tier confidence say little.
func FewPractices(w survey.RankedWorkstream) bool {
	return w.Practices < MinIntervalPractices
}

// SegmentCaution returns, in words a lead understands, why a federation
// segment's figures are a first look only, or "" when they are more: when
// fewer than [MinFederationPractices] of its practices answered any
// workstream. Role segments get "".
func SegmentCaution(s survey.Segment) string {
	if s.Kind != survey.SegmentFederation {
		return ""
	}
	n := 0
	for _, c := range s.Cells {
		n = max(n, c.Practices)
	}
	if n >= MinFederationPractices {
		return ""
	}
	return fmt.Sprintf("%s in %s answered: too few to say how far its figures could move, "+
		"so treat them as a first look.", onlyPractices(n), s.Name)
}

// surveyPractices returns the most practices that answered any one
// workstream of r.
func surveyPractices(r survey.Ranking) int {
	n := 0
	for _, w := range r.Rows {
		n = max(n, w.Practices)
	}
	return n
}

func onlyPractices(n int) string {
	if n == 1 {
		return "Only 1 practice"
	}
	return fmt.Sprintf("Only %d practices", n)
}
