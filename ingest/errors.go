package ingest

import (
	"fmt"
	"strings"
)

// RejectError explains why a file cannot be loaded. Rejected files leave the
// database unchanged. Row and column numbers follow the spreadsheet view of
// the file: the header is row 1 and columns are lettered A, B, C….
type RejectError struct {
	// File is the file's base name.
	File string
	// Row is the 1-based row the problem was found in, 0 for the whole file.
	Row int
	// Column is the column letter, empty when the problem is not in one
	// column.
	Column string
	// Header is the column's header text, when known.
	Header string
	// Reason says what is wrong, for a person.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error returns the file, position and reason on one line.
func (e *RejectError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
		if e.Header != "" {
			fmt.Fprintf(&b, " (%q)", shorten(e.Header, 60))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *RejectError) Unwrap() error { return e.Err }

// reject returns a file-level rejection.
func reject(file, format string, args ...any) *RejectError {
	return &RejectError{File: file, Reason: fmt.Sprintf(format, args...)}
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// columnLetter returns the spreadsheet letter of the 0-based column i:
// 0 is "A", 25 is "Z", 26 is "AA".
func columnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}
