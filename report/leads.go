package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"

	"github.com/gocarina/gocsv"
)

// Lead is one recipient of the report.
type Lead struct {
	// Name is the lead's display name; it may be empty.
	Name string `csv:"name"`
	// Email is the lead's address, without a display name.
	Email string `csv:"email"`
}

// LeadError is a problem with one line of a leads file. Line is 1-based
// and counts the header.
type LeadError struct {
	Line int
	Err  error
}

// Error formats the error with its line number.
func (e *LeadError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LeadError) Unwrap() error { return e.Err }

// ErrNoEmailColumn is returned when a leads file has no email column.
var ErrNoEmailColumn = errors.New(`no "email" column in header (want name,email)`)

// LoadLeads reads the leads file at path; see [ReadLeads].
func LoadLeads(path string) ([]Lead, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: leads: %w", err)
	}
	defer f.Close()
	leads, err := ReadLeads(f)
	if err != nil {
		return nil, fmt.Errorf("report: leads %s: %w", path, err)
	}
	return leads, nil
}

// ReadLeads reads a name,email CSV. A UTF-8 byte order mark is ignored,
// header names are matched without regard to case or surrounding space,
// other columns are ignored and blank lines skipped. Every address must be
// a valid RFC 5322 address and appear once (compared without regard to
// case); a "Name <address>" form is reduced to the address. All problems
// are reported together, each as a [*LeadError] with its line number. A
// file with only a header gives no leads and no error.
func ReadLeads(r io.Reader) ([]Lead, error) {
	cr := newLineCSVReader(r)
	var leads []Lead
	if err := gocsv.UnmarshalCSV(cr, &leads); err != nil {
		if errors.Is(err, gocsv.ErrEmptyCSVFile) {
			return nil, ErrNoEmailColumn
		}
		return nil, err
	}
	return validateLeads(leads, cr.lines)
}

// validateLeads checks and normalises each lead; lines[i+1] is the line of
// leads[i].
func validateLeads(leads []Lead, lines []int) ([]Lead, error) {
	var errs []error
	seen := map[string]int{}
	for i := range leads {
		line := lines[i+1]
		l, err := normaliseLead(leads[i])
		if err == nil {
			if first, ok := seen[strings.ToLower(l.Email)]; ok {
				err = fmt.Errorf("email %s repeats line %d", l.Email, first)
			}
			seen[strings.ToLower(l.Email)] = line
		}
		if err != nil {
			errs = append(errs, &LeadError{Line: line, Err: err})
		}
		leads[i] = l
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return leads, nil
}

func normaliseLead(l Lead) (Lead, error) {
	l.Name = strings.TrimSpace(l.Name)
	raw := strings.TrimSpace(l.Email)
	if raw == "" {
		return l, errors.New("email is empty")
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil {
		return l, fmt.Errorf("email %q: %w", raw, err)
	}
	if l.Name == "" {
		l.Name = addr.Name
	}
	l.Email = addr.Address
	return l, nil
}

// lineCSVReader reads CSV records for gocsv, recording the line each
// record starts on and normalising the header.
type lineCSVReader struct {
	r     *csv.Reader
	lines []int
}

func newLineCSVReader(r io.Reader) *lineCSVReader {
	cr := csv.NewReader(skipBOM(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	return &lineCSVReader{r: cr}
}

// Read returns the next record. The header's names are lower-cased and
// trimmed, and a header without an email column is an error.
func (c *lineCSVReader) Read() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, err
	}
	line, _ := c.r.FieldPos(0)
	c.lines = append(c.lines, line)
	if len(c.lines) == 1 {
		return header(rec)
	}
	return rec, nil
}

// ReadAll reads the remaining records.
func (c *lineCSVReader) ReadAll() ([][]string, error) {
	var out [][]string
	for {
		rec, err := c.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}

func header(rec []string) ([]string, error) {
	hasEmail := false
	for i, h := range rec {
		rec[i] = strings.ToLower(strings.TrimSpace(h))
		hasEmail = hasEmail || rec[i] == "email"
	}
	if !hasEmail {
		return nil, &LeadError{Line: 1, Err: ErrNoEmailColumn}
	}
	return rec, nil
}

// skipBOM returns r without a leading UTF-8 byte order mark.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	return br
}
