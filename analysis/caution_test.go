package analysis

import (
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

func TestIntervalCaution(t *testing.T) {
	rows := func(ns ...int) survey.Ranking {
		var r survey.Ranking
		for _, n := range ns {
			r.Rows = append(r.Rows, survey.RankedWorkstream{Practices: n})
		}
		return r
	}
	tests := []struct {
		name string
		r    survey.Ranking
		want string
	}{
		{"ten practices", rows(10, 3, 0), ""},
		{"nine practices", rows(9, 9, 2),
			"Only 9 practices answered. With fewer than 10, the score ranges, rank ranges and tier confidence " +
				"could be far off: read this ranking as a first look, not a settled order."},
		{"one practice", rows(1, 0),
			"Only 1 practice answered. With fewer than 10, the score ranges, rank ranges and tier confidence " +
				"could be far off: read this ranking as a first look, not a settled order."},
		{"none", rows(0, 0), "No practice answered the survey, so the ranking rests on the workshop criteria " +
			"alone and its ranges say nothing about what practices think."},
	}
	for _, tt := range tests {
		if got := IntervalCaution(tt.r); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if !FewPractices(survey.RankedWorkstream{Practices: 9}) || FewPractices(survey.RankedWorkstream{Practices: 10}) {
		t.Error("FewPractices: want true for 9 practices and false for 10")
	}
}

func TestSegmentCaution(t *testing.T) {
	seg := func(kind string, ns ...int) survey.Segment {
		s := survey.Segment{Kind: kind, Name: "North"}
		for _, n := range ns {
			s.Cells = append(s.Cells, survey.SegmentCell{Practices: n})
		}
		return s
	}
	tests := []struct {
		name string
		s    survey.Segment
		want string
	}{
		{"five practices", seg(survey.SegmentFederation, 5, 2), ""},
		{"four practices", seg(survey.SegmentFederation, 4, 4),
			"Only 4 practices in North answered: too few to say how far its figures could move, so treat them as a first look."},
		{"a role group", seg(survey.SegmentRole, 1), ""},
	}
	for _, tt := range tests {
		if got := SegmentCaution(tt.s); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
