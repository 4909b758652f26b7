package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

func TestDefaultWeightsValid(t *testing.T) {
	if err := ValidateWeights(DefaultWeights()); err != nil {
		t.Errorf("default weights: %v", err)
	}
}

func TestValidateWeights(t *testing.T) {
	tests := []struct {
		name string
		w    survey.Weights
		want string // substring of the error; "" for none
	}{
		{"defaults", DefaultWeights(), ""},
		{"all survey", survey.Weights{Survey: 1}, ""},
		{"mandated as a criterion", survey.Weights{Survey: 0.3, Mandated: 0.2, Impact: 0.2, GPFV: 0.1, Dependencies: 0.2}, ""},
		{"within tolerance", survey.Weights{Survey: 0.4000004, Impact: 0.6}, ""},
		{"sum below 1", survey.Weights{Survey: 0.4, Impact: 0.5}, "sum to 0.9"},
		{"sum above 1", survey.Weights{Survey: 0.6, Impact: 0.5}, "sum to 1.1"},
		{"zero", survey.Weights{}, "sum to 0"},
		{"negative", survey.Weights{Survey: 1, Impact: -0.2, GPFV: 0.2}, "impact=-0.2"},
		{"NaN", survey.Weights{Survey: math.NaN(), Impact: 1}, "survey=NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateWeights(tt.w)
			checkErr(t, err, tt.want)
		})
	}
}

func TestParseWeights(t *testing.T) {
	tests := []struct {
		in   string
		want survey.Weights
		err  string
	}{
		{"survey=0.4,impact=0.25,gpfv=0.15,dependencies=0.2,mandated=0", DefaultWeights(), ""},
		{" Survey = 0.4 , MANDATED=0.2, gpfv=0.1,impact=0.1,dependents=0.2", survey.Weights{Survey: 0.4, Mandated: 0.2, GPFV: 0.1, Impact: 0.1, Dependencies: 0.2}, ""},
		{"survey=1", survey.Weights{Survey: 1}, ""},
		{"survey=0.5", survey.Weights{}, "sum to 0.5"},
		{"survey=0.5,survey=0.5", survey.Weights{}, "survey given twice"},
		{"dependencies=0.5,dependents=0.5", survey.Weights{}, "dependencies given twice"},
		{"survey=0.5,cost=0.5", survey.Weights{}, `unknown criterion "cost"`},
		{"survey:1", survey.Weights{}, "not name=value"},
		{"survey=abc", survey.Weights{}, "survey: strconv.ParseFloat"},
		{"", survey.Weights{}, "not name=value"},
	}
	for _, tt := range tests {
		got, err := ParseWeights(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseWeights(%q) error = %v, want containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseWeights(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatWeightsRoundTrip(t *testing.T) {
	w := DefaultWeights()
	s := FormatWeights(w)
	if want := "survey=0.4,impact=0.25,gpfv=0.15,dependencies=0.2,mandated=0"; s != want {
		t.Errorf("FormatWeights = %q, want %q", s, want)
	}
	got, err := ParseWeights(s)
	if err != nil || got != w {
		t.Errorf("ParseWeights(FormatWeights(w)) = %+v, %v; want %+v", got, err, w)
	}
}

// checkErr fails unless err contains want, or is nil when want is "".
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("error = %v, want containing %q", err, want)
	}
}
