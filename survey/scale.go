package survey

import (
	"strconv"
	"strings"
)

// Score is an answer mapped to the 0..1 priority scale, where 1 is the highest
// priority. Missing answers ("Don't know", "N/A", blank) have no Score at all.
type Score float64

// PriorityLevels is the default five-level answer scale, best first, with the
// score each level maps to: level j of J maps to (J-j)/(J-1).
var PriorityLevels = []struct {
	Label string
	Score Score
}{
	{"Very high priority", 1},
	{"High priority", 0.75},
	{"Medium priority", 0.5},
	{"Low priority", 0.25},
	{"Not a priority", 0},
}

// priorityWords maps a folded answer (see [NormalizeName]) with the word
// "priority" removed to its score.
var priorityWords = map[string]Score{
	"very high": 1, "vh": 1, "highest": 1, "essential": 1, "critical": 1, "top": 1,
	"high":   0.75,
	"medium": 0.5, "moderate": 0.5, "med": 0.5,
	"low":   0.25,
	"not a": 0, "not": 0, "none": 0, "no": 0, "not needed": 0, "not at all": 0, "very low": 0,
}

// missingWords are answers that mean "no opinion"; they are missing, never zero.
var missingWords = map[string]bool{
	"": true, "dont know": true, "do not know": true, "don t know": true, "unsure": true,
	"not sure": true, "na": true, "n a": true, "not applicable": true, "no opinion": true,
	"prefer not to say": true, "prefer not to answer": true, "not answered": true,
}

// ParsePriority maps a priority answer to a [Score]. It accepts the labels of
// [PriorityLevels] in any case and spacing, with or without the word
// "priority", and the numbers 1 (lowest) to 5 (highest). missing is true for
// blank and "Don't know"-style answers; ok is false for anything else.
func ParsePriority(s string) (score Score, missing, ok bool) {
	k := NormalizeName(s)
	k = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(k, "priority "), "priority"))
	if missingWords[k] {
		return 0, true, true
	}
	if v, found := priorityWords[k]; found {
		return v, false, true
	}
	if n, err := strconv.Atoi(k); err == nil && n >= 1 && n <= 5 {
		return Score(float64(n-1) / 4), false, true
	}
	return 0, false, false
}
