package tabular

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/ingest/tabular/tabulartest"
	"github.com/surveyworker/surveyworker/internal/realworld"
)

// readResult is everything a reader gives for a workbook: how it was
// opened, every row (its number and cells) and how reading ended.
type readResult struct {
	OpenErr     string
	Sheet       string
	OtherSheets []string
	Date1904    bool
	LastRow     int64
	Rows        []string // "n: cell|cell|…", cells quoted
	EndErr      string
}

// errorText is how a result records an error: a reading *Error by its row
// and reason, the wording of its cause left out (the readers word the
// same problem each their own way).
func errorText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return "error"
}

// readWith opens path with open and reads every row, up to maxRows.
func readWith(path string, lim Limits, ch SheetChoice, open func(string, Limits, SheetChoice) (*Source, error), maxRows int) (readResult, *Source) {
	var r readResult
	src, err := open(path, lim, ch)
	if err != nil {
		r.OpenErr = errorText(err)
		return r, nil
	}
	r.Sheet, r.OtherSheets, r.Date1904, r.LastRow = src.Sheet, src.OtherSheets, src.Date1904, src.LastRow
	for len(r.Rows) < maxRows {
		n, cells, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.EndErr = errorText(err)
			break
		}
		q := make([]string, len(cells))
		for i, c := range cells {
			q[i] = fmt.Sprintf("%q", c)
		}
		r.Rows = append(r.Rows, fmt.Sprintf("%d: %s", n, strings.Join(q, "|")))
	}
	return r, src
}

// leanReadAll reads path with the lean reader and reports whether it read
// the whole sheet itself, without handing it to excelize.
func leanReadAll(path string, lim Limits, ch SheetChoice, maxRows int) (readResult, bool) {
	r, src := readWith(path, lim, ch, openXLSX, maxRows)
	if src == nil {
		return r, true
	}
	defer src.Close()
	ft, ok := src.Table.(*Replay).Table.(*fastTable)
	return r, ok && ft.slow == nil
}

// xlsxFixtures returns every workbook of the repository's test data and
// examples, and of the real-world exports.
func xlsxFixtures(t testing.TB) []string {
	var files []string
	for _, pattern := range []string{"../testdata/*.xlsx", "../../examples/inbox/*.xlsx", "testdata/*.xlsx"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return append(files, realworld.Glob(t, "exports/*/*.xlsx")...)
}

// TestLeanXLSXMatchesExcelize reads every workbook fixture with the lean
// reader and with excelize (the reader before it, and the reference) and
// compares every cell of every row, the sheet chosen, the other sheets,
// the date system, the last row and how reading ended. The lean reader
// must read each fixture itself, not hand it to excelize.
// compareReaders reads every sheet row of path with excelize and with the
// lean reader, reports any difference, and returns both readings and
// whether the lean reader read the workbook itself.
func compareReaders(t *testing.T, path string, lim Limits) (want, got readResult, lean bool) {
	t.Helper()
	want, src := readWith(path, lim, SheetChoice{}, openXLSXExcelize, 1<<30)
	if src != nil {
		src.Close()
	}
	got, lean = leanReadAll(path, lim, SheetChoice{}, 1<<30)
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("lean reader (-excelize +lean):\n%s", d)
	}
	return want, got, lean
}

func TestLeanXLSXMatchesExcelize(t *testing.T) {
	files := xlsxFixtures(t)
	if len(files) < 10 {
		t.Fatalf("found %d workbooks, want the repository's and the real-world ones", len(files))
	}
	lim := DefaultLimits
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, _, lean := compareReaders(t, path, lim)
			if !lean {
				t.Errorf("the lean reader handed the workbook to excelize")
			}
			if len(want.Rows) == 0 {
				t.Errorf("no rows read")
			}
		})
	}
}

// TestLeanXLSXCases compares the readers on workbooks built for the cell
// grammar's corners: every cell type, rich text runs, phonetic runs, a
// formula's cached value, escapes of characters XML cannot hold, entities
// and line ends, gaps in the rows and cells, rows and cells without
// references, a cell typed s whose index is not a number, and an index of
// no string; and for the XML the lean reader leaves to excelize (a
// comment, CDATA), which it must then read as excelize does.
func TestLeanXLSXCases(t *testing.T) {
	sst := `<si><t>zero</t></si><si><r><rPr><b/><sz val="11"/><color theme="1"/></rPr><t>rich </t></r><r><t xml:space="preserve">text </t></r></si>` +
		`<si><t>phonetic</t><rPh sb="0" eb="1"><t>ignored</t></rPh><phoneticPr fontId="1"/></si>` +
		`<si><t>esc_x000D__x005F_x0041_ &amp; &#x263A; &#13;line
end</t></si><si/><si><t>a</t><t>last t wins</t></si>`
	cases := []struct {
		name, sheet string
		// excelize is set when the lean reader is to hand the sheet over.
		excelize bool
	}{
		{"types", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>` +
			`<c r="D1" t="s"><v> 3 </v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>` +
			`<c r="G1" t="b"><v>1</v></c><c r="H1" t="e"><v>#N/A</v></c><c r="I1" t="str"><f>A1</f><v>x</v></c>` +
			`<c r="J1" t="d"><v>2026-11-25T09:00:00Z</v></c><c r="K1"><v>45000.25</v></c><c r="L1" s="3"><v>1e3</v></c>` +
			`<c r="M1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="N1"><f>SUM(A1)</f></c></row>`, false},
		{"gaps", `<row r="2"><c r="C2" t="inlineStr"><is><t>c</t></is></c></row><row><c t="inlineStr"><is><t>next</t></is></c><c><v>2</v></c></row>` +
			`<row r="9" spans="1:3"><c r="B9"><v>9</v></c><c r="A9"><v>back</v></c></row><row r="10"/>`, false},
		{"shared index", `<row r="1"><c r="A1" t="s"><v>abc</v></c><c r="B1" t="s"><v>99</v></c><c r="C1" t="s"><v>-1</v></c><c r="D1" t="s"><v>1</v></c></row>`, false},
		{"odd attributes", `<row r="1"><c r="A1" s="x" t="s"><v>0</v></c><c r="B1" t='inlineStr'><is><t>q&apos;d</t></is></c>` +
			`<c  r = "C1"  ><v>3</v></c></row>`, false},
		{"nested values", `<row r="1"><c r="A1"><extLst><v>inner</v></extLst></c><c r="B1"><v>one</v><v>two</v></c>` +
			`<c r="C1" t="inlineStr"><is><t>first</t></is><is><r><t> more</t></r></is></c></row>`, false},
		{"bad cell reference", `<row r="1"><c r="A1"><v>1</v></c><c r="1A"><v>2</v></c></row>`, false},
		{"bad row number", `<row r="1"><c r="A1"><v>1</v></c></row><row r="x"><c r="A2"><v>2</v></c></row>`, false},
		{"comment", `<row r="1"><c r="A1"><v>1</v></c></row><!-- note --><row r="2"><c r="A2"><v>2</v></c></row>`, true},
		{"cdata", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="str"><v><![CDATA[<x>]]></v></c></row>`, true},
		// What Excel writes around the data: namespaces at the root, and
		// after the data, extensions that bind prefixes of their own.
		{"excel tail", excelSheetPrefix + `<row r="1" spans="1:2" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c>` +
			`<c r="B1"><v>2</v></c></row></sheetData>` + excelSheetSuffix, false},
		{"row in the tail", excelSheetPrefix + `<row r="1"><c r="A1"><v>1</v></c></row></sheetData>` +
			`<extLst><ext uri="{0}" xmlns:y="urn:y"><y:row r="5"><y:c r="A5"><y:v>5</y:v></y:c></y:row></ext></extLst></worksheet>`, false},
	}
	dir := t.TempDir()
	lim := DefaultLimits
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheet := tabulartest.Sheet(c.sheet)
			if strings.HasPrefix(c.sheet, "<?xml") {
				sheet = c.sheet
			}
			b, err := tabulartest.Workbook(tabulartest.SharedStrings(sst, 1),
				tabulartest.Part{Name: "xl/worksheets/sheet1.xml", Prefix: sheet})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".xlsx")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, got, lean := compareReaders(t, path, lim)
			if lean == c.excelize {
				t.Errorf("read by the lean reader itself: %v, want %v", lean, !c.excelize)
			}
			t.Logf("%+v", got)
		})
	}
}

// excelSheetPrefix and excelSheetSuffix are the start of a worksheet as
// Excel writes it, up to its sheetData, and what Excel writes after the
// sheetData: conditional formatting and data validation of its 2010
// extensions, each binding its prefixes where it is used.
const (
	excelSheetPrefix = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
		`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" ` +
		`xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" ` +
		`xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xr:uid="{00000000-0001-0000-0000-000000000000}">` +
		`<dimension ref="A1:B1"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><cols><col min="1" max="1" width="20" customWidth="1"/></cols><sheetData>`
	excelSheetSuffix = `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>` +
		`<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">` +
		`<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">` +
		`<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Lists!$A$1:$A$5</xm:f></x14:formula1><xm:sqref>B1:B9</xm:sqref></x14:dataValidation>` +
		`</x14:dataValidations></ext><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">` +
		`<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="x14"/></mc:AlternateContent>` +
		`</ext></extLst></worksheet>`
)

// fixtureParts returns the worksheet parts of the workbook at path, each
// with its shared-strings part ("" when it has none), as seeds of
// [FuzzXLSX].
func fixtureParts(tb testing.TB, path string) [][2]string {
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	read := func(f *zip.File) string {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	var sheets []string
	sst := ""
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		switch {
		case name == sharedStringsPart:
			sst = read(f)
		case isSheetPart(name) && strings.HasPrefix(name, "xl/worksheets/"):
			sheets = append(sheets, read(f))
		}
	}
	seeds := make([][2]string, len(sheets))
	for i, sheet := range sheets {
		seeds[i] = [2]string{shorten(sheet, "</row>", "</sheetData>"), shorten(sst, "</si>", "</sst>")}
	}
	return seeds
}

// maxFuzzPart is the largest part FuzzXLSX reads: large enough for the
// fixtures' first rows, small enough for the fuzzer to run thousands of
// workbooks in its few seconds of make test.
const maxFuzzPart = 16 << 10

// shorten returns an XML part longer than maxFuzzPart cut after the last
// element ending in end that fits, and the part from the first tail on:
// a worksheet's first rows, or the first shared strings (the cells citing
// later ones are blank, as both readers read them).
func shorten(part, end, tail string) string {
	t := strings.Index(part, tail)
	if len(part) <= maxFuzzPart || t < 0 {
		return part
	}
	cut := strings.LastIndex(part[:maxFuzzPart-len(part)+t], end)
	if cut < 0 {
		return part
	}
	return part[:cut+len(end)] + part[t:]
}

// FuzzXLSX builds a workbook of a worksheet part and a shared-strings
// part as the fuzzer mutates them and reads it with the lean reader and
// with excelize: both must give the same sheet, rows, cells and end, or
// both refuse the workbook. A workbook excelize panics on is not compared,
// but the lean reader must not panic on it. The seeds are a few workbooks
// of the cell grammar's corners and the worksheets and shared strings of
// every workbook fixture (see [xlsxFixtures]), so that plain go test runs
// the comparison on each of them as built here too.
func FuzzXLSX(f *testing.F) {
	for _, path := range xlsxFixtures(f) {
		for _, seed := range fixtureParts(f, path) {
			f.Add(seed[0], seed[1])
		}
	}
	f.Add(tabulartest.Sheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Which practice?</t></is></c></row>`),
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Timestamp</t></si></sst>`)
	f.Add(tabulartest.Sheet(`<row r="2"><c r="C2" t="s"><v>1</v></c><c><f>A1</f><v>x</v></c></row><row><c r="A9" s="1"><v>3.5</v></c></row>`),
		`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2"><si><r><rPr><b/></rPr><t>a</t></r><r><t>b_x000D_</t></r></si><si><t xml:space="preserve"> c &amp; d </t></si></sst>`)
	f.Add(`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="str"><x:v>p&#10;q</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`)
	dir := f.TempDir()
	lim := DefaultLimits
	n := 0
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		if len(sheet) > maxFuzzPart || len(sst) > maxFuzzPart {
			return
		}
		b, err := tabulartest.Workbook(tabulartest.Part{Name: "xl/sharedStrings.xml", Prefix: sst},
			tabulartest.Part{Name: "xl/worksheets/sheet1.xml", Prefix: sheet})
		if err != nil {
			t.Fatal(err)
		}
		n++
		path := filepath.Join(dir, fmt.Sprintf("fuzz-%d.xlsx", n))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		want, ok := excelizeResult(path, lim)
		got, _ := leanReadAll(path, lim, SheetChoice{}, 10_000)
		if !ok {
			return
		}
		if want.OpenErr != "" && got.OpenErr != "" {
			return // both refuse it
		}
		if strings.Contains(got.OpenErr+got.EndErr, errTooDeep.Error()) {
			return // refused by a limit of the lean reader's own
		}
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("lean reader (-excelize +lean):\n%s\nsheet: %q\nshared strings: %q", d, sheet, sst)
		}
	})
}

// excelizeResult reads path with excelize, reporting false when excelize
// panics on it.
func excelizeResult(path string, lim Limits) (r readResult, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, src := readWith(path, lim, SheetChoice{}, openXLSXExcelize, 10_000)
	if src != nil {
		src.Close()
	}
	return r, true
}

// TestLeanXLSXMappedSharedStrings reads every workbook fixture with the
// shared strings spilled to a mapped file from their first bytes, and
// compares it with excelize as TestLeanXLSXMatchesExcelize does.
func TestLeanXLSXMappedSharedStrings(t *testing.T) {
	if !mappable {
		t.Skip("files are not mapped on this system")
	}
	defer func(n int) { sharedTextInMemory = n }(sharedTextInMemory)
	sharedTextInMemory = 16
	lim := DefaultLimits
	mapped := 0
	for _, path := range xlsxFixtures(t) {
		want, src := readWith(path, lim, SheetChoice{}, openXLSXExcelize, 1<<30)
		if src != nil {
			src.Close()
		}
		got, src := readWith(path, lim, SheetChoice{}, openXLSX, 1<<30)
		if src != nil {
			if ft, ok := src.Table.(*Replay).Table.(*fastTable); ok && ft.wb.sst != nil && ft.wb.sst.mapped {
				mapped++
			}
			src.Close()
		}
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("%s: lean reader, strings mapped (-excelize +lean):\n%s", filepath.Base(path), d)
		}
	}
	if mapped < 5 {
		t.Errorf("%d workbooks had their shared strings mapped, want most", mapped)
	}
}
