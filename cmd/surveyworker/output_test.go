package main

import (
	"bytes"
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

// TestPrintCaution checks that rank says in words when too few practices
// answered for the ranges to mean much: for the whole ranking, or for the
// workstreams few practices answered.
func TestPrintCaution(t *testing.T) {
	rows := func(ns ...int) survey.Ranking {
		var r survey.Ranking
		for i, n := range ns {
			r.Rows = append(r.Rows, survey.RankedWorkstream{Workstream: []string{"Wifi", "Printing", "Desktop"}[i], Practices: n})
		}
		return r
	}
	tests := []struct {
		name string
		r    survey.Ranking
		want string
	}{
		{"large enough", rows(30, 12), ""},
		{"too few overall", rows(7, 6), "Caution: Only 7 practices answered. With fewer than 10, the score ranges, " +
			"rank ranges and tier confidence could be far off: read this ranking as a first look, not a settled order.\n"},
		{"too few for two workstreams", rows(30, 4, 9),
			"Caution: fewer than 10 practices answered for Printing; Desktop, so their ranges could be far off.\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		printCaution(&app{stdout: &out}, tt.r)
		if got := out.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
