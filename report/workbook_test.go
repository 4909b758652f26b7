package report

import (
	"archive/zip"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

var london = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("GMT", 0)
	}
	return loc
}

// sampleRanking is a small ranking whose names include text a spreadsheet
// would otherwise read as formulas.
func sampleRanking() survey.Ranking {
	return survey.Ranking{
		RunID:       7,
		CreatedAt:   time.Date(2026, 11, 25, 1, 59, 0, 0, time.UTC),
		Method:      "mcda-v1",
		Weights:     survey.Weights{Survey: 0.4, Impact: 0.25, GPFV: 0.15, Dependencies: 0.2},
		Respondents: 143, Practices: 37, Files: 4,
		Rows: []survey.RankedWorkstream{
			{Rank: 1, WorkstreamID: "online-consultation", Workstream: "Online consultation", Tier: survey.TierVeryHigh, Score: 0.8234, PracticePriority: 0.9, Practices: 36},
			{Rank: 2, WorkstreamID: "x", Workstream: `=HYPERLINK("x")`, Tier: survey.TierMandated, Score: 0.61, PracticePriority: 0.5, Practices: 30},
			{Rank: 3, WorkstreamID: "neg", Workstream: "-5", Tier: survey.TierHigh, Score: 0.555, PracticePriority: 0.4, Practices: 12},
			{Rank: 3, WorkstreamID: "wifi", Workstream: "@Patient WiFi", Tier: survey.TierMedium, Score: 0.555, PracticePriority: 0.35, Practices: 2},
		},
	}
}

func sampleInput() WorkbookInput {
	return WorkbookInput{
		Ranking:     sampleRanking(),
		GeneratedAt: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC),
		Location:    london,
		TierRules:   []string{"Very high: score ≥ 0.70", "High: score ≥ 0.50"},
	}
}

func writeSample(t *testing.T) *excelize.File {
	t.Helper()
	return writeAndOpen(t, sampleInput())
}

func TestWorkbookSheets(t *testing.T) {
	f := writeSample(t)
	want := []string{"Summary", "Ranking", "What-if", "Tiers", "By federation", "By role", "Dependencies",
		"Comments", "Data quality", "Method"}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
}

func TestWorkbookSummary(t *testing.T) {
	f := writeSample(t)
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 && r[0] != "" {
			got[r[0]] = r[1]
		}
	}
	// Readers of the workbook rely on these label/value rows.
	want := map[string]string{
		"Responses":            "143",
		"Practices":            "37",
		"Files":                "4",
		"Generated":            "Wed 25 Nov 2026 02:00 GMT",
		"Generated (ISO 8601)": "2026-11-25T02:00:00Z",
		"Ranking run":          "7",
		"Compared with":        "none: this is the first report",
	}
	for label, value := range want {
		if got[label] != value {
			t.Errorf("Summary %q = %q, want %q", label, got[label], value)
		}
	}
	if title, _ := f.GetCellValue(SheetSummary, "A1"); title != DefaultTitle {
		t.Errorf("A1 = %q, want %q", title, DefaultTitle)
	}
	if p, _ := f.GetCellValue(SheetSummary, "A4"); !strings.HasPrefix(p, "143 staff from 37 GP practices answered the survey") {
		t.Errorf("paragraph = %q", p)
	}
	assertNumeric(t, f, SheetSummary, "B7", 143)
	for _, r := range rows {
		for _, c := range r {
			if strings.HasPrefix(c, "Margin:") || strings.HasPrefix(c, "Weight:") {
				t.Errorf("Summary holds the method detail %q, which belongs on the Method sheet", c)
			}
		}
	}
}

func TestWorkbookSummaryInSummerTime(t *testing.T) {
	in := sampleInput()
	in.GeneratedAt = time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)
	rows := summaryRows(in.withDefaults())
	got := map[string]string{}
	for _, r := range rows {
		got[r.label] = r.text
	}
	if got["Generated"] != "Wed 1 Jul 2026 02:00 BST" || got["Generated (ISO 8601)"] != "2026-07-01T02:00:00+01:00" {
		t.Errorf("generated = %q, %q; want London summer time", got["Generated"], got["Generated (ISO 8601)"])
	}
}

func TestWorkbookRanking(t *testing.T) {
	f := writeSample(t)
	rows, err := f.GetRows(SheetRanking)
	if err != nil {
		t.Fatal(err)
	}
	zeros := []string{"", "", "", "", "", "0.00", "0.00", "0.00", "0.00"}
	want := [][]string{
		{"Rank", "Workstream", "Tier", "Score", "Practice priority", "Practices",
			"Score 90% low", "Score 90% high", "Rank range", "Tier probability", "Rank change",
			"Score from survey", "Score from impact", "Score from GP Forward View", "Score from dependencies"},
		append([]string{"1", "Online consultation", "Very high", "0.82", "0.90", "36"}, zeros...),
		append([]string{"2", `=HYPERLINK("x")`, "High - Centrally Mandated", "0.61", "0.50", "30"}, zeros...),
		append([]string{"3", "-5", "High", "0.56", "0.40", "12"}, zeros...),
		append([]string{"3", "@Patient WiFi", "Medium", "0.56", "0.35", "2"}, zeros...),
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
	assertNumeric(t, f, SheetRanking, "A2", 1)
	assertNumeric(t, f, SheetRanking, "D2", 0.8234)
	assertNumeric(t, f, SheetRanking, "E3", 0.5)
	assertNumeric(t, f, SheetRanking, "F5", 2)
}

func TestWorkbookTextNeverFormula(t *testing.T) {
	f := writeSample(t)
	tests := []struct {
		cell      string
		wantQuote bool
	}{
		{"B2", false}, // Online consultation
		{"B3", true},  // =HYPERLINK("x")
		{"B4", true},  // -5
		{"B5", true},  // @Patient WiFi
		{"C2", false}, // Very high
	}
	for _, tt := range tests {
		formula, err := f.GetCellFormula(SheetRanking, tt.cell)
		if err != nil || formula != "" {
			t.Errorf("%s: formula %q, %v; want none", tt.cell, formula, err)
		}
		typ, _ := f.GetCellType(SheetRanking, tt.cell)
		if typ != excelize.CellTypeSharedString {
			t.Errorf("%s: cell type %v, want shared string", tt.cell, typ)
		}
		if got := quotePrefix(t, f, SheetRanking, tt.cell); got != tt.wantQuote {
			t.Errorf("%s: quotePrefix %v, want %v", tt.cell, got, tt.wantQuote)
		}
	}
}

func TestWorkbookLayout(t *testing.T) {
	f := writeSample(t)
	panes, err := f.GetPanes(SheetRanking)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want header row frozen", panes)
	}
	if w, _ := f.GetColWidth(SheetRanking, "B"); w < 24 {
		t.Errorf("Workstream column width %v, want at least 24", w)
	}
	fill := tierFill(t, f, "C2")
	if fill != "C00000" {
		t.Errorf("Very high tier fill = %q, want C00000", fill)
	}
}

func TestWorkbookChartAndFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteWorkbook(path, sampleInput()); err != nil {
		t.Fatal(err)
	}
	parts := zipParts(t, path)
	scores, contributions := string(parts["xl/charts/chart1.xml"]), string(parts["xl/charts/chart2.xml"])
	for _, want := range []string{"<barChart>", "Ranking!$D$2:$D$5", "Ranking!$B$2:$B$5", `<dPt><idx val="0"/>`, `val="C00000"`} {
		if !strings.Contains(scores, want) {
			t.Errorf("score chart lacks %q", want)
		}
	}
	if strings.Contains(scores, "errBars") {
		t.Errorf("score chart has error bars, but the ranking has no intervals")
	}
	for _, want := range []string{`<grouping val="stacked">`, "Ranking!$L$2:$L$5", "Ranking!$O$2:$O$5"} {
		if !strings.Contains(contributions, want) {
			t.Errorf("contribution chart lacks %q", want)
		}
	}
	table := string(parts["xl/tables/table1.xml"])
	if !strings.Contains(table, `ref="A1:O5"`) || !strings.Contains(table, `<autoFilter ref="A1:O5"`) {
		t.Errorf("Ranking table is not A1:O5 with a filter:\n%s", table)
	}
	wb := string(parts["xl/workbook.xml"])
	for _, want := range []string{`<definedName localSheetId="1" name="_xlnm.Print_Titles">Ranking!$1:$1</definedName>`,
		`<definedName localSheetId="1" name="_xlnm.Print_Area">Ranking!$A$1:$K$5,Ranking!$S$1:$AH$65</definedName>`} {
		if !strings.Contains(wb, want) {
			t.Errorf("workbook.xml lacks %s", want)
		}
	}
	if sheet := string(parts["xl/worksheets/sheet2.xml"]); !strings.Contains(sheet, `type="dataBar"`) {
		t.Errorf("Ranking sheet has no data bar on the scores")
	}
}

// TestWorkbookDeterministic checks that the same input gives the same
// parts. [Content_Types].xml is compared by length only: excelize lists
// image types in map order when a chart is added.
func TestWorkbookDeterministic(t *testing.T) {
	dir := t.TempDir()
	var files []map[string][]byte
	for _, name := range []string{"a.xlsx", "b.xlsx"} {
		path := filepath.Join(dir, name)
		if err := WriteWorkbook(path, sampleInput()); err != nil {
			t.Fatal(err)
		}
		files = append(files, zipParts(t, path))
	}
	if len(files[0]) != len(files[1]) {
		t.Fatalf("part counts differ: %d and %d", len(files[0]), len(files[1]))
	}
	for name, a := range files[0] {
		b := files[1][name]
		if name == "[Content_Types].xml" {
			if len(a) != len(b) {
				t.Errorf("%s lengths differ", name)
			}
		} else if !bytes.Equal(a, b) {
			t.Errorf("part %s differs between two workbooks from the same input", name)
		}
	}
}

func TestWorkbookEmptyRanking(t *testing.T) {
	f := writeAndOpen(t, WorkbookInput{GeneratedAt: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)})
	rows, _ := f.GetRows(SheetRanking)
	if len(rows) != 1 {
		t.Errorf("empty ranking: %d rows, want the header only", len(rows))
	}
}

func TestWriteWorkbookAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.xlsx")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteWorkbook(path, sampleInput()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the workbook", len(entries))
	}
	if err := WriteWorkbook(filepath.Join(dir, "missing", "r.xlsx"), sampleInput()); err == nil {
		t.Errorf("writing into a missing directory: got nil error")
	}
}

func assertNumeric(t *testing.T, f *excelize.File, sheet, ref string, want float64) {
	t.Helper()
	typ, _ := f.GetCellType(sheet, ref)
	raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	got, err := strconv.ParseFloat(raw, 64)
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || err != nil || got != want {
		t.Errorf("%s!%s = %q (type %v), want number %v", sheet, ref, raw, typ, want)
	}
}

// quotePrefix reports whether the cell's format carries quotePrefix="1".
func quotePrefix(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetStyle(id); err != nil { // loads the style sheet
		t.Fatal(err)
	}
	q := f.Styles.CellXfs.Xf[id].QuotePrefix
	return q != nil && *q
}

func tierFill(t *testing.T, f *excelize.File, ref string) string {
	t.Helper()
	id, _ := f.GetCellStyle(SheetRanking, ref)
	st, err := f.GetStyle(id)
	if err != nil || len(st.Fill.Color) == 0 {
		return ""
	}
	return st.Fill.Color[0]
}

func zipParts(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		parts[zf.Name] = buf.Bytes()
	}
	return parts
}

// TestMethodUncertaintyAndMargins checks that the Method sheet says how
// the uncertainty was computed, for a run of today and for one stored
// before the logit-t intervals, and how far each weight may move, in
// words.
func TestMethodUncertaintyAndMargins(t *testing.T) {
	tests := []struct {
		name      string
		intervals string
		want      map[string]string
	}{
		{"logit-t", analysis.IntervalMethod, map[string]string{
			"Rank range": "The 5th to the 95th percentile of the rank when the practices that answered are redrawn 1000 times, " +
				"with replacement (seed 7, so the figures repeat exactly).",
			"Bootstrap": "",
		}},
		{"stored before logit-t", "", map[string]string{
			"Bootstrap": "The practices that answered were redrawn 1000 times, with replacement, within each federation " +
				"(seed 7, so the figures repeat exactly).",
			"Tier probability": "The share of redraws that gave the workstream the tier it has.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleInput()
			in.Ranking.Params = survey.RunParams{Resamples: 1000, Seed: 7, Criteria: "catalogue", WeightByListSize: true,
				Intervals: tt.intervals}
			in.Ranking.Sensitivity = []survey.WeightMargin{
				{Criterion: "survey", Weight: 0.4, Down: &survey.TierShift{Delta: 0.033, Weight: 0.367, Workstream: "Improving Printing",
					From: survey.TierHigh, To: survey.TierMedium}},
			}
			in.Version = "v9.9.9"
			rows, err := writeAndOpen(t, in).GetRows(SheetMethod)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range rows {
				if len(r) >= 2 && r[0] != "" {
					got[r[0]] = r[1]
				}
			}
			want := map[string]string{
				"Survey down":          "Improving Printing would drop to Medium if the survey weight fell from 0.40 to 0.37.",
				"Survey up":            "No workstream would change tier if the survey weight went any higher than 0.40.",
				"surveyworker version": "v9.9.9",
				"Method":               "mcda-v1",
			}
			maps.Copy(want, tt.want)
			for label, text := range want {
				if got[label] != text {
					t.Errorf("%s: got %q, want %q", label, got[label], text)
				}
			}
		})
	}
}
