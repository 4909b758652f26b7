package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/office"
	"github.com/surveyworker/surveyworker/survey"
)

// requireReader returns the path of a reader found by find, or skips the
// test naming what is missing; under CI=true a missing reader fails it.
func requireReader(t *testing.T, find func() (string, error)) string {
	t.Helper()
	p, err := find()
	if errors.Is(err, office.ErrMissing) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: make test installs it)", err)
		}
		t.Skipf("%v; make test installs it", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sheetDump is what testdata/readers.py reads from a workbook with
// openpyxl.
type sheetDump struct {
	Sheets []string                 `json:"sheets"`
	Names  map[string]string        `json:"names"`
	Cells  map[string][][4]any      `json:"cells"`
	byRef  map[string]map[string]cv // sheet → "row,col" → cell
}

// cv is one cell as openpyxl reads it.
type cv struct {
	typ   string
	value any
}

// readWithOpenpyxl dumps the workbook at path with openpyxl; with values,
// formulas give the values saved with them.
func readWithOpenpyxl(t *testing.T, python, path string, values bool) *sheetDump {
	t.Helper()
	args := []string{"-W", "ignore", filepath.Join("testdata", "readers.py"), "dump", path}
	if values {
		args = append(args, "--values")
	}
	out, err := exec.Command(python, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openpyxl cannot read %s: %v\n%s", path, err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var d sheetDump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	d.byRef = map[string]map[string]cv{}
	for sheet, cells := range d.Cells {
		m := map[string]cv{}
		for _, c := range cells {
			m[fmt.Sprintf("%v,%v", c[0], c[1])] = cv{typ: c[2].(string), value: c[3]}
		}
		d.byRef[sheet] = m
	}
	return &d
}

func (d *sheetDump) cell(sheet string, row, col int) cv {
	return d.byRef[sheet][fmt.Sprintf("%d,%d", row, col)]
}

// row returns the text of a row's cells from column 1 to n.
func (d *sheetDump) row(sheet string, row, n int) []string {
	var out []string
	for c := 1; c <= n; c++ {
		v := d.cell(sheet, row, c).value
		if v == nil {
			out = append(out, "")
		} else {
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

// whatIfRow is one workstream's row of the What-if table as read back.
type whatIfRow struct {
	Workstream string
	Score      float64
	Tier       survey.Tier
	Rank       int
}

// whatIfRows reads the What-if table's values.
func (d *sheetDump) whatIfRows(t *testing.T, n int) []whatIfRow {
	t.Helper()
	var out []whatIfRow
	for i := range n {
		row := whatIfHeaderRow + 1 + i
		score, ok1 := d.cell(SheetWhatIf, row, 7).value.(float64)
		rank, ok2 := d.cell(SheetWhatIf, row, 9).value.(float64)
		name, _ := d.cell(SheetWhatIf, row, 1).value.(string)
		tier, _ := d.cell(SheetWhatIf, row, 8).value.(string)
		if !ok1 || !ok2 {
			t.Fatalf("What-if row %d: score %v, rank %v: not numbers", row, d.cell(SheetWhatIf, row, 7), d.cell(SheetWhatIf, row, 9))
		}
		out = append(out, whatIfRow{name, score, survey.Tier(tier), int(rank)})
	}
	return out
}

// whatIfOrder reads the What-if sheet's ordered list: workstream names in
// the order the weights give.
func (d *sheetDump) whatIfOrder(n int) []string {
	var out []string
	for i := range n {
		name, _ := d.cell(SheetWhatIf, whatIfHeaderRow+1+i, whatIfOrderCol+1).value.(string)
		out = append(out, name)
	}
	return out
}

// expectedWhatIf is what surveyworker computes: one row per workstream in
// the What-if table's order (the report's ranking order), and the names in
// rank order.
func expectedWhatIf(report, ranked survey.Ranking) ([]whatIfRow, []string) {
	byID := map[string]survey.RankedWorkstream{}
	var order []string
	for _, r := range ranked.Rows {
		byID[r.WorkstreamID] = r
		order = append(order, r.Workstream)
	}
	var rows []whatIfRow
	for _, r := range report.Rows {
		w := byID[r.WorkstreamID]
		rows = append(rows, whatIfRow{w.Workstream, w.Score, w.Tier, w.Rank})
	}
	return rows, order
}

// scoreTolerance is how close the spreadsheet's scores must come to
// surveyworker's.
var scoreTolerance = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) <= 1e-9 })

// TestWorkbookReaders opens the fixture's workbook with readers other than
// excelize. openpyxl reads the sheets, headers, defined names and values,
// and checks that no cell holding respondent text is a formula.
// LibreOffice converts it to PDF (it opens it without repair and prints
// every sheet) and, recalculating every formula, to XLSX: the What-if
// sheet's values then equal surveyworker's, for the report's weights and
// for other weights set in the cells with openpyxl, against the ranking
// analysis computes with those weights as rank --weights does.
func TestWorkbookReaders(t *testing.T) {
	t.Parallel() // mostly waiting on LibreOffice and Python
	python := requireReader(t, office.Python)
	requireReader(t, office.Soffice)
	pdfinfo := requireReader(t, func() (string, error) {
		p, err := exec.LookPath("pdfinfo")
		if err != nil {
			return "", fmt.Errorf("pdfinfo (Debian package poppler-utils): %w", office.ErrMissing)
		}
		return p, nil
	})
	fx := newFixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "roadmap.xlsx")
	if err := WriteWorkbook(path, fx.in); err != nil {
		t.Fatal(err)
	}
	n := len(fx.in.Ranking.Rows)

	d := readWithOpenpyxl(t, python, path, false)
	checkOpenpyxlStructure(t, d)
	checkNoRespondentFormulas(t, d)
	cached := readWithOpenpyxl(t, python, path, true)
	wantRows, wantOrder := expectedWhatIf(fx.in.Ranking, fx.in.Ranking)
	if diff := cmp.Diff(wantRows, cached.whatIfRows(t, n), scoreTolerance); diff != "" {
		t.Errorf("values saved with the What-if formulas (-surveyworker +workbook):\n%s", diff)
	}

	edited := filepath.Join(dir, "edited.xlsx")
	var pairs []string
	for i, name := range weightNames {
		pairs = append(pairs, fmt.Sprintf("%s=%v", name, weightValues(fixtureWeights)[i]))
	}
	args := append([]string{"-W", "ignore", filepath.Join("testdata", "readers.py"), "weights", path, edited}, pairs...)
	if out, err := exec.Command(python, args...).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl could not set the weights: %v\n%s", err, out)
	}

	start := time.Now()
	pdfs, err := office.Convert(filepath.Join(dir, "pdf"), "pdf", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LibreOffice: PDF in %.1fs", time.Since(start).Seconds())
	info, err := exec.Command(pdfinfo, pdfs[0]).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	if pages := pdfPages(info); pages < len(sheets) {
		t.Errorf("LibreOffice printed %d pages, want at least one per sheet (%d)", pages, len(sheets))
	}
	start = time.Now()
	recalculated, err := office.Convert(filepath.Join(dir, "recalculated"), "xlsx", path, edited)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LibreOffice: two workbooks recalculated in %.1fs", time.Since(start).Seconds())

	got := readWithOpenpyxl(t, python, recalculated[0], true)
	if diff := cmp.Diff(wantRows, got.whatIfRows(t, n), scoreTolerance); diff != "" {
		t.Errorf("What-if recalculated by LibreOffice, report weights (-surveyworker +LibreOffice):\n%s", diff)
	}
	if diff := cmp.Diff(wantOrder, got.whatIfOrder(n)); diff != "" {
		t.Errorf("What-if order recalculated by LibreOffice, report weights (-surveyworker +LibreOffice):\n%s", diff)
	}

	opts := fixtureOptions(fixtureTime)
	opts.Weights, opts.WhatIf = fixtureWeights, true
	other, err := analysis.Run(context.Background(), fx.st, fx.cat, opts, false)
	if err != nil {
		t.Fatal(err)
	}
	wantRows, wantOrder = expectedWhatIf(fx.in.Ranking, other)
	got = readWithOpenpyxl(t, python, recalculated[1], true)
	if diff := cmp.Diff(wantRows, got.whatIfRows(t, n), scoreTolerance); diff != "" {
		t.Errorf("What-if recalculated by LibreOffice, weights %s (-surveyworker +LibreOffice):\n%s",
			analysis.FormatWeights(fixtureWeights), diff)
	}
	if diff := cmp.Diff(wantOrder, got.whatIfOrder(n)); diff != "" {
		t.Errorf("What-if order recalculated by LibreOffice, weights %s (-surveyworker +LibreOffice):\n%s",
			analysis.FormatWeights(fixtureWeights), diff)
	}
	moved := countMoves(fx.in.Ranking, other)
	if moved == 0 {
		t.Errorf("the test weights move no workstream; pick weights that do")
	}
	t.Logf("weights %s move %d of %d workstreams; LibreOffice agrees on every score (to 1e-9), tier and rank",
		analysis.FormatWeights(fixtureWeights), moved, n)
}

// checkOpenpyxlStructure checks the sheet names and order, the headers and
// the defined names as openpyxl reads them.
func checkOpenpyxlStructure(t *testing.T, d *sheetDump) {
	t.Helper()
	var names []string
	for _, s := range sheets {
		names = append(names, s.name)
	}
	if diff := cmp.Diff(names, d.Sheets); diff != "" {
		t.Errorf("sheets (-want +openpyxl):\n%s", diff)
	}
	headers := []struct {
		sheet string
		row   int
		want  []string
	}{
		{SheetRanking, 1, RankingHeader},
		{SheetWhatIf, whatIfHeaderRow, WhatIfHeader},
		{SheetComments, commentsHeaderRow, CommentsHeader},
	}
	for _, h := range headers {
		if diff := cmp.Diff(h.want, d.row(h.sheet, h.row, len(h.want))); diff != "" {
			t.Errorf("%s header (-want +openpyxl):\n%s", h.sheet, diff)
		}
	}
	for label, row := range map[string]int{"Responses": 7, "Practices": 8, "Files": 9} {
		if got := d.row(SheetSummary, row, 1); got[0] != label {
			t.Errorf("Summary row %d = %q, want %q", row, got[0], label)
		}
		if v := d.cell(SheetSummary, row, 2); v.typ != "n" {
			t.Errorf("Summary %s value %+v is not a number", label, v)
		}
	}
	want := map[string]string{}
	for i, n := range weightNames {
		want[n] = fmt.Sprintf("'What-if'!$B$%d", whatIfWeightRow+i)
	}
	want[NameVeryHigh] = "'What-if'!$I$5"
	want[NameHigh] = "'What-if'!$I$6"
	if diff := cmp.Diff(want, d.Names); diff != "" {
		t.Errorf("defined names (-want +openpyxl):\n%s", diff)
	}
	for _, c := range []int{7, 8, 9} {
		v := d.cell(SheetWhatIf, whatIfHeaderRow+1, c)
		if f, ok := v.value.(string); v.typ != "f" || !ok || !strings.HasPrefix(f, "=") {
			t.Errorf("What-if column %d holds %+v, want a formula", c, v)
		}
	}
	if f := fmt.Sprint(d.cell(SheetWhatIf, whatIfHeaderRow+1, 7).value); !strings.Contains(f, NameWeightSurvey) || !strings.Contains(f, NameWeightMandated) {
		t.Errorf("score formula %q does not use the weight names", f)
	}
}

// checkNoRespondentFormulas checks that no cell of the Comments and Data
// quality sheets, which hold respondents' text, is a formula, even text
// that starts like one.
func checkNoRespondentFormulas(t *testing.T, d *sheetDump) {
	t.Helper()
	seen := 0
	for _, sheet := range []string{SheetComments, SheetQuality} {
		for _, c := range d.Cells[sheet] {
			if c[2] == "f" {
				t.Errorf("%s row %v column %v is a formula: %v", sheet, c[0], c[1], c[3])
			}
			if s, ok := c[3].(string); ok && looksLikeFormula(s) {
				seen++
			}
		}
	}
	if seen < len(fixtureComments)-1 {
		t.Errorf("found %d formula-like texts, want the fixture's", seen)
	}
}

var pagesField = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

func pdfPages(info []byte) int {
	m := pagesField.FindSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// countMoves counts the workstreams whose rank or tier differs.
func countMoves(a, b survey.Ranking) int {
	before := map[string]survey.RankedWorkstream{}
	for _, r := range a.Rows {
		before[r.WorkstreamID] = r
	}
	n := 0
	for _, r := range b.Rows {
		if p := before[r.WorkstreamID]; p.Rank != r.Rank || p.Tier != r.Tier {
			n++
		}
	}
	return n
}
