package tabular

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Container formats.
const (
	// FormatCSV is delimited text.
	FormatCSV = "csv"
	// FormatTSV is text delimited by tabs, as [Source.Format] names a
	// CSV file whose delimiter is the tab; [Info.Format] says FormatCSV.
	FormatTSV = "tsv"
	// FormatXLSX is an Office Open XML workbook.
	FormatXLSX = "xlsx"
)

// Info is what one pass over a file's bytes tells.
type Info struct {
	// SHA256 is the lower-case hex SHA-256 of the bytes.
	SHA256 string
	// Size is the number of bytes.
	Size int64
	// Format is [FormatCSV] or [FormatXLSX].
	Format string
	// Encoding is the text encoding of a CSV file (see encoding.go);
	// empty for XLSX.
	Encoding string
}

// headSize is how much of a file is inspected to tell its kind.
const headSize = 8 << 10

// unsupported are magic numbers of files that are not survey exports we
// can read.
var unsupported = []struct {
	magic  []byte
	reason string
}{
	{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "a legacy Excel 97-2003 workbook (.xls) or other OLE file; save it as .xlsx or CSV"},
	{[]byte{0x1F, 0x8B}, "a gzip archive; unpack it first"},
	{[]byte("%PDF"), "a PDF document, not a survey export"},
}

// FileSHA256 returns the lower-case hex SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Fingerprint reads the file at path once: its SHA-256 and size, whether
// it is a zip container (XLSX) or text, and the text encoding. A file that
// is empty, binary, or not valid in any supported encoding is an *Error;
// errors opening or reading the file are returned wrapped.
func Fingerprint(path string) (Info, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return Info{}, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	info, check := sniffHead(head)
	if check != nil {
		return info, check
	}
	h := sha256.New()
	v := &utf8Validator{bad: -1}
	var w io.Writer = h
	if info.Encoding == "" && info.Format == FormatCSV {
		w = io.MultiWriter(h, v)
	}
	w.Write(head)
	size, err := io.Copy(w, f)
	if err != nil {
		return info, fmt.Errorf("read %s: %w", name, err)
	}
	info.Size = size + int64(n)
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	if info.Encoding == "" && info.Format == FormatCSV {
		info.Encoding, err = textEncoding(name, path, v.finish())
	}
	return info, err
}

// sniffHead tells the format from the first bytes and, for text with a BOM,
// the encoding.
func sniffHead(head []byte) (Info, error) {
	switch {
	case len(head) == 0:
		return Info{}, errorf("the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return Info{Format: FormatXLSX}, nil
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return Info{Format: FormatCSV, Encoding: EncUTF8BOM}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return Info{Format: FormatCSV, Encoding: EncUTF16LE}, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return Info{Format: FormatCSV, Encoding: EncUTF16BE}, nil
	}
	for _, u := range unsupported {
		if bytes.HasPrefix(head, u.magic) {
			return Info{}, errorf("the file is %s", u.reason)
		}
	}
	if binary(head) {
		return Info{}, errorf("the file is binary, not CSV text or an .xlsx workbook")
	}
	return Info{Format: FormatCSV}, nil
}

// binary reports whether more than 3% of head are control bytes that never
// occur in text. Survey exports may carry a few NUL bytes (SurveyMonkey puts
// one in each empty metadata cell of its second header row), so one stray
// byte does not make a file binary.
func binary(head []byte) bool {
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return ctl*100 > len(head)*3
}
