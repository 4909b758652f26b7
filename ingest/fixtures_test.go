package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/survey"
)

// Generated fixtures: go test -run TestFixtures -update rewrites them; without
// -update the committed files must match what the generators produce.

// quirksSheet is a Microsoft Forms sheet with what a hand-edited workbook
// may hold: a title row, inline strings, a formula with its cached value,
// a number for an answer, dates as serials of the 1904 date system and a
// note typed beside the data.
var quirksSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Practice IT survey: responses</t></is></c></row>
<row r="2">%s</row>
<row r="3"><c r="A3"><v>7</v></c><c r="B3"><v>44888.4375</v></c><c r="C3"><v>44888.44097222222</v></c>` +
	`<c r="D3" t="inlineStr"><is><t>anonymous</t></is></c>` +
	`<c r="F3" t="inlineStr"><is><t>Banbury Cross Health Centre</t></is></c>` +
	`<c r="G3" t="str"><f>IF(1=1,"Very high","Low")</f><v>Very high</v></c>` +
	`<c r="H3"><v>4</v></c><c r="I3" t="inlineStr"><is><t>Not a priority</t></is></c></row>
<row r="5"><c r="A5"><v>8</v></c><c r="B5"><v>44889.5</v></c><c r="C5"><v>44889.5</v></c>` +
	`<c r="F5" t="inlineStr"><is><t>K84515</t></is></c><c r="G5" t="inlineStr"><is><t>Low</t></is></c>` +
	`<c r="L5" t="inlineStr"><is><t>called back 25/11</t></is></c></row>
</sheetData></worksheet>`

var quirksHeader = []string{"ID", "Start time", "Completion time", "Email", "Name", "Which practice?",
	"Cyber Security", "Printing", "Desktop"}

// quirksXLSX builds the workbook: an empty first sheet, then the data.
func quirksXLSX() []byte { return quirksWorkbook(quirksSheet) }

// quirksWorkbook builds the workbook with sheet, a variant of quirksSheet,
// for the data.
func quirksWorkbook(sheet string) []byte {
	var cells strings.Builder
	for i, h := range quirksHeader {
		fmt.Fprintf(&cells, `<c r="%s2" t="inlineStr"><is><t>%s</t></is></c>`, columnLetter(i), h)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Form1" sheetId="2" r:id="rId2"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`},
		{"xl/worksheets/sheet2.xml", fmt.Sprintf(sheet, cells.String())},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	zw.Close()
	return buf.Bytes()
}

// generated lists every generated file and its generator.
func generated(t *testing.T) map[string][]byte {
	cat := survey.DefaultCatalogue()
	xlsx, err := exampleMSFormsXLSX(cat)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"testdata/msforms_quirks.xlsx":                                  quirksXLSX(),
		"testdata/surveymonkey_priorities.xlsx":                         surveyMonkeyXLSX(t),
		"testdata/smartsurvey_priorities.xlsx":                          smartSurveyXLSX(t),
		"testdata/google_forms_sheet.xlsx":                              googleSheetXLSX(t),
		"../examples/inbox/practice-it-priorities-google-forms.csv":     exampleGoogleCSV(cat),
		"../examples/inbox/practice-it-priorities-microsoft-forms.xlsx": xlsx,
	}
}

// TestFixtures checks the committed generated files are up to date.
func TestFixtures(t *testing.T) {
	for path, want := range generated(t) {
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what its generator writes; run go test -run TestFixtures -update", path)
		}
	}
}
