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
		{"1", "Online consultation", "Very high", "0.82", "0.90", "36", "0.78", "0.86", "1", "97%", "▲ 2"},
		{"2", `=HYPERLINK("x")`, "High - Centrally Mandated", "0.61", "0.50", "30", "0.55", "0.66", "2–4", "50%", "▼ 1"},
		{"3", "-5", "High", "0.56", "0.40", "12", "", "", "", "", "new"},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, rows[i+1][:len(w)]); diff != "" {
			t.Errorf("ranking row %d (-want +got):\n%s", i+2, diff)
		}
	}
	assertNumeric(t, f, SheetRanking, "J2", 0.97)
	assertNumeric(t, f, SheetRanking, "K3", -1)
}

// TestWorkbookHeatMaps checks the By federation and By role sheets: a
// number or nothing in every value cell, withheld cells empty and grey,
// and the practices behind each cell beside them.
func TestWorkbookHeatMaps(t *testing.T) {
	f := writeUncertain(t)
	tests := []struct {
		sheet string
		want  [][]string
	}{
		{SheetFederation, [][]string{
			{"Workstream", "All practices", "North", "", "North"},
			{"Online consultation", "0.90", "0.88", "", "4"},
			{`=HYPERLINK("x")`, "0.50", "", "", "2"},
			{"-5", "0.40"},
			{"@Patient WiFi", "0.35"},
		}},
		{SheetRole, [][]string{
			{"Workstream", "All practices", "GP", "", "GP"},
			{"Online consultation", "0.90"},
			{`=HYPERLINK("x")`, "0.50"},
			{"-5", "0.40"},
			{"@Patient WiFi", "0.35", "0.25", "", "3"},
		}},
	}
	for _, tt := range tests {
		rows, err := f.GetRows(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, rows[4:9]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.sheet, diff)
		}
	}
	assertNumeric(t, f, SheetFederation, "C6", 0.875)
	if v, _ := f.GetCellValue(SheetFederation, "C7"); v != "" {
		t.Errorf("withheld cell holds %q, want nothing", v)
	}
	id, _ := f.GetCellStyle(SheetFederation, "C7")
	if st, err := f.GetStyle(id); err != nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != colourWithheld {
		t.Errorf("withheld cell style %+v, %v; want a grey fill", st, err)
	}
	if q := quotePrefix(t, f, SheetFederation, "A7"); !q {
		t.Errorf("By federation!A7 holds formula-like text without quotePrefix")
	}
}
