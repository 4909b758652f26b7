package tabular

import (
	"fmt"
	"strings"
)

// Error explains why a file cannot be read as a table. Row numbers follow
// the spreadsheet view of the file: the first row is 1.
type Error struct {
	// Row is the 1-based row the problem was found in, 0 for the whole
	// file.
	Row int
	// Reason says what is wrong, for a person.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error returns the row, reason and underlying error on one line.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d: ", e.Row)
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errorf returns a file-level *Error.
func errorf(format string, args ...any) *Error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}
