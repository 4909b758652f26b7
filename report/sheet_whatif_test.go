package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
)

// TestWorkbookWhatIf checks the What-if sheet as written: the named weight
// and threshold cells and their validation, criteria values as numbers,
// formulas over them carrying surveyworker's values, and the ordered list.
// TestWorkbookReaders checks what LibreOffice computes from them.
func TestWorkbookWhatIf(t *testing.T) {
	fx := newFixture(t)
	f := writeAndOpen(t, fx.in)
	const sheet = SheetWhatIf
	names := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Scope == "Workbook" {
			names[dn.Name] = dn.RefersTo
		}
	}
	want := map[string]string{
		NameWeightSurvey: "'What-if'!$B$5", NameWeightImpact: "'What-if'!$B$6", NameWeightGPFV: "'What-if'!$B$7",
		NameWeightDependencies: "'What-if'!$B$8", NameWeightMandated: "'What-if'!$B$9",
		NameVeryHigh: "'What-if'!$I$5", NameHigh: "'What-if'!$I$6",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("defined names (-want +got):\n%s", diff)
	}
	for i, w := range weightValues(fx.in.Ranking.Weights) {
		assertNumeric(t, f, sheet, cell(2, whatIfWeightRow+i), w)
	}
	assertNumeric(t, f, sheet, "I5", 0.7)
	assertNumeric(t, f, sheet, "I6", 0.5)
	if sum, _ := f.GetCellFormula(sheet, "B10"); sum != "SUM(B5:B9)" {
		t.Errorf("B10 = %q, want the sum of the weights", sum)
	}
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, dv := range dvs {
		ranges = append(ranges, dv.Sqref+" "+dv.Type+" "+dv.Operator)
	}
	if diff := cmp.Diff([]string{"B5:B9 decimal greaterThanOrEqual", "I5:I6 decimal between"}, ranges); diff != "" {
		t.Errorf("data validation (-want +got):\n%s", diff)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(WhatIfHeader, rows[whatIfHeaderRow-1][:len(WhatIfHeader)]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for i, r := range fx.in.Ranking.Rows {
		row := whatIfHeaderRow + 1 + i
		got := rows[row-1]
		v := whatIfValues(r, analysis.DefaultDependencyCap)
		for k := range v {
			// excelize writes numbers to Excel's 15 significant digits.
			if x, _ := strconv.ParseFloat(got[1+k], 64); math.Abs(x-v[k]) > 1e-14 {
				t.Errorf("%s = %q, want %v", cell(2+k, row), got[1+k], v[k])
			}
		}
		score, _ := strconv.ParseFloat(got[6], 64)
		if math.Abs(score-r.Score) > 1e-14 || got[0] != r.Workstream || got[7] != string(r.Tier) || got[8] != strconv.Itoa(r.Rank) {
			t.Errorf("row %d = %q, want %s %v %s %d", row, got[:10], r.Workstream, r.Score, r.Tier, r.Rank)
		}
		for col, prefix := range map[int]string{7: "(w_survey*B", 8: "CHOOSE(", 9: "1+SUMPRODUCT("} {
			if f, _ := f.GetCellFormula(sheet, cell(col, row)); !strings.HasPrefix(f, prefix) {
				t.Errorf("%s = %q, want a formula starting %q", cell(col, row), f, prefix)
			}
		}
		if name, _ := f.GetCellValue(sheet, cell(whatIfOrderCol+1, row)); name != r.Workstream {
			t.Errorf("ordered list row %d = %q, want %q", row, name, r.Workstream)
		}
	}
	if hidden, _ := f.GetColVisible(sheet, colName(whatIfHelperCol)); hidden {
		t.Errorf("helper column %s is visible", colName(whatIfHelperCol))
	}
}

func TestWhatIfFormulas(t *testing.T) {
	tests := []struct {
		noFloor bool
		want    whatIfFormulaSet
	}{
		{false, whatIfFormulaSet{
			score:     "(w_survey*B13+w_impact*C13+w_gpfv*D13+w_dependencies*E13+w_mandated*F13)/(w_survey+w_impact+w_gpfv+w_dependencies+w_mandated)",
			tierOrder: "IF(G13>=t_very_high-1E-9,1,IF(F13=1,2,IF(G13>=t_high-1E-9,3,4)))",
			tier:      `CHOOSE(R13,"Very high","High - Centrally Mandated","High","Medium")`,
			sortKey:   "ROUND(G13*1E9,0)",
			tieKey:    "ROUND(S13/1E7,0)",
			rank:      "1+SUMPRODUCT(--($R$13:$R$15<R13))+SUMPRODUCT(($R$13:$R$15=R13)*($T$13:$T$15>T13))",
			position: "1+SUMPRODUCT(--($R$13:$R$15<R13))+SUMPRODUCT(($R$13:$R$15=R13)*($S$13:$S$15>S13))" +
				"+SUMPRODUCT(($R$13:$R$15=R13)*($S$13:$S$15=S13)*($U$13:$U$15<U13))",
		}},
		{true, whatIfFormulaSet{tierOrder: "IF(G13>=t_very_high-1E-9,1,IF(G13>=t_high-1E-9,3,4))"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("noFloor=", tt.noFloor), func(t *testing.T) {
			got := whatIfFormulas(13, 13, 15, tt.noFloor)
			if tt.noFloor {
				got = whatIfFormulaSet{tierOrder: got.tierOrder}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(whatIfFormulaSet{})); diff != "" {
				t.Errorf("formulas (-want +got):\n%s", diff)
			}
		})
	}
}
