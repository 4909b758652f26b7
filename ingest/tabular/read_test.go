package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/internal/realworld"
)

// exampleXLSX is the example Microsoft Forms workbook.
const exampleXLSX = "../../examples/inbox/practice-it-priorities-microsoft-forms.xlsx"

// readAllRows fingerprints and opens a file and returns every row.
func readAllRows(t *testing.T, path string, lim Limits) ([][]string, *Source, error) {
	t.Helper()
	info, err := Fingerprint(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := Open(path, info, lim.OrDefaults(), SheetChoice{}, nil)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	var out [][]string
	for {
		_, cells, err := src.Next()
		if err == io.EOF {
			return out, src, nil
		}
		if err != nil {
			return out, src, err
		}
		out = append(out, cells)
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCSVDecoding(t *testing.T) {
	want := [][]string{{"Timestamp", "Practice"}, {"1/2/2026", "Jericho, \"Canal\"\nSurgery"}}
	tests := []struct {
		name, in, enc, delim string
	}{
		{"plain", "Timestamp,Practice\n1/2/2026,\"Jericho, \"\"Canal\"\"\nSurgery\"", EncUTF8, ","},
		{"BOM keeps the first header", "\uFEFFTimestamp,Practice\r\n1/2/2026,\"Jericho, \"\"Canal\"\"\nSurgery\"\r\n", EncUTF8BOM, ","},
		{"semicolons, trailing blank line", "Timestamp;Practice\r\n1/2/2026;\"Jericho, \"\"Canal\"\"\nSurgery\"\r\n\r\n", EncUTF8, ";"},
		{"tabs", "Timestamp\tPractice\n1/2/2026\t\"Jericho, \"\"Canal\"\"\nSurgery\"\n", EncUTF8, "\t"},
		{"quoted delimiters in the header do not count", "\"a;b;c\",Practice\n1/2/2026,x\n", EncUTF8, ","},
		{"a title row with commas above semicolons", "Practice survey, Oxford, 2026\r\nTimestamp;Practice\r\n1/2/2026;\"Jericho, \"\"Canal\"\"\nSurgery\"\r\n", EncUTF8, ";"},
		{"a title row with semicolons above tabs", "Survey; Oxford\nTimestamp\tPractice\n1/2/2026\t\"Jericho, \"\"Canal\"\"\nSurgery\"\n", EncUTF8, "\t"},
		{"commas in unquoted free text of a semicolon file", "Timestamp;Practice;Comment\n1/2/2026;x;a, b, c, d\n2/2/2026;y;e, f, g\n", EncUTF8, ";"},
	}
	for _, tt := range tests {
		rows, src, err := readAllRows(t, writeTemp(t, "x.csv", []byte(tt.in)), Limits{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if src.Encoding != tt.enc || src.Delimiter != tt.delim {
			t.Errorf("%s: encoding %q delimiter %q, want %q %q", tt.name, src.Encoding, src.Delimiter, tt.enc, tt.delim)
		}
		if format := map[bool]string{true: FormatTSV, false: FormatCSV}[tt.delim == "\t"]; src.Format != format {
			t.Errorf("%s: format %q, want %q", tt.name, src.Format, format)
		}
		if strings.HasPrefix(tt.name, "quoted") || strings.HasPrefix(tt.name, "commas") {
			continue
		}
		if strings.HasPrefix(tt.name, "a title row") {
			rows = rows[1:] // the title row is the header detection's to skip
		}
		if diff := gocmp.Diff(want, rows); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestCSVSpectrum checks the csv-spectrum edge cases parse to their
// expected JSON (header row as keys, every value a string). One difference
// is deliberate: a line break inside a quoted cell is read as "\n" even
// when the file wrote "\r\n" (encoding/csv normalises it), so stored text
// has one kind of line break.
func TestCSVSpectrum(t *testing.T) {
	for _, f := range realworld.Glob(t, "csv-spectrum/csvs/*.csv") {
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		t.Run(name, func(t *testing.T) {
			rows, _, err := readAllRows(t, f, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var got []map[string]string
			for _, r := range rows[1:] {
				m := map[string]string{}
				for i, h := range rows[0] {
					m[h] = r[i]
				}
				got = append(got, m)
			}
			b, err := os.ReadFile(realworld.Path(t, "csv-spectrum/json/"+name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			for _, m := range want {
				for k, v := range m {
					m[k] = strings.ReplaceAll(v, "\r\n", "\n")
				}
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestUTF8ValidatorAcrossWrites(t *testing.T) {
	text := []byte("Caf\u00e9 \u2019quoted\u2019 \U0001F600 end")
	for split := 0; split <= len(text); split++ {
		v := &utf8Validator{bad: -1}
		v.Write(text[:split])
		v.Write(text[split:])
		if bad := v.finish(); bad != -1 {
			t.Errorf("split at %d: invalid at %d", split, bad)
		}
	}
	bad := append(append([]byte("abc"), 0xE2, 0x80), 'x') // truncated sequence
	for split := 0; split <= len(bad); split++ {
		v := &utf8Validator{bad: -1}
		v.Write(bad[:split])
		v.Write(bad[split:])
		if got := v.finish(); got != 3 {
			t.Errorf("split at %d: invalid at %d, want 3", split, got)
		}
	}
}

// TestHostileFiles checks that files built to hurt are rejected quickly
// with a reason, never a panic.
func TestHostileFiles(t *testing.T) {
	valid, err := os.ReadFile(exampleXLSX)
	if err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxRecordBytes: 64 << 10, MaxColumns: 500, MaxUnzipBytes: 4 << 20, MaxXMLInMemory: 1 << 20}
	header := "Timestamp,Priority [Cyber Security]\n"
	tests := []struct{ name, file, want string }{
		{"binary named .csv", writeTemp(t, "x.csv", bytes.Repeat([]byte{0, 1, 2, 3, 0xFF, 'a'}, 500)), "binary"},
		{"empty", writeTemp(t, "x.csv", nil), "empty"},
		{"legacy xls", writeTemp(t, "x.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)), "Excel 97-2003"},
		{"truncated zip", writeTemp(t, "x.xlsx", valid[:len(valid)/2]), "cannot be opened"},
		{"decompression bomb", writeTemp(t, "x.xlsx", zipBomb(t, 16<<20)), "size limit"},
		{"huge cell", writeTemp(t, "x.csv", []byte(header+"1/1/2026,\""+strings.Repeat("x", 1<<20)+"\"\n")), "longer than"},
		{"endless quoted cell", writeTemp(t, "x.csv", []byte(header+"1/1/2026,\""+strings.Repeat("x\n", 1<<19))), "longer than"},
		{"too many columns", writeTemp(t, "x.csv", []byte(strings.Repeat("a,", 2000)+"a\n")), "columns"},
	}
	for _, tt := range tests {
		_, _, err := readAllRows(t, tt.file, lim)
		var rej *Error
		if !errors.As(err, &rej) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a rejection mentioning %q", tt.name, err, tt.want)
		}
	}
}

// zipBomb returns a zip whose worksheet unzips to n bytes.
func zipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte(" "), n))
	zw.Close()
	return buf.Bytes()
}

// TestHostileFilesDefaultLimits checks the hostile files of the intake
// requirements at full size against the default limits: a 10 MB single
// cell and 100,000 columns, in CSV and in a workbook.
func TestHostileFilesDefaultLimits(t *testing.T) {
	valid, err := os.ReadFile(exampleXLSX)
	if err != nil {
		t.Fatal(err)
	}
	var wide strings.Builder
	wide.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`)
	for i := 0; i < 100_000; i++ {
		// Distinct cells, so the part compresses as data does, not as a
		// bomb of repeated markup.
		fmt.Fprintf(&wide, `<c t="inlineStr"><is><t>q%d</t></is></c>`, i*7919%100_003)
	}
	wide.WriteString(`</row></sheetData></worksheet>`)
	header := "Timestamp,Priority [Cyber Security]\n"
	tests := []struct{ name, file, want string }{
		{"10 MB cell", writeTemp(t, "x.csv", []byte(header+"1/1/2026,\""+strings.Repeat("x", 10<<20)+"\"\n")), "longer than"},
		{"100,000 columns", writeTemp(t, "x.csv", []byte(strings.Repeat("a,", 99_999)+"a\n")), "columns"},
		{"100,000 columns in a workbook", writeTemp(t, "x.xlsx", replaceSheet(t, valid, wide.String())), "columns"},
	}
	for _, tt := range tests {
		_, _, err := readAllRows(t, tt.file, Limits{})
		var rej *Error
		if !errors.As(err, &rej) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a rejection mentioning %q", tt.name, err, tt.want)
		}
	}
}

// replaceSheet returns the workbook xlsx with its first worksheet's XML
// replaced by sheet.
func replaceSheet(t *testing.T, xlsx []byte, sheet string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			w.Write([]byte(sheet))
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, r)
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnzipLimitScalesWithFileSize checks that a workbook may unzip past
// MaxUnzipBytes by an ordinary compression ratio, while a bomb, which
// compresses by a thousand to one, is still rejected.
func TestUnzipLimitScalesWithFileSize(t *testing.T) {
	lim := Limits{MaxUnzipBytes: 1 << 10, MaxUnzipRatio: 100, MaxXMLInMemory: 1 << 10}
	if _, _, err := readAllRows(t, exampleXLSX, lim); err != nil {
		t.Errorf("example workbook over 1 KB unzipped but within 100 times its size: %v", err)
	}
	bomb := writeTemp(t, "x.xlsx", zipBomb(t, 16<<20))
	var rej *Error
	if _, _, err := readAllRows(t, bomb, lim); !errors.As(err, &rej) || !strings.Contains(err.Error(), "size limit") {
		t.Errorf("bomb: got %v, want a rejection for the size limit", err)
	}
}
