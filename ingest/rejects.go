package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/surveyworker/surveyworker/store"
)

// RejectsSuffix is appended to an archived or quarantined file's name to
// name the CSV listing its row problems: each problem's row (its cells
// under the file's headers, personal data blanked), then its line, column,
// code and reason. A row that made the file unusable is listed with the
// code "row_rejected"; when it was among the rows read to find the header,
// the file's columns are unknown and only line, column, code and reason
// are written. No file is written when no row had a problem.
const RejectsSuffix = ".rejects.csv"

// rejectsTrailer are the columns that follow a row's cells in a rejects
// file.
var rejectsTrailer = []string{"line", "column", "code", "reason"}

// rowRejectedCode is the code of the row that made a file unusable.
const rowRejectedCode = "row_rejected"

// rejects writes a file's row problems, one line per problem: the row's
// cells under the file's own headers, then the line, column, code and
// reason. It streams to a hidden temporary file, created at the first
// problem, so a file without problems leaves nothing behind and memory
// does not grow with the number of problems. Cells of personal-data
// columns are left blank, the others have e-mail addresses, NHS and phone
// numbers masked, and cells a spreadsheet would read as formulas get a
// leading apostrophe.
type rejects struct {
	dir, name string // where the temporary file goes; the source's name
	cols      []column
	f         *os.File
	buf       *bufio.Writer
	w         *csv.Writer
	// last is the rejection written from a row, so the final error is not
	// written twice.
	last *RejectError
	err  error
}

// newRejects returns a writer for the problems of the file called name,
// spooling in dir.
func newRejects(dir, name string) *rejects { return &rejects{dir: dir, name: name} }

// setColumns sets the file's classified columns, once its header is read.
func (rj *rejects) setColumns(cols []column) {
	if rj != nil {
		rj.cols = cols
	}
}

// row writes one line per warning of r, with the row's cells.
func (rj *rejects) row(cells []string, ws []store.Warning) {
	if rj == nil {
		return
	}
	for _, w := range ws {
		rj.write(cells, w.Row, warningColumn(w.Column), w.Code, w.Message)
	}
}

// rejected writes the rejection that made the file unusable, when it names
// a row. cells may be nil when the row could not be read.
func (rj *rejects) rejected(cells []string, err error) {
	var rej *RejectError
	if rj == nil || !errors.As(err, &rej) || rej.Row == 0 || rj.last == rej {
		return
	}
	rj.last = rej
	reason := rej.Reason
	if rej.Err != nil {
		reason += ": " + rej.Err.Error()
	}
	rj.write(cells, rej.Row, rej.Column, rowRejectedCode, reason)
}

// warningColumn returns the column letter of a warning's column label
// (`C "Which practice…"`, see [column.label]).
func warningColumn(label string) string {
	letter, _, _ := strings.Cut(label, " ")
	return letter
}

// write adds one problem line, opening the spool at the first.
func (rj *rejects) write(cells []string, line int, col, code, reason string) {
	if rj.err != nil {
		return
	}
	if rj.w == nil {
		if rj.err = rj.open(); rj.err != nil {
			return
		}
	}
	rec := make([]string, 0, len(rj.cols)+len(rejectsTrailer))
	for i, c := range rj.cols {
		rec = append(rec, rejectsCell(c.Role, cellAt(cells, i)))
	}
	rec = append(rec, strconv.Itoa(line), col, code, reason)
	for i := len(rj.cols); i < len(rec); i++ {
		rec[i] = defuse(rec[i])
	}
	rj.err = rj.w.Write(rec)
}

// open creates the spool and writes the BOM and the header line.
func (rj *rejects) open() error {
	f, err := os.CreateTemp(rj.dir, "."+rj.name+".*.rejects.tmp")
	if err != nil {
		return err
	}
	rj.f, rj.buf = f, bufio.NewWriter(f)
	rj.w = csv.NewWriter(rj.buf)
	rj.w.UseCRLF = true
	rj.buf.WriteString("\uFEFF")
	head := make([]string, 0, len(rj.cols)+len(rejectsTrailer))
	for _, c := range rj.cols {
		head = append(head, defuse(c.Header))
	}
	return rj.w.Write(append(head, rejectsTrailer...))
}

// rejectsCell returns a cell as written to a rejects file: blank for
// personal data, and otherwise with e-mail addresses, NHS and phone numbers
// masked (in free text, or typed where an answer was expected), defused for
// spreadsheets.
func rejectsCell(r role, v string) string {
	switch r {
	case rolePersonal, roleEmail:
		return ""
	}
	return defuse(maskPersonal(v))
}

// defuse prefixes an apostrophe to text a spreadsheet would read as a
// formula (CWE-1236).
func defuse(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// finish moves the rejects file beside dst as dst+[RejectsSuffix] (a
// numbered name when taken) and returns its path, or "" when there were no
// problems.
func (rj *rejects) finish(dst string) (string, error) {
	if rj == nil || rj.f == nil {
		return "", rj.discardErr()
	}
	if err := rj.flush(); err != nil {
		rj.discard()
		return "", fmt.Errorf("rejects file: %w", err)
	}
	out, err := moveNoClobber(rj.f.Name(), dst+RejectsSuffix)
	rj.discard()
	if err != nil {
		return "", fmt.Errorf("rejects file: %w", err)
	}
	return out, nil
}

// discardErr returns the error met before the spool was opened.
func (rj *rejects) discardErr() error {
	if rj == nil || rj.err == nil {
		return nil
	}
	return fmt.Errorf("rejects file: %w", rj.err)
}

// flush writes out buffered lines and closes the spool.
func (rj *rejects) flush() error {
	if rj.err != nil {
		return rj.err
	}
	rj.w.Flush()
	err := errors.Join(rj.w.Error(), rj.buf.Flush(), rj.f.Sync())
	return errors.Join(err, rj.f.Close())
}

// discard removes the spool, if any.
func (rj *rejects) discard() {
	if rj == nil || rj.f == nil {
		return
	}
	rj.f.Close()
	os.Remove(rj.f.Name())
	rj.f = nil
}
