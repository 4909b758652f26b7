package ingest

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

func TestStatedScale(t *testing.T) {
	tests := []struct {
		header string
		lo, hi int
		ok     bool
	}{
		{"How important is each workstream (0-10)? [Wifi]", 0, 10, true},
		{"On a scale of 0 to 10, how important is it? [Wifi]", 0, 10, true},
		{"Rate each (1–10) [Wifi]", 1, 10, true},
		{"How high a priority is it? (1-5) [Wifi]", 1, 5, true},
		{"Rate each (1 = lowest, 10 = highest) [Wifi]", 1, 10, true},
		{"Rate each (0 = not important, 10 = very high) [Wifi]", 0, 10, true},
		{"Priority (1 = highest priority, 5 = not a priority) - Wifi", 1, 5, true},
		{"Score each out of 10 [Wifi]", 1, 10, true},
		{"How important is each? (0 = very important, 10 = not important) [Wifi]", 0, 10, true},
		{"How high a priority is each IT workstream? [Wifi]", 0, 0, false},
		{"Survey 2021-10 [Wifi]", 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, ok := statedScale(tt.header)
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("statedScale(%q) = %d, %d, %v; want %d, %d, %v", tt.header, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestStatedTop(t *testing.T) {
	tests := []struct {
		question string
		want     int
	}{
		{"Rank your top 3 workstreams", 3},
		{"Pick your top five", 5},
		{"Please rank these workstreams (1 = most important)", 0},
	}
	for _, tt := range tests {
		if got := statedTop(tt.question); got != tt.want {
			t.Errorf("statedTop(%q) = %d, want %d", tt.question, got, tt.want)
		}
	}
}

func TestRankScore(t *testing.T) {
	tests := []struct {
		r, k, n int
		want    float64
	}{
		{1, 4, 4, 1},          // full ranking: (k−r)/(k−1)
		{2, 4, 4, 2.0 / 3},    // (4−2)/3
		{4, 4, 4, 0},          // last of a full ranking
		{1, 1, 1, 1},          // a single item
		{1, 3, 8, 1},          // top 3 of 8: (k+1−r)/k
		{2, 3, 8, 2.0 / 3},    // (3+1−2)/3
		{3, 3, 8, 1.0 / 3},    // last ranked still above unranked (0)
		{2, 2, 3, 0.5},        // top 2 of 3
		{5, 5, 21, 1.0 / 5.0}, // top 5 of 21
	}
	for _, tt := range tests {
		if got := rankScore(tt.r, tt.k, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("rankScore(%d, %d, %d) = %v, want %v", tt.r, tt.k, tt.n, got, tt.want)
		}
	}
}

func TestSplitOptions(t *testing.T) {
	cat := survey.DefaultCatalogue()
	tests := []struct {
		cell    string
		found   []option
		unknown []string
	}{
		{"Wifi, Cyber Security", []option{{"wifi", "Wifi"}, {"cyber-security", "Cyber Security"}}, nil},
		// The longest run of pieces is tried first, so a name holding a
		// comma is one option, not "Telephony (VOIP" and an unknown.
		{"Telephony (VOIP, Unified Communications), Wifi",
			[]option{{"telephony", "Telephony (VOIP, Unified Communications)"}, {"wifi", "Wifi"}}, nil},
		{"Wifi;Desktop;", []option{{"wifi", "Wifi"}, {"desktop", "Desktop"}}, nil}, // Microsoft Forms
		{"Printer ink, Online Triage", []option{{"online-triage", "Online Triage"}}, []string{"Printer ink"}},
		{"Other", nil, []string{"Other"}},
	}
	for _, tt := range tests {
		found, unknown := splitOptions(tt.cell, cat)
		if diff := cmp.Diff(tt.found, found, cmp.AllowUnexported(option{})); diff != "" {
			t.Errorf("splitOptions(%q) found (-want +got):\n%s", tt.cell, diff)
		}
		if diff := cmp.Diff(tt.unknown, unknown); diff != "" {
			t.Errorf("splitOptions(%q) unknown (-want +got):\n%s", tt.cell, diff)
		}
	}
}

// TestQuestionKindScores parses the question-kind fixtures and checks each
// respondent's score per workstream against hand-computed values; "-"
// means missing (no score), and an absent workstream has no answer column.
func TestQuestionKindScores(t *testing.T) {
	const x = -1 // missing
	tests := []struct {
		file string
		want map[string][]float64 // workstream → score per data row
	}{
		{"scales_numeric.csv", map[string][]float64{
			"cyber-security": {1, 0.7, 0, x},       // 0–10 stated: v/10; 11 off the scale
			"wifi":           {0.5, x, 0.3, x},     // blank and "Don't know" missing
			"telephony":      {1, 0, 1 - 3.0/9, x}, // 1–10, 1 = highest: 1 − (v−1)/9
			"online-triage":  {0.7, 0.2, 0, x},     // no scale stated, a 7 read ahead: 0–10
			"patient-online": {0.3, 0.4, 1, x},     // same question, so 0–10 too
			"desktop":        {1, 0.5, 0, x},       // labels in any case
		}},
		{"ranking_columns.csv", map[string][]float64{
			"wifi":           {0.75, 0.25, x, 0.5},     // the priority grid; its ranking column is not used
			"cyber-security": {2.0 / 3, 1.0 / 3, x, 1}, // 4 ranked of 4: (4−r)/3
			"telephony":      {1.0 / 3, 1, x, 0},       // "0" is unranked: 0
			"desktop":        {0, 2.0 / 3, x, 0},       // "N/A" is unranked: 0
			"online-triage":  {1, 0, x, x},             // top 2 of 3: (3−r)/2; rank 3 off the scale
			"patient-online": {0, 0.5, x, 1},           // unranked by a respondent who ranked: 0
			"single-sign-on": {0.5, 0, x, 0},           // a respondent who ranked nothing: missing
		}},
		{"ranking_slots.csv", map[string][]float64{
			"desktop":        {1, 0, x, 0.75},          // the priority grid, not the ranking
			"cyber-security": {2.0 / 3, 0, x, 1.0 / 3}, // top 3 of 5 offered: (4−r)/3
			"telephony":      {0, 1, x, 0},
			"online-triage":  {1.0 / 3, 0, x, 0},
			"wifi":           {1, 2.0 / 3, x, 0},
		}},
		{"multiselect.csv", map[string][]float64{
			"cyber-security": {1, 0, x, 0}, // one cell, options joined by ", "
			"telephony":      {1, 0, x, 0}, // its name holds a comma
			"online-triage":  {0, 0, x, 1},
			"wifi":           {1, 1, x, 0},
			"desktop":        {1, 0, x, x}, // one column per option
			"single-sign-on": {0, 1, x, x},
			"printing":       {1, 0, x, x},
		}},
		{"multiselect_practice.csv", map[string][]float64{
			"cyber-security": {0, 1, x}, // the question mentions the practice
			"telephony":      {1, 0, x},
			"wifi":           {1, 0, x},
		}},
	}
	in, ps := testIngester(t), testPractices(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows, p, err := parseRows(in, "testdata/"+tt.file, ps)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]float64{}
			for j, ws := range p.file.Workstreams {
				for _, r := range rows {
					a := r.Answers[j]
					s := float64(x)
					if a.Scored {
						s = math.Round(a.Score*1e9) / 1e9
					}
					got[ws] = append(got[ws], s)
				}
			}
			for ws, scores := range tt.want {
				for i := range scores {
					if scores[i] != x {
						scores[i] = math.Round(scores[i]*1e9) / 1e9
					}
				}
				tt.want[ws] = scores
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLevelColumns checks a question exported with one column per scale
// level: the chosen column's level is the answer, none chosen is missing
// and two chosen is stored unscored with a warning.
func TestLevelColumns(t *testing.T) {
	text := "Respondent ID,Collector ID,Start Date,End Date,Which practice?,Wifi,,,\r\n" +
		",,,,Open-Ended Response,Very high priority,High priority,Low priority,Don't know\r\n" +
		"1,9,11/03/2026 09:00:00,11/03/2026 09:05:00,Jericho,,High priority,,\r\n" +
		"2,9,11/03/2026 10:00:00,11/03/2026 10:05:00,Jericho,,,,\r\n" +
		"3,9,11/03/2026 11:00:00,11/03/2026 11:05:00,Jericho,x,,x,\r\n" +
		"4,9,11/03/2026 12:00:00,11/03/2026 12:05:00,Jericho,,,,Don't know\r\n"
	path := filepath.Join(t.TempDir(), "levels.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, p, err := parseRows(testIngester(t), path, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.file.Workstreams, []string{"wifi"}) || len(rows) != 4 {
		t.Fatalf("workstreams %v, %d rows; want wifi once, 4 rows", p.file.Workstreams, len(rows))
	}
	want := []store.Answer{
		{Raw: "High priority", Score: 0.75, Scored: true},
		{},
		{Raw: "Very high priority; Low priority"},
		{Raw: "Don't know"},
	}
	for i, r := range rows {
		if r.Answers[0] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i+1, r.Answers[0], want[i])
		}
	}
	if len(rows[2].Warnings) != 1 || rows[2].Warnings[0].Code != "answer_ambiguous" {
		t.Errorf("row 3 warnings %+v, want answer_ambiguous", rows[2].Warnings)
	}
}

// TestRankingRepeated checks that a rank given to two items scores both
// and warns on each repeat, that a ranking without repeats does not, and
// that ranks written as ordinals keep the question a ranking.
func TestRankingRepeated(t *testing.T) {
	q := "Please rank the following workstreams (1 = highest)"
	text := "Timestamp,Which practice do you work at?," + q + " [Cyber Security]," + q + " [Telephony]," + q + " [Wifi]\r\n" +
		"03/11/2026 09:15,Jericho,1,2,3\r\n" +
		"03/11/2026 10:15,Jericho,1,1,3\r\n" +
		"03/11/2026 11:15,Jericho,2,2,2\r\n" +
		"03/11/2026 12:15,Jericho,3rd,1st,2nd choice\r\n"
	path := filepath.Join(t.TempDir(), "ranking_repeated.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, _, err := parseRows(testIngester(t), path, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		scores []float64
		warned []string // columns of the rank_repeated warnings
	}{
		{[]float64{1, 0.5, 0}, nil},
		{[]float64{1, 1, 0}, []string{"D"}},
		{[]float64{0.5, 0.5, 0.5}, []string{"D", "E"}},
		{[]float64{0, 1, 0.5}, nil}, // ordinals
	}
	for i, tt := range tests {
		var scores []float64
		for _, a := range rows[i].Answers {
			scores = append(scores, a.Score)
		}
		var warned []string
		for _, w := range rows[i].Warnings {
			if w.Code == "rank_repeated" {
				warned = append(warned, w.Column[:1])
			}
		}
		if diff := cmp.Diff(tt.scores, scores); diff != "" {
			t.Errorf("row %d scores (-want +got):\n%s", i+2, diff)
		}
		if diff := cmp.Diff(tt.warned, warned); diff != "" {
			t.Errorf("row %d warned columns (-want +got):\n%s", i+2, diff)
		}
	}
}

// TestAtoi checks the numbers answers are read as: whole numbers, also
// with a zero fraction as a re-saved sheet writes them, and nothing else.
func TestAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"4", 4, true},
		{"-1", -1, true},
		{"4.0", 4, true},
		{"10.00", 10, true},
		{"4.5", 0, false},
		{"4.", 0, false},
		{".0", 0, false},
		{"4.0.0", 0, false},
		{"High priority", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := atoi(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("atoi(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestRankNumber checks the rank answers read: whole numbers and
// ordinals, with or without the word a position grid adds.
func TestRankNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"2.0", 2, true},
		{"1st", 1, true},
		{"2ND", 2, true},
		{"3rd choice", 3, true},
		{"11th place", 11, true},
		{"4th priority", 4, true},
		{"first", 0, false},
		{"1st and 2nd", 0, false},
		{"High priority", 0, false},
	}
	for _, tt := range tests {
		got, err := rankNumber(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("rankNumber(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestWorkstreamNamedInQuestion reads one question per workstream whose
// text names it inside a sentence, and leaves alone a question that names
// one in passing but whose answers are not priorities.
func TestWorkstreamNamedInQuestion(t *testing.T) {
	text := "Timestamp,Which practice?,How important is Cyber Security to your practice?,Q4. How important is Patient WiFi (0-10)?,Do you have enough desktop space?\r\n" +
		"03/11/2026 09:15:02,Jericho,Very high priority,8,Yes\r\n" +
		"03/11/2026 10:15:02,Jericho,Low,10,No\r\n"
	path := filepath.Join(t.TempDir(), "sentences.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, p, err := parseRows(testIngester(t), path, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.file.Workstreams, []string{"cyber-security", "wifi"}) {
		t.Fatalf("workstreams %v, want cyber-security and wifi (not desktop)", p.file.Workstreams)
	}
	want := [][]store.Answer{
		{{Raw: "Very high priority", Score: 1, Scored: true}, {Raw: "8", Score: 0.8, Scored: true}},
		{{Raw: "Low", Score: 0.25, Scored: true}, {Raw: "10", Score: 1, Scored: true}},
	}
	for i, r := range rows {
		if !slices.Equal(r.Answers, want[i]) {
			t.Errorf("row %d answers %+v, want %+v", i+2, r.Answers, want[i])
		}
	}
}

// TestRankingWithStrayLabel keeps a ranking a ranking when one answer is a
// label among rank numbers: that answer alone is off the scale.
func TestRankingWithStrayLabel(t *testing.T) {
	text := "Timestamp,Which practice?,Please rank these workstreams (1 = most important) [Wifi],Please rank these workstreams (1 = most important) [Printing],Please rank these workstreams (1 = most important) [Telephony]\r\n" +
		"03/11/2026 09:15:02,Jericho,1,2,3\r\n" +
		"03/11/2026 10:15:02,Jericho,High,1,2\r\n" +
		"03/11/2026 11:15:02,Jericho,3,2,1\r\n"
	path := filepath.Join(t.TempDir(), "ranking.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, _, err := parseRows(testIngester(t), path, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]store.Answer{
		{{Raw: "1", Score: 1, Scored: true}, {Raw: "2", Score: 0.5, Scored: true}, {Raw: "3", Score: 0, Scored: true}},
		{{Raw: "High"}, {Raw: "1", Score: 1, Scored: true}, {Raw: "2", Score: 0.5, Scored: true}},
		{{Raw: "3", Score: 0, Scored: true}, {Raw: "2", Score: 0.5, Scored: true}, {Raw: "1", Score: 1, Scored: true}},
	}
	for i, r := range rows {
		if !slices.Equal(r.Answers, want[i]) {
			t.Errorf("row %d answers %+v, want %+v", i+2, r.Answers, want[i])
		}
	}
	if len(rows) == 3 && (len(rows[1].Warnings) != 1 || rows[1].Warnings[0].Code != "answer_off_scale") {
		t.Errorf("row 3 warnings %+v, want the label off the scale", rows[1].Warnings)
	}
}

// TestAnswersUnderBlankHeader warns about a column without a header that
// holds answers, and stays quiet about one that is empty.
func TestAnswersUnderBlankHeader(t *testing.T) {
	text := "Timestamp,Which practice?,Priority [Wifi],,\r\n" +
		"03/11/2026 09:15:02,Jericho,High,Very high,\r\n"
	path := filepath.Join(t.TempDir(), "blank.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, p, err := parseRows(testIngester(t), path, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	var ignored []string
	for _, w := range p.file.Warnings {
		if w.Code == "column_ignored" {
			ignored = append(ignored, w.Column)
		}
	}
	if len(ignored) != 1 || !strings.HasPrefix(ignored[0], "D ") {
		t.Errorf("column_ignored warnings for %q, want column D only", ignored)
	}
}
