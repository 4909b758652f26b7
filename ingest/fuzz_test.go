package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/ingest/tabular/tabulartest"
)

// FuzzParse feeds arbitrary bytes through the whole reading path
// (fingerprint, decoding, CSV or XLSX, detection, mapping) and checks that
// it never panics and fails only with a *RejectError.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.*")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, b := range hostileSeeds(f) {
		f.Add(b)
	}
	in := New(nil, Options{HMACKey: testKey, Limits: Limits{Limits: tabular.Limits{MaxRecordBytes: 64 << 10,
		MaxUnzipBytes: 8 << 20, MaxSharedStrings: 1000, MaxSharedStringsBytes: 1 << 20}}})
	ps := testPractices(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := parseRows(in, path, ps)
		var rej *RejectError
		if err != nil && !errors.As(err, &rej) {
			t.Errorf("error is not a rejection: %v", err)
		}
	})
}

// hostileSeeds returns small workbooks of the shapes that hurt readers,
// for the limits of [FuzzParse]: shared strings or a worksheet inflating
// a thousand times over, too many shared strings, one too long, and a row
// citing a long string many times.
func hostileSeeds(f *testing.F) [][]byte {
	f.Helper()
	sheet := func(rows string) tabulartest.Part {
		return tabulartest.Part{Name: "xl/worksheets/sheet1.xml", Prefix: tabulartest.Sheet(rows)}
	}
	shapes := [][]tabulartest.Part{
		{tabulartest.SharedStrings("<si><t>Timestamp</t></si>", 1_000_000)},
		{tabulartest.SharedStrings(tabulartest.Strings("", 2000), 1)},
		{tabulartest.SharedStrings("<si><t>"+strings.Repeat("Jericho ", 10_000)+"</t></si>", 1)},
		{tabulartest.SharedStrings("<si><t>Which practice?</t></si><si><t>"+strings.Repeat("x", 30_000)+"</t></si>", 1),
			sheet(`<row r="1"><c t="s"><v>0</v></c></row><row r="2">` + strings.Repeat(`<c t="s"><v>1</v></c>`, 100) + `</row>`)},
		{{Name: "xl/worksheets/sheet1.xml", Prefix: `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`,
			Chunk: []byte(`<c t="inlineStr"><is><t>Timestamp</t></is></c>`), Repeat: 500_000, Suffix: `</row></sheetData></worksheet>`}},
	}
	var out [][]byte
	for _, parts := range shapes {
		b, err := tabulartest.Workbook(parts...)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
