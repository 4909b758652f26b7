package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// Text encodings recorded for CSV files.
const (
	encUTF8    = "utf-8"
	encUTF8BOM = "utf-8-bom"
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	encCP1252  = "windows-1252"
)

// Container formats.
const (
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// fileInfo is what one pass over a file's bytes tells us.
type fileInfo struct {
	SHA256   string
	Size     int64
	Format   string // formatCSV or formatXLSX
	Encoding string // for CSV; empty for XLSX
}

// headSize is how much of a file is inspected to tell its kind.
const headSize = 8 << 10

// magic numbers of files that are not survey exports we can read.
var unsupported = []struct {
	magic  []byte
	reason string
}{
	{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "a legacy Excel 97-2003 workbook (.xls) or other OLE file; save it as .xlsx or CSV"},
	{[]byte{0x1F, 0x8B}, "a gzip archive; unpack it first"},
	{[]byte("%PDF"), "a PDF document, not a survey export"},
}

// FileSHA256 returns the lower-case hex SHA-256 of the file at path: the
// digest by which a loaded file is known (see [Result.SHA256]).
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

// fingerprint reads the file at path once: its SHA-256 and size, whether it
// is a zip container (XLSX) or text, and the text encoding. A file that is
// empty, binary, or not valid in any supported encoding is a *RejectError.
func fingerprint(path string) (fileInfo, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return fileInfo{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fileInfo{}, fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	info, check := sniffHead(name, head)
	if check != nil {
		return info, check
	}
	h := sha256.New()
	v := &utf8Validator{bad: -1}
	var w io.Writer = h
	if info.Encoding == "" && info.Format == formatCSV {
		w = io.MultiWriter(h, v)
	}
	w.Write(head)
	size, err := io.Copy(w, f)
	if err != nil {
		return info, fmt.Errorf("read %s: %w", name, err)
	}
	info.Size = size + int64(n)
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	if info.Encoding == "" && info.Format == formatCSV {
		info.Encoding, err = textEncoding(name, path, v.finish())
	}
	return info, err
}

// sniffHead tells the format from the first bytes and, for text with a BOM,
// the encoding.
func sniffHead(name string, head []byte) (fileInfo, error) {
	switch {
	case len(head) == 0:
		return fileInfo{}, reject(name, "the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return fileInfo{Format: formatXLSX}, nil
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return fileInfo{Format: formatCSV, Encoding: encUTF8BOM}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return fileInfo{Format: formatCSV, Encoding: encUTF16LE}, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return fileInfo{Format: formatCSV, Encoding: encUTF16BE}, nil
	}
	for _, u := range unsupported {
		if bytes.HasPrefix(head, u.magic) {
			return fileInfo{}, reject(name, "the file is %s", u.reason)
		}
	}
	if binary(head) {
		return fileInfo{}, reject(name, "the file is binary, not CSV text or an .xlsx workbook")
	}
	return fileInfo{Format: formatCSV}, nil
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

// textEncoding decides the encoding of a text file without a BOM: UTF-8
// when valid, else Windows-1252 when every byte is defined there. bad is the
// offset of the first invalid UTF-8 byte, or -1.
func textEncoding(name, path string, bad int64) (string, error) {
	if bad < 0 {
		return encUTF8, nil
	}
	off, err := undefinedCP1252(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if off >= 0 {
		return "", reject(name, "the text is neither UTF-8 (invalid byte at offset %d) nor Windows-1252 (undefined byte at offset %d); save it as CSV UTF-8", bad, off)
	}
	return encCP1252, nil
}

// undefinedCP1252 returns the offset of the first byte Windows-1252 leaves
// undefined, or -1.
func undefinedCP1252(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return -1, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var off int64
	for {
		n, err := f.Read(buf)
		for i, c := range buf[:n] {
			if c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D {
				return off + int64(i), nil
			}
		}
		off += int64(n)
		if err == io.EOF {
			return -1, nil
		}
		if err != nil {
			return -1, err
		}
	}
}

// utf8Validator is an io.Writer that checks its input is UTF-8, across
// write boundaries, remembering the offset of the first invalid byte.
type utf8Validator struct {
	off   int64 // bytes consumed before carry
	carry []byte
	bad   int64
}

func (v *utf8Validator) Write(p []byte) (int, error) {
	n := len(p)
	if v.bad >= 0 {
		return n, nil
	}
	if len(v.carry) > 0 {
		p = v.completeCarry(p)
		if p == nil || v.bad >= 0 {
			return n, nil
		}
	}
	tail := incompleteTail(p)
	if !utf8.Valid(p[:tail]) {
		v.bad = v.off + firstInvalid(p[:tail])
		return n, nil
	}
	v.off += int64(tail)
	v.carry = append(v.carry[:0], p[tail:]...)
	return n, nil
}

// completeCarry finishes the rune split by the previous write and returns
// the rest of p, or nil when p was too short to finish it.
func (v *utf8Validator) completeCarry(p []byte) []byte {
	k := min(len(p), utf8.UTFMax-len(v.carry))
	buf := append(append([]byte{}, v.carry...), p[:k]...)
	if !utf8.FullRune(buf) {
		v.carry = buf
		return nil
	}
	r, size := utf8.DecodeRune(buf)
	if r == utf8.RuneError && size <= 1 {
		v.bad = v.off
		return nil
	}
	used := size - len(v.carry)
	v.off += int64(size)
	v.carry = v.carry[:0]
	return p[used:]
}

// finish returns the offset of the first invalid byte, or -1.
func (v *utf8Validator) finish() int64 {
	if v.bad < 0 && len(v.carry) > 0 {
		v.bad = v.off
	}
	return v.bad
}

// incompleteTail returns the index where a rune cut off by the end of p
// starts, or len(p).
func incompleteTail(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return i
			}
			break
		}
	}
	return len(p)
}

// firstInvalid returns the offset of the first byte of p that is not part
// of a valid UTF-8 sequence.
func firstInvalid(p []byte) int64 {
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			return int64(i)
		}
		i += size
	}
	return int64(len(p))
}
