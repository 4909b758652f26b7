package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// TestWorkbookComments checks the Comments sheet of the fixture: every
// comment as stored, the workstream its question names, the federation and
// role, file and row, in a table; text that starts like a formula stays
// text.
func TestWorkbookComments(t *testing.T) {
	fx := newFixture(t)
	f := writeAndOpen(t, fx.in)
	rows, err := f.GetRows(SheetComments)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(CommentsHeader, rows[commentsHeaderRow-1]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	body := rows[commentsHeaderRow:]
	if len(body) != len(fixtureComments)+1 {
		t.Fatalf("%d comment rows, want %d:\n%q", len(body), len(fixtureComments)+1, body)
	}
	telephony := "Telephony (VOIP, Unified Communications)"
	want := []string{telephony, "City", fixtureRoles[2], fixtureComments[1], "Anything else about " + telephony + "?", "second-wave.csv", "3"}
	if diff := cmp.Diff(want, body[1]); diff != "" {
		t.Errorf("second comment (-want +got):\n%s", diff)
	}
	if body[0][0] != "" || body[0][4] != "Any other comments?" {
		t.Errorf("first comment %q: want no workstream for a question that names none", body[0])
	}
	last := body[len(body)-1]
	if last[1] != "" || last[3] != "=1+1" || last[2] != "GP" {
		t.Errorf("unmatched respondent's comment = %q, want no federation", last)
	}
	for i, r := range body {
		ref := cell(4, commentsHeaderRow+1+i)
		if formula, _ := f.GetCellFormula(SheetComments, ref); formula != "" {
			t.Errorf("%s is the formula %q", ref, formula)
		}
		if looksLikeFormula(r[3]) && !quotePrefix(t, f, SheetComments, ref) {
			t.Errorf("%s holds %q without quotePrefix", ref, r[3])
		}
		if typ, _ := f.GetCellType(SheetComments, ref); typ != excelize.CellTypeInlineString {
			t.Errorf("%s: cell type %v, want an inline string", ref, typ)
		}
	}
	parts := zipParts(t, writeToTemp(t, fx.in))
	var table string
	for name, b := range parts {
		if strings.HasPrefix(name, "xl/tables/") && strings.Contains(string(b), `name="CommentsTable"`) {
			table = string(b)
		}
	}
	if !strings.Contains(table, `ref="A4:G12"`) {
		t.Errorf("Comments table is not A4:G12:\n%s", table)
	}
}

// TestWorkbookNoComments checks the Comments sheet when none was received.
func TestWorkbookNoComments(t *testing.T) {
	rows, err := writeAndOpen(t, sampleInput()).GetRows(SheetComments)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[len(rows)-1]; len(got) != 1 || got[0] != "No free-text comments have been received." {
		t.Errorf("last row %q, want a line saying there are none", got)
	}
}
