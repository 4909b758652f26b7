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
	"path/filepath"
	"strings"

	"github.com/gocarina/gocsv"
)

// Lead is one recipient of the report.
type Lead struct {
	// Name is the lead's display name; it may be empty.
	Name string
	// Email is the lead's address, without a display name.
	Email string
	// Federations are the federations the lead leads, as the leads file
	// names them. A lead of one or more federations gets their view of the
	// workbook (see [WorkbookInput].Federations); a lead of none gets the
	// full workbook.
	Federations []string
	// Line is the line of the leads file the lead was read from, for
	// messages about it; 0 when the lead was not read from a file.
	Line int
}

// leadRecord is one row of a CSV leads file.
type leadRecord struct {
	Name        string `csv:"name"`
	Email       string `csv:"email"`
	Federations string `csv:"federations"`
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
var ErrNoEmailColumn = errors.New(`no "email" column in header (want name,email[,federations])`)

// LoadLeads reads the leads file at path: YAML when its name ends in
// .yaml or .yml, CSV when it ends in .csv, and otherwise whichever its
// content is; see [ReadLeads].
func LoadLeads(path string) ([]Lead, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: leads: %w", err)
	}
	var leads []Lead
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		leads, err = readLeadsYAML(data)
	case ".csv":
		leads, err = readLeadsCSV(data)
	default:
		leads, err = readLeads(data)
	}
	if err != nil {
		return nil, fmt.Errorf("report: leads %s: %w", path, err)
	}
	return leads, nil
}

// ReadLeads reads a leads file, CSV or YAML, told apart by its content: a
// file whose first line that is not blank or a comment is "leads:" (or
// "---") is YAML.
//
// The CSV form has a header naming name and email, and optionally
// federations (several separated by ";"). A UTF-8 byte order mark is
// ignored, header names are matched without regard to case or
// surrounding space, other columns are ignored and blank lines skipped.
//
// The YAML form is a list under "leads", each entry with name, email and
// optionally federations, as a list or a string separated by ";":
//
//	leads:
//	  - name: Sam Patel
//	    email: sam.patel@example.nhs.uk
//	    federations: [North Oxfordshire]
//
// Every address must be a valid RFC 5322 address and appear once
// (compared without regard to case); a "Name <address>" form is reduced
// to the address. Federation names are trimmed and repeats dropped; they
// are not checked against the registry here (see [ResolveFederations]).
// All problems are reported together, each as a [*LeadError] with its
// line number. A file with no leads gives no leads and no error.
func ReadLeads(r io.Reader) ([]Lead, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return readLeads(data)
}

func readLeads(data []byte) ([]Lead, error) {
	if looksLikeYAMLLeads(data) {
		return readLeadsYAML(data)
	}
	return readLeadsCSV(data)
}

// looksLikeYAMLLeads reports whether the first line of data that is not
// blank or a comment starts a YAML document or its leads key.
func looksLikeYAMLLeads(data []byte) bool {
	for line := range strings.Lines(string(bytes.TrimPrefix(data, []byte(utf8BOM)))) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return line == "---" || strings.HasPrefix(line, "leads:")
	}
	return false
}

const utf8BOM = "\xef\xbb\xbf"

// readLeadsCSV reads the CSV form of a leads file.
func readLeadsCSV(data []byte) ([]Lead, error) {
	cr := newLineCSVReader(bytes.NewReader(data))
	var recs []leadRecord
	if err := gocsv.UnmarshalCSV(cr, &recs); err != nil {
		if errors.Is(err, gocsv.ErrEmptyCSVFile) {
			return nil, ErrNoEmailColumn
		}
		return nil, err
	}
	var leads []Lead
	for i, r := range recs {
		leads = append(leads, Lead{Name: r.Name, Email: r.Email, Federations: splitFederations(r.Federations), Line: cr.lines[i+1]})
	}
	return validateLeads(leads)
}

// splitFederations splits a list of federation names separated by ";".
func splitFederations(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// validateLeads checks and normalises each lead.
func validateLeads(leads []Lead) ([]Lead, error) {
	var errs []error
	seen := map[string]int{}
	for i := range leads {
		line := leads[i].Line
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
	l.Federations = normaliseFederations(l.Federations)
	return l, nil
}

// normaliseFederations trims each name, collapsing inner runs of space,
// and drops empty names and repeats (compared without regard to case),
// keeping the first spelling; nil when none is left.
func normaliseFederations(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" || seen[federationKey(n)] {
			continue
		}
		seen[federationKey(n)] = true
		out = append(out, n)
	}
	return out
}

// UnknownFederation is a federation a leads file names that the practice
// registry does not hold.
type UnknownFederation struct {
	// Lead is the lead naming it.
	Lead Lead
	// Name is the federation as the leads file spells it.
	Name string
}

// ResolveFederations returns leads with each federation spelt as the
// registry's federation of the same name, compared without regard to case
// or spacing, and the names it found no federation of the registry for.
// Those stay as given rather than being an error, since the registry may
// be imported later; until then the lead's view shows none of that
// federation's practices. leads is not modified.
func ResolveFederations(leads []Lead, registry []string) ([]Lead, []UnknownFederation) {
	byKey := make(map[string]string, len(registry))
	for _, name := range registry {
		byKey[federationKey(name)] = name
	}
	out := make([]Lead, len(leads))
	var unknown []UnknownFederation
	for i, l := range leads {
		out[i] = l
		if len(l.Federations) == 0 {
			continue
		}
		out[i].Federations = make([]string, len(l.Federations))
		for j, f := range l.Federations {
			name, ok := byKey[federationKey(f)]
			if !ok {
				name = f
				unknown = append(unknown, UnknownFederation{Lead: l, Name: f})
			}
			out[i].Federations[j] = name
		}
	}
	return out, unknown
}

// federationKey is a federation name compared without regard to case or
// spacing.
func federationKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
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
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte(utf8BOM)) {
		br.Discard(3)
	}
	return br
}
