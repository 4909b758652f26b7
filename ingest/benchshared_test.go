package ingest

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// sharedWorkbook writes a workbook as Microsoft Forms and Google Sheets
// write them: every text cell a shared string (t="s"), times as date-styled
// serial numbers, a dimension. excelize's StreamWriter, which writes the
// benchmark's other workbook, writes inline strings, a shape no platform
// exports. The sheet is written to a temporary file as rows come, and
// the shared strings, each once in the order first met, after.
type sharedWorkbook struct {
	path    string
	tmp     *os.File
	sheet   *bufio.Writer
	strings map[string]int
	order   []string
	rows    int
	width   int
	cell    []byte
}

func newSharedWorkbook(path string) (*sharedWorkbook, error) {
	tmp, err := os.CreateTemp("", "bench-sheet-*.xml")
	if err != nil {
		return nil, err
	}
	return &sharedWorkbook{path: path, tmp: tmp, sheet: bufio.NewWriterSize(tmp, 1<<20), strings: map[string]int{}}, nil
}

// row writes one row of values: strings (shared), ints, times (date
// styled) and nil (no cell).
func (w *sharedWorkbook) row(values []any) {
	w.rows++
	w.width = max(w.width, len(values))
	b := append(w.cell[:0], `<row r="`...)
	b = strconv.AppendInt(b, int64(w.rows), 10)
	b = append(b, `">`...)
	for i, v := range values {
		ref, _ := excelize.CoordinatesToCellName(i+1, w.rows)
		switch v := v.(type) {
		case nil:
			continue
		case string:
			if v == "" {
				continue
			}
			idx, ok := w.strings[v]
			if !ok {
				idx = len(w.order)
				w.strings[v] = idx
				w.order = append(w.order, v)
			}
			b = append(append(append(b, `<c r="`...), ref...), `" t="s"><v>`...)
			b = append(strconv.AppendInt(b, int64(idx), 10), `</v></c>`...)
		case int:
			b = append(append(append(b, `<c r="`...), ref...), `"><v>`...)
			b = append(strconv.AppendInt(b, int64(v), 10), `</v></c>`...)
		case time.Time:
			serial, _ := excelizeSerial(v)
			b = append(append(append(b, `<c r="`...), ref...), `" s="1"><v>`...)
			b = append(strconv.AppendFloat(b, serial, 'f', -1, 64), `</v></c>`...)
		}
	}
	w.cell = append(b, `</row>`...)
	w.sheet.Write(w.cell)
}

// excelizeSerial returns t as an Excel serial date of the 1900 system.
func excelizeSerial(t time.Time) (float64, error) {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	return t.Sub(epoch).Hours() / 24, nil
}

// close writes the workbook and removes the temporary sheet.
func (w *sharedWorkbook) close() error {
	defer os.Remove(w.tmp.Name())
	defer w.tmp.Close()
	if err := w.sheet.Flush(); err != nil {
		return err
	}
	f, err := os.Create(w.path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	last, _ := excelize.CoordinatesToCellName(max(w.width, 1), max(w.rows, 1))
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Form1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="m/d/yy h:mm"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
	}
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		io.WriteString(pw, p.body)
	}
	sw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	fmt.Fprintf(sw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:%s"/><sheetData>`, last)
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(sw, w.tmp); err != nil {
		return err
	}
	io.WriteString(sw, `</sheetData></worksheet>`)
	ssw, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(ssw, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(w.order), len(w.order))
	for _, s := range w.order {
		space := ""
		if strings.TrimSpace(s) != s || strings.Contains(s, "\n") {
			space = ` xml:space="preserve"`
		}
		bw.WriteString("<si><t" + space + ">")
		xml.EscapeText(bw, []byte(s))
		bw.WriteString("</t></si>")
	}
	bw.WriteString(`</sst>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
