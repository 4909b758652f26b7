package tabular

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text encodings of CSV files, as [Info.Encoding] names them. A caller
// may set the encoding of a file without a byte order mark to EncUTF8 or
// EncCP1252 to read it so whatever its bytes: a byte that fits no
// character becomes U+FFFD in the cells.
const (
	// EncUTF8 is UTF-8 without a byte order mark.
	EncUTF8 = "utf-8"
	// EncUTF8BOM is UTF-8 after a byte order mark (Excel's "CSV UTF-8").
	EncUTF8BOM = "utf-8-bom"
	// EncUTF16LE is little-endian UTF-16 after a byte order mark
	// (Qualtrics TSV, Excel's "Unicode text").
	EncUTF16LE = "utf-16le"
	// EncUTF16BE is big-endian UTF-16 after a byte order mark.
	EncUTF16BE = "utf-16be"
	// EncCP1252 is Windows-1252, the legacy encoding of Excel's "CSV
	// (Comma delimited)" in Western Europe.
	EncCP1252 = "windows-1252"
)

// HasBOM reports whether a text encoding is one a byte order mark
// announced, and so certain.
func HasBOM(enc string) bool {
	return enc == EncUTF8BOM || enc == EncUTF16LE || enc == EncUTF16BE
}

// EncodingError is the error of [Fingerprint] for text that is valid in
// no supported encoding. The file can still be read in one of them, its
// bytes that fit no character replaced: see [Info.Encoding].
type EncodingError struct {
	// UTF8 is the offset of the first byte invalid in UTF-8; CP1252 that
	// of the first byte Windows-1252 leaves undefined.
	UTF8, CP1252 int64
}

// Error names both offsets.
func (e *EncodingError) Error() string {
	return fmt.Sprintf("the text is neither UTF-8 (invalid byte at offset %d) nor Windows-1252 (undefined byte at offset %d); save it as CSV UTF-8", e.UTF8, e.CP1252)
}

// textEncoding decides the encoding of a text file without a BOM: UTF-8
// when valid, else Windows-1252 when every byte is defined there. bad is the
// offset of the first invalid UTF-8 byte, or -1.
func textEncoding(name, path string, bad int64) (string, error) {
	if bad < 0 {
		return EncUTF8, nil
	}
	off, err := undefinedCP1252(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if off >= 0 {
		return "", &EncodingError{UTF8: bad, CP1252: off}
	}
	return EncCP1252, nil
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

// decodeText returns r as UTF-8 without a byte order mark.
func decodeText(r io.Reader, enc string) (io.Reader, error) {
	switch enc {
	case EncUTF8:
		return r, nil
	case EncUTF8BOM:
		_, err := io.ReadFull(r, make([]byte, 3))
		return r, err
	case EncUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), nil
	case EncUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), nil
	case EncCP1252:
		return transform.NewReader(r, charmap.Windows1252.NewDecoder()), nil
	}
	return nil, fmt.Errorf("unknown text encoding %q", enc)
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
