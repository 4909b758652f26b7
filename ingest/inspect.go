package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// Inspection is what [Ingester.Inspect] found in a file, without loading
// anything.
type Inspection struct {
	File string `json:"file"`
	// Platform is the detected platform shape; empty for a file that is
	// not a table (empty, binary, a decompression bomb).
	Platform   string `json:"platform"`
	Format     string `json:"format"`
	Encoding   string `json:"encoding"`
	Delimiter  string `json:"delimiter"`
	Sheet      string `json:"sheet,omitempty"`
	TitleRows  int    `json:"title_rows"`
	HeaderRows int    `json:"header_rows"`
	DateOrder  string `json:"date_order,omitempty"`
	// Mapping is the mapping file applied, if any.
	Mapping string `json:"mapping,omitempty"`
	// Respondents is the number of data rows that would be loaded (a
	// record, for REDCap's rows per record and event); for a file that
	// would be rejected, the number of non-blank data rows that a load
	// would read.
	Respondents int `json:"respondents"`
	// Partial is the number of those rows the platform marks partial; they
	// are in Respondents only when partial responses are included.
	Partial int `json:"partial"`
	// Columns describes every column, in order.
	Columns []InspectedColumn `json:"columns"`
	// PracticeColumn is the header of the column read as the practice, or
	// empty when there is none.
	PracticeColumn string `json:"practice_column"`
	// WorkstreamColumns lists the headers of the workstream columns.
	WorkstreamColumns []string `json:"workstream_columns"`
	// UnmatchedColumns lists the headers of columns that mean nothing to
	// the ingester and would be ignored (not those a mapping ignores).
	UnmatchedColumns []string `json:"unmatched_columns"`
	// Problem says why the file would be rejected; empty when it would load.
	Problem string `json:"problem,omitempty"`
	// InvalidByteOffset is the offset of the first byte of a text file
	// that is valid in no supported encoding, which was described reading
	// it as UTF-8; nil for any other file.
	InvalidByteOffset *int64 `json:"invalid_byte_offset,omitempty"`
}

// InspectedColumn is one column as the ingester reads it.
type InspectedColumn struct {
	// Letter is the spreadsheet column letter, "A" for the first.
	Letter string `json:"letter"`
	// Header is the column's header, merged over multi-row headers.
	Header string `json:"header"`
	// Role is what the column is taken to be: "workstream", "practice",
	// "role", "email", "personal", "comment", "ignored", ...
	Role string `json:"role"`
	// Workstream is the catalogue ID a workstream column matched.
	Workstream string `json:"workstream,omitempty"`
	// Confidence is how sure the role is, from 0 to 1: 1 for a column a
	// mapping names, a platform's metadata name, or a header that is a
	// workstream's name, alias or ID; less for a bracketed item or text
	// beside " - ", for personal data (by the header's words or the
	// answers), and for a role guessed from words in the question; 0 for a
	// column not recognised, or considered and refused (Note says why).
	Confidence float64 `json:"confidence"`
	// Scale describes how a workstream column's answers are scored.
	Scale string `json:"scale,omitempty"`
	// Reversed is true when the column's numbers run from 1 = highest.
	Reversed bool `json:"reversed,omitempty"`
	// Kind is the kind of question a workstream column belongs to:
	// "ranking", "rank-slot", "choice", "multi-select", "level", or empty for a
	// priority question.
	Kind string `json:"kind,omitempty"`
	// Options are the workstream IDs a rank-position or one-cell
	// multi-select column may name.
	Options []string `json:"options,omitempty"`
	// Note explains the role where useful: personal data not stored and
	// what gave it away, or why a column considered as a workstream, the
	// practice, the role or a comment was refused.
	Note string `json:"note,omitempty"`
}

// Inspect reports what the ingester detects in the file at path: container,
// encoding, delimiter, platform, header rows, each column's meaning and the
// number of respondents. It needs no database. Any file is described: a
// table that fits no platform shape as generic, and one that would be
// rejected with the reason in Problem. A text file valid in no supported
// encoding is read as UTF-8, its bad bytes replaced, to describe its
// header, and InvalidByteOffset says where the first is. An empty, binary
// or otherwise unreadable file has only File, Format when known, and
// Problem. The error is non-nil only when the file cannot be opened or
// read (it does not exist, a disk error).
func (in *Ingester) Inspect(path string) (Inspection, error) {
	name := fileName(path)
	info, err := in.readInfo(path)
	var bad *tabular.EncodingError
	switch {
	case errors.As(err, &bad):
		info.Encoding = tabular.EncUTF8 // bad bytes become U+FFFD
	case err != nil:
		return unreadable(name, info, err)
	}
	// Read the file as a load would: one pass when it loads. Only a file
	// that would be rejected is read again, described as it stands.
	l, m, n, order, problem := in.countRespondents(path, info)
	if problem != nil {
		var err error
		if l, n, m, err = in.describe(path, info); err != nil {
			if l.Platform == "" {
				return unreadable(name, info, err)
			}
			problem, order = err, ""
		}
	}
	if bad != nil {
		problem, l.Encoding = rejectionOf(name, bad), "unknown"
	}
	out := Inspection{File: fileName(path), Platform: l.Platform, Format: l.Format, Encoding: l.Encoding,
		Delimiter: l.Delimiter, Sheet: l.Sheet, TitleRows: l.TitleRows, HeaderRows: l.HeaderRows,
		Respondents: n.rows, Partial: n.partial, DateOrder: order, Columns: []InspectedColumn{}, WorkstreamColumns: []string{}, UnmatchedColumns: []string{}}
	if problem != nil {
		out.Problem = problem.Error()
	}
	if m != nil {
		out.Mapping = m.File
	}
	if out.Encoding == "" && out.Format == "xlsx" {
		out.Encoding = "utf-8" // XLSX parts are XML in a Unicode encoding
	}
	if bad != nil {
		out.InvalidByteOffset = &bad.UTF8
	}
	for _, c := range l.Columns {
		ic := InspectedColumn{Letter: c.Letter, Header: c.Header, Role: c.Role.String(), Workstream: c.Workstream,
			Confidence: confidence(c), Note: c.reason.String()}
		switch c.Role {
		case roleWorkstream:
			ic.Scale, ic.Reversed, ic.Kind, ic.Options = scaleText(c), c.reversed(), string(c.Kind), c.options.offered
			out.WorkstreamColumns = append(out.WorkstreamColumns, c.Header)
		case rolePractice:
			out.PracticeColumn = c.Header
		case roleIgnored:
			if c.mapped {
				break // ignored on purpose
			}
			out.UnmatchedColumns = append(out.UnmatchedColumns, c.Header)
		}
		out.Columns = append(out.Columns, ic)
	}
	return out, nil
}

// unreadable describes a file that cannot be read as a table: err, when
// it is the file's fault, is its Problem; any other error is returned.
func unreadable(name string, info tabular.Info, err error) (Inspection, error) {
	var rej *RejectError
	if !errors.As(rejectionOf(name, err), &rej) {
		return Inspection{File: name}, fmt.Errorf("inspect %s: %w", name, err)
	}
	return Inspection{File: name, Format: info.Format, Problem: rej.Error(), Columns: []InspectedColumn{},
		WorkstreamColumns: []string{}, UnmatchedColumns: []string{}}, nil
}

// confidence is how sure a column's role is; see [InspectedColumn].
func confidence(c column) float64 {
	switch {
	case c.mapped:
		return 1
	case c.Role == roleWorkstream && c.reason.why == whyHeader:
		return 1
	case c.Role == roleWorkstream && c.reason.why == whyBracketed:
		return 0.9
	case c.Role == roleWorkstream:
		return 0.7
	case c.Role == roleIgnored:
		return 0
	case c.Role == rolePractice, c.Role == roleRole, c.Role == roleComment:
		return 0.6
	case c.Role == rolePersonal, c.Role == roleEmail:
		return 0.9 // personal-data words in the header
	case c.reason.why == whyEmptyHeader:
		return 0.5
	}
	return 1 // a platform's metadata name
}

// scaleText describes how a workstream column's answers are scored.
func scaleText(c column) string {
	switch {
	case c.scale.mapping != nil:
		return c.scale.mapping.String()
	case c.scaleText() != "":
		return c.scaleText()
	case c.reversed():
		return "priority labels, or numbers 1 to 5 with 1 the highest"
	}
	return "priority labels, or numbers 1 to 5 with 5 the highest"
}

// countRespondents streams the file as a load would, without a store, and
// returns its layout, the mapping applied, the respondents that would be
// loaded and the partial ones, and the date order; the error is the reason
// a load would reject it.
func (in *Ingester) countRespondents(path string, info tabular.Info) (layout, *Mapping, rowCounts, string, error) {
	var n rowCounts
	p, err := in.open(path, info, practices.NewMatcher(nil), nil, nil)
	if err != nil {
		return layout{}, nil, n, "", err
	}
	defer p.close()
	for {
		r, err := p.next()
		if errors.Is(err, io.EOF) {
			return p.layout, p.mapping, n, p.layout.DateOrder, nil
		}
		if err != nil {
			return p.layout, p.mapping, n, p.layout.DateOrder, err
		}
		if r.Partial {
			n.partial++
		}
		if !r.Excluded {
			n.rows++
		}
	}
}

// WriteStarterMapping writes a mapping file for the inspected file that
// names every column with the role it was taken to have, commented, for a
// lead to edit: giving a workstream ID to a column the ingester did not
// recognise, or a scale. ids lists the catalogue's workstream IDs, shown
// in the comments. Columns with an empty or repeated header are named by
// letter.
func (r Inspection) WriteStarterMapping(w io.Writer, ids []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Mapping for %s (%s export), written by surveyworker inspect --write-mapping.\n", r.File, r.Platform)
	b.WriteString(`#
# Each column of the export is listed with the role it was taken to have.
# Change a role where it is wrong; to read a column as a workstream's
# priority answers, give it
#     role: workstream
#     workstream: <ID>
# Roles: practice, role, response-id, started, submitted, email (stored only
# as a keyed hash), personal (never stored), comment, workstream, metadata,
# ignored. A column is named by its header text, or by its letter when the
# header is empty or repeated. A mapping in the mappings folder applies to
# every export whose header has all the columns it names; delete the lines
# of columns you do not need to keep it general.
`)
	writeWrapped(&b, "# Workstream IDs: ", strings.Join(ids, ", "))
	if r.Sheet != "" {
		fmt.Fprintf(&b, "# The worksheet read from the workbook.\nsheet: %s\n", yamlScalar(r.Sheet))
	}
	b.WriteString("columns:\n")
	seen := map[string]int{}
	for _, c := range r.Columns {
		seen[c.Header]++
	}
	for _, c := range r.Columns {
		ref := c.Header
		if ref == "" || seen[ref] > 1 || (letterRef.MatchString(ref) && ref != c.Letter) {
			ref = c.Letter
		}
		comment := "column " + c.Letter
		if ref == c.Letter && c.Header != "" {
			comment += ": " + shorten(c.Header, 60)
		}
		if c.Note != "" {
			comment += "; " + c.Note
		}
		fmt.Fprintf(&b, "  - column: %s  # %s\n    role: %s\n", yamlScalar(ref), oneLine(comment), c.Role)
		if c.Role == roleWorkstream.String() {
			fmt.Fprintf(&b, "    workstream: %s\n", c.Workstream)
		}
	}
	b.WriteString(`
# The answer scale of the workstream columns. Without it, answers are read
# as the usual labels (Not a priority, Low, Medium, High, Very high) or as
# numbers 1 to 5 with 5 the highest. Either ordered labels:
# scale:
#   labels: [Not a priority, Low, Medium, High, Very high]
#   higher_is_more_important: true
# or whole numbers:
# scale:
#   min: 1
#   max: 10
#   higher_is_more_important: false   # 1 is the highest priority
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// yamlScalar quotes s as a YAML double-quoted scalar. Go's quoting of a
// string is valid YAML except for \x escapes, which YAML also reads.
func yamlScalar(s string) string {
	return fmt.Sprintf("%q", s)
}

// oneLine removes line breaks from a comment.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// writeWrapped writes a comment of words after prefix, wrapped at about 78
// characters.
func writeWrapped(b *strings.Builder, prefix, text string) {
	line := prefix
	for _, w := range strings.Fields(text) {
		if len(line)+len(w) > 78 && line != prefix {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = "#   "
		}
		line += w + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}
