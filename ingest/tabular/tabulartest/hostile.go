// Package tabulartest builds hostile files for the tests of readers:
// workbooks whose parts inflate to far more than their size, made in
// milliseconds however large they inflate.
package tabulartest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// Part is one part of a workbook: Prefix, then Chunk repeated Repeat
// times, then Suffix.
type Part struct {
	Name           string
	Prefix, Suffix string
	Chunk          []byte
	Repeat         int
}

// Size returns the number of bytes the part inflates to.
func (p Part) Size() int64 {
	return int64(len(p.Prefix)) + int64(len(p.Chunk))*int64(p.Repeat) + int64(len(p.Suffix))
}

// Workbook returns a workbook of one sheet, "Sheet1", made of the usual
// parts and those given, which replace a usual part of the same name. A
// shared-strings part is linked from the workbook when one is given.
func Workbook(parts ...Part) ([]byte, error) {
	all := []Part{
		{Name: "[Content_Types].xml", Prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{Name: "_rels/.rels", Prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{Name: "xl/workbook.xml", Prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{Name: "xl/_rels/workbook.xml.rels", Prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{Name: "xl/worksheets/sheet1.xml", Prefix: Sheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Which practice?</t></is></c></row>`)},
	}
	for _, p := range parts {
		replaced := false
		for i := range all {
			if all[i].Name == p.Name {
				all[i], replaced = p, true
			}
		}
		if !replaced {
			all = append(all, p)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range all {
		if err := writePart(zw, p); err != nil {
			return nil, fmt.Errorf("part %s: %w", p.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Sheet returns worksheet XML holding rows, the XML of its rows.
func Sheet(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		rows + `</sheetData></worksheet>`
}

// SharedStrings returns a shared-strings part of Repeat times the strings
// of chunk, which holds "<si>…</si>" elements.
func SharedStrings(chunk string, repeat int) Part {
	return Part{Name: "xl/sharedStrings.xml",
		Prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`,
		Chunk:  []byte(chunk), Repeat: repeat, Suffix: `</sst>`}
}

// Strings returns n shared strings "<si><t>PREFIXi</t></si>", distinct.
func Strings(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<si><t>%s%d</t></si>", prefix, i)
	}
	return b.String()
}

// writePart deflates the part, its chunk once: the chunk's deflate blocks
// are written as many times as it repeats, which a reader inflates to as
// many copies, since a fresh compressor's blocks refer to nothing before
// them. A small chunk is first repeated into a block of about a megabyte,
// so that the blocks' own overhead does not count.
func writePart(zw *zip.Writer, p Part) error {
	per := 1
	if len(p.Chunk) > 0 {
		per = max(1, (1<<20)/len(p.Chunk))
	}
	per = min(per, max(p.Repeat, 1))
	blocks, rest := p.Repeat/per, p.Repeat%per
	var pieces [][]byte
	var counts []int
	for _, piece := range []struct {
		text  []byte
		times int
		last  bool
	}{
		{[]byte(p.Prefix), 1, false},
		{bytes.Repeat(p.Chunk, per), blocks, false},
		{bytes.Repeat(p.Chunk, rest), 1, false},
		{[]byte(p.Suffix), 1, true},
	} {
		d, err := deflate(piece.text, piece.last)
		if err != nil {
			return err
		}
		pieces, counts = append(pieces, d), append(counts, piece.times)
	}
	crc := crc32.Update(0, crc32.IEEETable, []byte(p.Prefix))
	block := bytes.Repeat(p.Chunk, per)
	for range blocks {
		crc = crc32.Update(crc, crc32.IEEETable, block)
	}
	crc = crc32.Update(crc, crc32.IEEETable, bytes.Repeat(p.Chunk, rest))
	crc = crc32.Update(crc, crc32.IEEETable, []byte(p.Suffix))
	var size uint64
	for i, d := range pieces {
		size += uint64(len(d)) * uint64(counts[i])
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: p.Name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: size, UncompressedSize64: uint64(p.Size())})
	if err != nil {
		return err
	}
	for i, d := range pieces {
		for range counts[i] {
			if _, err := w.Write(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// deflate compresses b with a fresh compressor, ending byte-aligned:
// flushed, or closed when last.
func deflate(b []byte, last bool) ([]byte, error) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(b); err != nil {
		return nil, err
	}
	if last {
		err = fw.Close()
	} else {
		err = fw.Flush()
	}
	return buf.Bytes(), err
}

// Inflate returns every byte of the part called name in the workbook xlsx,
// for checking a built workbook; w receives them.
func Inflate(xlsx []byte, name string, w io.Writer) error {
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.Copy(w, rc)
			return err
		}
	}
	return fmt.Errorf("no part %s", name)
}
