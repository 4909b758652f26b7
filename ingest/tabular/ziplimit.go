package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// A workbook is a zip of XML parts, and a few kilobytes of zip can inflate
// to gigabytes. Every part is therefore checked here before any reader
// inflates it: its declared size, the ratio of that size to its compressed
// size, the total, and the shared-strings part, which readers hold in
// memory, by its size and the number and length of its strings. A reader
// of workbooks opens parts only through [openLimited], so a part that
// declares less than it holds is cut off at what it declared (archive/zip
// checks that too). These are the checks a replacement for the XLSX
// reader keeps; see [checkWorkbook].

// ratioFloor is the inflated size below which a part's compression ratio
// is not checked: small parts (styles, themes) of repeated markup compress
// far better than data, and cannot hurt.
const ratioFloor = 1 << 20

// sharedStringsPart is the name of the shared-strings part.
const sharedStringsPart = "xl/sharedstrings.xml"

// workbookParts is what [checkWorkbook] learnt about a workbook's parts.
type workbookParts struct {
	// unzip is the most the whole workbook may inflate to.
	unzip int64
	// sharedStrings is the number of shared strings, and sharedBytes the
	// size of their part; sharedLen is each string's size in the part.
	sharedStrings int
	sharedBytes   int64
	sharedLen     []int32
	// worksheets are the worksheet parts.
	worksheets []*zip.File
}

// unzipLimit returns the most a workbook of fileSize bytes may inflate
// to: MaxUnzipBytes, or MaxUnzipRatio times its size when that is more.
func unzipLimit(fileSize int64, lim Limits) int64 {
	unzip := lim.MaxUnzipBytes
	if fileSize <= math.MaxInt64/max(lim.MaxUnzipRatio, 1) {
		unzip = max(unzip, fileSize*lim.MaxUnzipRatio)
	}
	return unzip
}

// checkWorkbook checks the parts of the open zip zr, of fileSize bytes,
// against lim, inflating only the shared strings (up to their limit) to
// count them. A workbook beyond a limit is an *Error naming it.
func checkWorkbook(zr *zip.Reader, fileSize int64, lim Limits) (workbookParts, error) {
	wp := workbookParts{unzip: unzipLimit(fileSize, lim)}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > uint64(wp.unzip) {
		return wp, &Error{Reason: "the workbook unzips to more than the size limit (a decompression bomb?)",
			Err: fmt.Errorf("%s declared, limit %s", byteSize(total), byteSize(uint64(wp.unzip)))}
	}
	var sst *zip.File
	for _, f := range zr.File {
		if err := checkRatio(f, lim); err != nil {
			return wp, err
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		switch {
		case name == sharedStringsPart:
			sst = f
		case strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml"):
			wp.worksheets = append(wp.worksheets, f)
		}
	}
	if sst == nil {
		return wp, nil
	}
	if sst.UncompressedSize64 > uint64(lim.MaxSharedStringsBytes) {
		return wp, errorf("the workbook's shared strings unzip to %s, more than the limit of %s",
			byteSize(sst.UncompressedSize64), byteSize(uint64(lim.MaxSharedStringsBytes)))
	}
	var err error
	wp.sharedLen, err = countSharedStrings(sst, lim)
	wp.sharedStrings, wp.sharedBytes = len(wp.sharedLen), int64(sst.UncompressedSize64)
	return wp, err
}

// checkRatio refuses a part that inflates more than MaxUnzipRatio times
// its compressed size, when it inflates past ratioFloor.
func checkRatio(f *zip.File, lim Limits) error {
	if f.UncompressedSize64 < ratioFloor {
		return nil
	}
	ratio := f.UncompressedSize64 / max(f.CompressedSize64, 1)
	if ratio <= uint64(lim.MaxUnzipRatio) {
		return nil
	}
	return errorf("the workbook's part %s unzips to %s from %s, %d times its size, more than the size limit of %d times (a decompression bomb?)",
		f.Name, byteSize(f.UncompressedSize64), byteSize(f.CompressedSize64), ratio, lim.MaxUnzipRatio)
}

// errPartTooLarge is read from a part that holds more than it declared or
// than its reader allows.
var errPartTooLarge = errors.New("the part holds more than its declared size")

// openLimited opens the part f for reading, failing once more than its
// declared size, or max bytes when max is smaller, have come out of it.
func openLimited(f *zip.File, max int64) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	n := int64(min(f.UncompressedSize64, uint64(math.MaxInt64)))
	return &limitedPart{rc: rc, left: min(n, max)}, nil
}

// limitedPart is a part's reader that fails past its limit.
type limitedPart struct {
	rc   io.ReadCloser
	left int64
}

func (p *limitedPart) Read(b []byte) (int, error) {
	if p.left <= 0 {
		// One byte more would tell a part at its limit from one past it.
		var one [1]byte
		if n, _ := p.rc.Read(one[:]); n > 0 {
			return 0, errPartTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.rc.Read(b)
	p.left -= int64(n)
	return n, err
}

func (p *limitedPart) Close() error { return p.rc.Close() }

// countSharedStrings reads the shared-strings part f and returns the size
// of each string's element ("<si>…</si>", an upper bound of its text),
// refusing more than MaxSharedStrings strings or a string longer than
// MaxRecordBytes: no row could hold it.
func countSharedStrings(f *zip.File, lim Limits) ([]int32, error) {
	rc, err := openLimited(f, lim.MaxSharedStringsBytes)
	if err != nil {
		return nil, &Error{Reason: "the workbook's shared strings cannot be read", Err: err}
	}
	defer rc.Close()
	var lens []int32
	s := newTagScanner(rc)
	start := int64(-1)
	for {
		name, _, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &Error{Reason: "the workbook's shared strings cannot be read", Err: err}
		}
		switch name {
		case "si":
			start = s.tagStart
		case "/si":
			if start < 0 {
				continue
			}
			n := s.offset - start
			if n > int64(lim.MaxRecordBytes) {
				return nil, errorf("shared string %d of the workbook is longer than %d bytes", len(lens)+1, lim.MaxRecordBytes)
			}
			if len(lens) == lim.MaxSharedStrings {
				return nil, errorf("the workbook has more than %d shared strings, the limit", lim.MaxSharedStrings)
			}
			lens = append(lens, int32(n))
			start = -1
		}
	}
	return lens, nil
}

// tagScanner finds the tags of an XML stream without parsing it: enough
// to count elements and measure them, at the speed of a byte search.
type tagScanner struct {
	r *bufio.Reader
	// offset is the number of bytes read; tagStart where the last tag
	// began.
	offset, tagStart int64
	// text is the text before the last tag, when it fitted the buffer.
	text []byte
}

// maxTag is the longest tag the scanner reads; XML tags of workbooks are
// a few hundred bytes at most.
const maxTag = 64 << 10

func newTagScanner(r io.Reader) *tagScanner {
	return &tagScanner{r: bufio.NewReaderSize(r, maxTag)}
}

// next returns the local name of the next tag ("row", "/row", "c"; a
// namespace prefix is dropped) and its text after the name, up to its
// closing '>'.
func (s *tagScanner) next() (name string, attrs []byte, err error) {
	s.text = s.text[:0]
	for {
		chunk, err := s.r.ReadSlice('<')
		s.offset += int64(len(chunk))
		if err == nil {
			s.text = append(s.text, chunk[:len(chunk)-1]...)
			break
		}
		if err != bufio.ErrBufferFull {
			return "", nil, err
		}
		s.text = s.text[:0] // text too long to keep; only tags matter then
	}
	s.tagStart = s.offset - 1
	tag, err := s.r.ReadSlice('>')
	s.offset += int64(len(tag))
	if err == bufio.ErrBufferFull {
		return "", nil, errors.New("a tag is longer than 64 KB")
	}
	if err != nil {
		return "", nil, err
	}
	tag = tag[:len(tag)-1]
	end := bytes.IndexAny(tag, " \t\r\n/")
	if end == 0 && len(tag) > 0 && tag[0] == '/' {
		end = bytes.IndexAny(tag[1:], " \t\r\n")
		if end >= 0 {
			end++
		}
	}
	if end < 0 {
		end = len(tag)
	}
	n := tag[:end]
	closing := len(n) > 0 && n[0] == '/'
	if closing {
		n = n[1:]
	}
	if i := bytes.IndexByte(n, ':'); i >= 0 {
		n = n[i+1:]
	}
	name = string(n)
	if closing {
		name = "/" + name
	}
	return name, tag[end:], nil
}

// selfClosing reports whether a tag's attributes text ends it ("<c r="A1"/>").
func selfClosing(attrs []byte) bool {
	return len(attrs) > 0 && attrs[len(attrs)-1] == '/'
}

// byteSize writes n bytes for a person: "812 KB", "1.2 GB".
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
