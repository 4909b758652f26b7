package tabular

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

// sharedStrings is a workbook's shared-strings table held as one byte
// slice and the offset of each string in it: some 4 bytes per string
// beyond its text, where excelize's decoded table holds hundreds. Past
// [sharedTextInMemory] bytes of text the slice is a read-only
// memory-mapped temporary file (where the system maps files), so a
// workbook of many long answers does not hold them on the heap.
type sharedStrings struct {
	data []byte
	offs []uint32 // string i is data[offs[i]:offs[i+1]]
	// mapped is set when data is a mapping, which at returns a copy of:
	// the mapping ends when the table is closed.
	mapped bool
	unmap  func() error
}

// sharedTextInMemory is the text of shared strings held on the heap;
// more is spilled to a mapped file.
var sharedTextInMemory = 16 << 20

// len returns the number of strings.
func (t *sharedStrings) len() int { return len(t.offs) - 1 }

// at returns string i. A string of a table on the heap shares its bytes,
// which are never changed.
func (t *sharedStrings) at(i int) string {
	b := t.data[t.offs[i]:t.offs[i+1]]
	if t.mapped {
		return string(b)
	}
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// close releases a mapped table.
func (t *sharedStrings) close() error {
	if t == nil || t.unmap == nil {
		return nil
	}
	unmap := t.unmap
	t.unmap, t.data = nil, nil
	return unmap()
}

// sstBuilder collects the strings as they are read, spilling them to a
// temporary file past the limit.
type sstBuilder struct {
	data  []byte
	offs  []uint32
	size  int
	limit int
	file  *os.File
	w     *bufio.Writer
}

func (b *sstBuilder) add(s []byte) error {
	if b.size+len(s) > 1<<32-1 {
		return errorf("the workbook's shared strings are too long")
	}
	if b.file == nil && b.size+len(s) > b.limit && mappable {
		f, err := os.CreateTemp("", "surveyworker-sst-*")
		if err != nil {
			return err
		}
		// Unlinked at once where the system allows: the mapping outlives
		// the name, and a killed process leaves nothing behind.
		os.Remove(f.Name())
		b.file, b.w = f, bufio.NewWriterSize(f, 1<<20)
		if _, err := b.w.Write(b.data); err != nil {
			return err
		}
		b.data = nil
	}
	if b.file != nil {
		if _, err := b.w.Write(s); err != nil {
			return err
		}
	} else {
		b.data = append(b.data, s...)
	}
	b.size += len(s)
	b.offs = append(b.offs, uint32(b.size))
	return nil
}

// table returns the table built, mapping the spilled file if there is one.
func (b *sstBuilder) table() (*sharedStrings, error) {
	if b.file == nil {
		return &sharedStrings{data: b.data, offs: b.offs}, nil
	}
	if err := b.w.Flush(); err != nil {
		b.file.Close()
		return nil, err
	}
	data, unmap, err := mapFile(b.file, b.size)
	b.file.Close()
	if err != nil {
		return nil, err
	}
	return &sharedStrings{data: data, offs: b.offs, mapped: true, unmap: unmap}, nil
}

// discard removes a spilled file of a table not built.
func (b *sstBuilder) discard() {
	if b.file != nil {
		b.file.Close()
		os.Remove(b.file.Name())
	}
}

// The namespace of SpreadsheetML, and that of its strict variant, which
// excelize reads as the first.
const (
	spreadsheetNS       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	strictSpreadsheetNS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
)

// readSharedStrings reads a shared-strings part as excelize reads it into
// its table ([xlsxSST], each string as xlsxSI.String gives it), or
// returns errXMLUnusual for a part that strays from the usual shape in a
// way excelize might read otherwise: an <sst> root in another namespace,
// <si> anywhere but directly under it, attributes that would not decode
// as excelize's types, or XML the scanner does not handle.
func readSharedStrings(r io.Reader, maxString int) (*sharedStrings, error) {
	sc := newXMLScanner(r, maxString+64)
	b := &sstBuilder{offs: []uint32{0}, limit: sharedTextInMemory}
	ok := false
	defer func() {
		if !ok {
			b.discard()
		}
	}()
	var si siValue
	for {
		err := sc.next()
		if err == io.EOF {
			return nil, errXMLUnusual // no root element
		}
		if err != nil {
			return nil, err
		}
		if sc.kind == xmlStart {
			break
		}
	}
	if string(sc.local) != "sst" || !rootInNamespace(sc.name, sc.attrs, spreadsheetNS, strictSpreadsheetNS) ||
		!typedAttrsOK(sc.attrs, intAttr("count"), intAttr("uniqueCount")) {
		return nil, errXMLUnusual
	}
	if sc.selfClose {
		sc.next()
		ok = true
		return b.table()
	}
	for {
		if err := sc.next(); err != nil {
			if err == io.EOF {
				err = errXMLUnusual
			}
			return nil, err
		}
		switch {
		case sc.kind == xmlEnd && sc.depth() == 0:
			// The root's end: excelize's decoder reads no further.
			t, err := b.table()
			ok = err == nil
			return t, err
		case sc.kind == xmlStart && string(sc.local) == "si":
			if sc.depth() != 2 {
				return nil, errXMLUnusual
			}
			if err := si.read(sc); err != nil {
				return nil, err
			}
			if err := b.add(si.text()); err != nil {
				return nil, err
			}
		case sc.kind == xmlStart:
			if err := skipElement(sc, true); err != nil {
				return nil, err
			}
		}
	}
}

// rootInNamespace reports whether the root element name, with attributes
// attrs, is in one of the namespaces ns: its prefix (or none) bound to it
// on the root itself.
func rootInNamespace(name, attrs []byte, ns ...string) bool {
	decl := "xmlns"
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		decl = "xmlns:" + string(name[:i])
	}
	for a := range eachAttr(attrs) {
		if string(a.name) == decl {
			v := string(xmlUnescape(nil, a.value))
			for _, n := range ns {
				if v == n {
					return true
				}
			}
			return false
		}
	}
	return false
}

// skipElement reads to the end of the element whose start was the last
// token, checking that no <si> hides inside when noSI is set.
func skipElement(sc *xmlScanner, noSI bool) error {
	if sc.selfClose {
		return sc.next()
	}
	depth := sc.depth()
	for {
		if in, err := sc.within(depth); !in || err != nil {
			return err
		}
		if noSI && sc.kind == xmlStart && string(sc.local) == "si" {
			return errXMLUnusual
		}
	}
}

// siValue decodes a rich-text string element, <si> of the shared strings
// or <is> of an inline string, as encoding/xml decodes it into excelize's
// xlsxSI: the last <t> directly inside, then each run's (<r>) last <t>;
// the elements' direct text only.
type siValue struct {
	t    []byte
	hasT bool
	runs [][]byte
	nrun int
	out  []byte
}

// read decodes the element whose start was the last token, up to its end.
func (v *siValue) read(sc *xmlScanner) error {
	v.t, v.hasT, v.nrun = v.t[:0], false, 0
	return eachChild(sc, func() error {
		switch string(sc.local) {
		case "t":
			var err error
			v.t, err = elementText(sc, v.t[:0])
			v.hasT = true
			return err
		case "r":
			return v.readRun(sc)
		case "rPh":
			if !typedAttrsOK(sc.attrs, uintAttr("sb"), uintAttr("eb")) {
				return errXMLUnusual
			}
		case "phoneticPr":
			if !typedAttrsOK(sc.attrs, intAttr("fontId")) {
				return errXMLUnusual
			}
		}
		return skipElement(sc, false)
	})
}

// readRun decodes a run (<r>): its last <t>, checking the attributes of
// its properties (<rPr>) decode.
func (v *siValue) readRun(sc *xmlScanner) error {
	if v.nrun == len(v.runs) {
		v.runs = append(v.runs, nil)
	}
	run := &v.runs[v.nrun]
	v.nrun++
	*run = (*run)[:0]
	return eachChild(sc, func() error {
		switch string(sc.local) {
		case "t":
			var err error
			*run, err = elementText(sc, (*run)[:0])
			return err
		case "rPr":
			return checkRunProperties(sc)
		}
		return skipElement(sc, false)
	})
}

// eachChild calls child for each child element of the element whose
// start was the last token, up to that element's end. child is called
// with the child's start as the last token, and reads the child to its
// end.
func eachChild(sc *xmlScanner, child func() error) error {
	if sc.selfClose {
		return sc.next()
	}
	depth := sc.depth()
	for {
		if in, err := sc.within(depth); !in || err != nil {
			return err
		}
		if sc.kind != xmlStart {
			continue
		}
		if err := child(); err != nil {
			return err
		}
	}
}

// runPropertyAttrs are the typed attributes of the children of <rPr> in
// excelize's xlsxRPr, by child.
var runPropertyAttrs = map[string][]typedAttr{
	"charset": {intAttr("val")}, "family": {intAttr("val")},
	"b": {boolAttr("val")}, "i": {boolAttr("val")}, "strike": {boolAttr("val")}, "outline": {boolAttr("val")},
	"shadow": {boolAttr("val")}, "condense": {boolAttr("val")}, "extend": {boolAttr("val")},
	"sz":    {floatAttr("val")},
	"color": {boolAttr("auto"), intAttr("indexed"), intAttr("theme"), floatAttr("tint")},
}

// checkRunProperties reads a <rPr> to its end, checking its children's
// typed attributes decode.
func checkRunProperties(sc *xmlScanner) error {
	return eachChild(sc, func() error {
		if !typedAttrsOK(sc.attrs, runPropertyAttrs[string(sc.local)]...) {
			return errXMLUnusual
		}
		return skipElement(sc, false)
	})
}

// text returns the string: the <t>, then each run's, with the escapes of
// characters XML cannot hold (_xHHHH_) undone, as excelize does.
func (v *siValue) text() []byte {
	v.out = v.out[:0]
	if v.hasT {
		v.out = append(v.out, v.t...)
	}
	for _, r := range v.runs[:v.nrun] {
		v.out = append(v.out, r...)
	}
	if bytes.Contains(v.out, []byte("_x")) {
		v.out = []byte(unescapeOOXML(string(v.out)))
	}
	return v.out
}

// elementText appends to dst the direct text of the element whose start
// was the last token, decoded, up to its end: the text of elements
// nested in it is not its own, as encoding/xml decodes a string.
func elementText(sc *xmlScanner, dst []byte) ([]byte, error) {
	if sc.selfClose {
		return dst, sc.next()
	}
	depth := sc.depth()
	for {
		if in, err := sc.within(depth); !in || err != nil {
			return dst, err
		}
		if sc.kind == xmlText && sc.depth() == depth {
			dst = xmlUnescape(dst, sc.text)
		}
	}
}

// unescapeOOXML undoes the escapes "_xHHHH_" of characters an XML part
// cannot hold, as excelize's bstrUnmarshal does: "_x005F_" is "_", an
// escape of no character is dropped, and escapes are found left to right,
// none overlapping.
func unescapeOOXML(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			if s[i:i+7] == "_x005F_" {
				b.WriteByte('_')
			} else if v, err := strconv.Unquote(`"\u` + s[i+2:i+6] + `"`); err == nil {
				b.WriteString(v)
			}
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// typedAttr is an attribute excelize decodes into a number or a boolean:
// encoding/xml refuses the element when its value does not parse.
type typedAttr struct {
	local string
	ok    func(string) bool
}

func intAttr(local string) typedAttr {
	return typedAttr{local, func(s string) bool { _, err := strconv.ParseInt(s, 10, 64); return err == nil }}
}

func uintAttr(local string) typedAttr {
	return typedAttr{local, func(s string) bool { _, err := strconv.ParseUint(s, 10, 32); return err == nil }}
}

func boolAttr(local string) typedAttr {
	return typedAttr{local, func(s string) bool { _, err := strconv.ParseBool(s); return err == nil }}
}

func floatAttr(local string) typedAttr {
	return typedAttr{local, func(s string) bool { _, err := strconv.ParseFloat(s, 64); return err == nil }}
}

// typedAttrsOK reports whether every attribute of attrs named as one of
// typed decodes as encoding/xml decodes it: empty, or the trimmed value
// parsing as its type.
func typedAttrsOK(attrs []byte, typed ...typedAttr) bool {
	if len(typed) == 0 {
		return true
	}
	for a := range eachAttr(attrs) {
		for _, t := range typed {
			if string(a.local) != t.local {
				continue
			}
			v := string(xmlUnescape(nil, a.value))
			if v != "" && !t.ok(strings.TrimSpace(v)) {
				return false
			}
		}
	}
	return true
}
