package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// writeUncertain writes the sample ranking with bootstrap intervals,
// movement and segments filled in.
func writeUncertain(t *testing.T) *excelize.File {
	t.Helper()
	in := sampleInput()
	r := &in.Ranking
	up, down := 2, -1
	r.Previous = &survey.RunRef{RunID: 6, Respondents: 120}
	r.Rows[0].CILow, r.Rows[0].CIHigh, r.Rows[0].RankLow, r.Rows[0].RankHigh = 0.78, 0.86, 1, 1
	r.Rows[0].TierProbability, r.Rows[0].RankChange = 0.97, &up
	r.Rows[1].CILow, r.Rows[1].CIHigh, r.Rows[1].RankLow, r.Rows[1].RankHigh = 0.55, 0.66, 2, 4
	r.Rows[1].TierProbability, r.Rows[1].RankChange = 0.5, &down
	r.Segments = []survey.Segment{
		{Kind: "federation", Name: "North", Cells: []survey.SegmentCell{
			{WorkstreamID: "online-consultation", PracticePriority: 0.875, Practices: 4},
			{WorkstreamID: "x", Practices: 2, Withheld: true}}},
		{Kind: "role", Name: "GP", Cells: []survey.SegmentCell{
			{WorkstreamID: "wifi", PracticePriority: 0.25, Practices: 3}}},
	}
	return writeAndOpen(t, in)
}

func TestWorkbookRankingUncertainty(t *testing.T) {
	f := writeUncertain(t)
	rows, err := f.GetRows(SheetRanking)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"1", "Online consultation", "Very high", "0.82", "0.90", "36", "0.78", "0.86", "1", "97%", "2"},
		{"2", `=HYPERLINK("x")`, "High - Centrally Mandated", "0.61", "0.50", "30", "0.55", "0.66", "2–4", "50%", "-1"},
		{"3", "-5", "High", "0.56", "0.40", "12", "", "", "", "", "new"},
	}
	if diff := cmp.Diff(want, rows[1:4]); diff != "" {
		t.Errorf("ranking rows (-want +got):\n%s", diff)
	}
	assertNumeric(t, f, SheetRanking, "J2", 0.97)
	assertNumeric(t, f, SheetRanking, "K3", -1)
}

func TestWorkbookSegments(t *testing.T) {
	f := writeUncertain(t)
	rows, err := f.GetRows(SheetSegments)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Workstream", "North", "Role: GP"},
		{"Online consultation", "0.88"},
		{`=HYPERLINK("x")`, "too few (2)"},
		{"-5"},
		{"@Patient WiFi", "", "0.25"},
	}
	if diff := cmp.Diff(want, rows[:5]); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	assertNumeric(t, f, SheetSegments, "B2", 0.875)
	if q := quotePrefix(t, f, SheetSegments, "A3"); !q {
		t.Errorf("Segments!A3 holds formula-like text without quotePrefix")
	}
}
