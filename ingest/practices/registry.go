package practices

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

// registryRecord is one line of a practice registry CSV. Values are read
// as text and validated by [Read] for clear messages.
type registryRecord struct {
	ODSCode    string `csv:"ods_code"`
	Name       string `csv:"name"`
	Federation string `csv:"federation"`
	ListSize   string `csv:"list_size"`
	Postcode   string `csv:"postcode"`
	Aliases    string `csv:"aliases"`
}

// requiredRegistryColumns must appear in a registry header.
var requiredRegistryColumns = []string{"ods_code", "name", "federation"}

// maxRegistryErrors bounds the problems [Read] reports at once.
const maxRegistryErrors = 10

// Registry formats read by [Read].
const (
	// FormatCSV is the project's registry CSV, with a header.
	FormatCSV = "csv"
	// FormatEpraccur is the NHS ODS GP practice file epraccur.csv.
	FormatEpraccur = "epraccur"
)

// Registry is a practice registry read by [Read].
type Registry struct {
	// Format is [FormatCSV] or [FormatEpraccur].
	Format string
	// Practices are the practices to import.
	Practices []survey.Practice
	// Inactive counts the epraccur records skipped because the practice is
	// not active (closed, dormant or proposed).
	Inactive int
	// NotGP counts the active epraccur records skipped because their
	// prescribing setting is not a GP practice (out-of-hours services,
	// walk-in centres, prisons…).
	NotGP int
}

// ReadList reads a practice registry, in either format of [Read], and
// returns its practices.
func ReadList(r io.Reader) ([]survey.Practice, error) {
	reg, err := Read(r)
	return reg.Practices, err
}

// Read reads a practice registry in one of two formats.
//
// The project's CSV has a header with ods_code, name and federation, and
// optionally list_size, postcode and aliases (separated by ";"), in any
// order and any case; other columns are ignored. A UTF-8 BOM and ";" or
// tab delimiters are accepted.
//
// The NHS ODS epraccur file has no header and 27 quoted columns; it is
// recognised by its first record: 27 fields, the first an ODS code. See
// [readEpraccur] for what is taken from it.
//
// ODS codes must be a letter and five digits (they are upper-cased). Every
// problem found (up to ten) is reported with its line number; no practices
// are returned then.
func Read(r io.Reader) (Registry, error) {
	br := tabular.StripBOM(bufio.NewReaderSize(r, tabular.SniffSize))
	if isEpraccur(br) {
		return readEpraccur(br)
	}
	rr := &registryReader{r: tabular.NewCSVReader(br, tabular.SniffDelimiter(br))}
	var recs []registryRecord
	if err := gocsv.UnmarshalCSV(rr, &recs); err != nil {
		if errors.Is(err, gocsv.ErrEmptyCSVFile) {
			return Registry{}, errors.New("practices: the file is empty")
		}
		return Registry{}, fmt.Errorf("practices: %w", err)
	}
	if err := rr.checkHeader(); err != nil {
		return Registry{}, err
	}
	ps, err := validateRegistry(recs, rr.lines[1:])
	return Registry{Format: FormatCSV, Practices: ps}, err
}

// registryReader feeds gocsv: it normalises the header names and remembers
// the line each record starts on.
type registryReader struct {
	r      *csv.Reader
	header []string
	lines  []int
}

// Read returns the next non-blank record, the header with its names
// trimmed, lower-cased and spaces turned to underscores.
func (rr *registryReader) Read() ([]string, error) {
	for {
		rec, err := rr.r.Read()
		if err != nil {
			return nil, err
		}
		if tabular.BlankRow(rec) {
			continue
		}
		line, _ := rr.r.FieldPos(0)
		rr.lines = append(rr.lines, line)
		if rr.header == nil {
			for i, h := range rec {
				rec[i] = strings.ReplaceAll(strings.ToLower(tabular.CleanHeader(h)), " ", "_")
			}
			rr.header = rec
		}
		return rec, nil
	}
}

// ReadAll returns every remaining record.
func (rr *registryReader) ReadAll() ([][]string, error) {
	var out [][]string
	for {
		rec, err := rr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: malformed CSV: %w", pe.Line, pe.Err)
			}
			return nil, err
		}
		out = append(out, rec)
	}
}

// checkHeader reports missing required columns.
func (rr *registryReader) checkHeader() error {
	var missing []string
	for _, want := range requiredRegistryColumns {
		found := false
		for _, h := range rr.header {
			found = found || h == want
		}
		if !found {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("practices: line %d: missing column(s) %s; the header needs %s",
			rr.lines[0], strings.Join(missing, ", "), strings.Join(requiredRegistryColumns, ","))
	}
	return nil
}

// validateRegistry converts the records, collecting every problem with its
// line number.
func validateRegistry(recs []registryRecord, lines []int) ([]survey.Practice, error) {
	var v registryValidator
	for i, rec := range recs {
		if v.add(lines[i], rec.practice) {
			break
		}
	}
	return v.result()
}

// registryValidator collects practices and the problems of a registry.
type registryValidator struct {
	out  []survey.Practice
	errs []error
	seen map[string]int
}

// add validates one record that starts on line, and reports whether
// enough problems were found to stop.
func (v *registryValidator) add(line int, practice func() (survey.Practice, error)) (stop bool) {
	if v.seen == nil {
		v.seen = map[string]int{}
	}
	p, err := practice()
	if err == nil && v.seen[p.ODSCode] > 0 {
		err = fmt.Errorf("ods_code %s is also on line %d", p.ODSCode, v.seen[p.ODSCode])
	}
	if err != nil {
		v.errs = append(v.errs, fmt.Errorf("line %d: %w", line, err))
		return len(v.errs) == maxRegistryErrors
	}
	v.seen[p.ODSCode] = line
	v.out = append(v.out, p)
	return false
}

// result returns the practices, or every problem found.
func (v *registryValidator) result() ([]survey.Practice, error) {
	if len(v.errs) > 0 {
		return nil, fmt.Errorf("practices: %w", errors.Join(v.errs...))
	}
	if v.out == nil {
		v.out = []survey.Practice{}
	}
	return v.out, nil
}

// checkPractice reports a practice record whose ODS code is not valid or
// that has no name. field names the record's code column and raw is its
// text, for the message.
func checkPractice(p survey.Practice, field, raw string) error {
	if !survey.ValidODSCode(p.ODSCode) {
		return fmt.Errorf("%s %q is not a practice ODS code (a letter and five digits, e.g. K84001)", field, raw)
	}
	if p.Name == "" {
		return fmt.Errorf("practice %s has no name", p.ODSCode)
	}
	return nil
}

// digitGroups removes the separators a list size may be written with
// ("12,345", "12 345").
var digitGroups = strings.NewReplacer(",", "", " ", "")

// practice validates one record.
func (rec registryRecord) practice() (survey.Practice, error) {
	p := survey.Practice{
		ODSCode:    strings.ToUpper(tabular.CleanCell(rec.ODSCode)),
		Name:       tabular.CleanHeader(rec.Name),
		Federation: tabular.CleanHeader(rec.Federation),
		Postcode:   strings.ToUpper(tabular.CleanHeader(rec.Postcode)),
	}
	if err := checkPractice(p, "ods_code", rec.ODSCode); err != nil {
		return p, err
	}
	if s := digitGroups.Replace(tabular.CleanCell(rec.ListSize)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, fmt.Errorf("list_size %q is not a whole number", rec.ListSize)
		}
		p.ListSize = n
	}
	for _, a := range strings.Split(rec.Aliases, ";") {
		if a = tabular.CleanHeader(a); a != "" {
			p.Aliases = append(p.Aliases, a)
		}
	}
	return p, nil
}
