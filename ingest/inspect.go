package ingest

import (
	"errors"
	"fmt"
	"io"
)

// Inspection is what [Ingester.Inspect] found in a file, without loading
// anything.
type Inspection struct {
	File       string `json:"file"`
	Platform   string `json:"platform"`
	Format     string `json:"format"`
	Encoding   string `json:"encoding"`
	Delimiter  string `json:"delimiter,omitempty"`
	Sheet      string `json:"sheet,omitempty"`
	TitleRows  int    `json:"title_rows"`
	HeaderRows int    `json:"header_rows"`
	DateOrder  string `json:"date_order,omitempty"`
	// Respondents is the number of data rows that would be loaded.
	Respondents int `json:"respondents"`
	// Columns describes every column, in order.
	Columns []InspectedColumn `json:"columns"`
	// Unmatched lists the headers of columns that mean nothing to the
	// ingester and would be ignored.
	Unmatched []string `json:"unmatched"`
	// Problem says why the file would be rejected; empty when it would load.
	Problem string `json:"problem,omitempty"`
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
	// Reversed is true when the column's numbers run from 1 = highest.
	Reversed bool `json:"reversed,omitempty"`
	// Kind is the kind of question a workstream column belongs to:
	// "ranking", "rank-slot", "choice", "multi-select", or empty for a
	// priority question.
	Kind string `json:"kind,omitempty"`
	// Scale describes a numeric scale or ranking: "0-10", "0-10 (from the
	// answers)", "rank 1-5", "top 3 of 8".
	Scale string `json:"scale,omitempty"`
	// Options are the workstream IDs a rank-position or one-cell
	// multi-select column may name.
	Options []string `json:"options,omitempty"`
	// Note explains the role where useful (e.g. personal data not stored).
	Note string `json:"note,omitempty"`
}

// Inspect reports what the ingester detects in the file at path: container,
// encoding, delimiter, platform, header rows, each column's meaning and the
// number of respondents. It needs no database. A file that would be rejected
// is still described as far as it can be read, with the reason in Problem;
// the error is non-nil only when the file cannot be read at all.
func (in *Ingester) Inspect(path string) (Inspection, error) {
	l, err := in.inspect(path)
	if err != nil {
		return Inspection{File: fileName(path)}, fmt.Errorf("inspect %s: %w", path, err)
	}
	out := Inspection{File: fileName(path), Platform: l.Platform, Format: l.Format, Encoding: l.Encoding,
		Delimiter: l.Delimiter, Sheet: l.Sheet, TitleRows: l.TitleRows, HeaderRows: l.HeaderRows,
		DateOrder: l.DateOrder, Columns: []InspectedColumn{}, Unmatched: []string{}}
	if out.Encoding == "" && out.Format == "xlsx" {
		out.Encoding = "utf-8" // XLSX parts are XML in a Unicode encoding
	}
	for _, c := range l.Columns {
		out.Columns = append(out.Columns, InspectedColumn{Letter: c.Letter, Header: c.Header,
			Role: c.Role.String(), Workstream: c.Workstream, Reversed: c.Reversed,
			Kind: string(c.Kind), Scale: c.Scale, Options: c.Options, Note: c.Note})
		if c.Role == roleIgnored {
			out.Unmatched = append(out.Unmatched, c.Header)
		}
	}
	out.Respondents, out.DateOrder, err = in.countRespondents(path, out.DateOrder)
	if err != nil {
		out.Problem = err.Error()
	}
	return out, nil
}

// countRespondents streams the file as a load would, without a store, and
// counts the respondents; the error is the reason a load would reject it.
func (in *Ingester) countRespondents(path, order string) (int, string, error) {
	info, err := fingerprint(path)
	if err != nil {
		return 0, order, err
	}
	p, err := in.open(path, info, newPracticeMatcher(nil), nil)
	if err != nil {
		return 0, order, err
	}
	defer p.close()
	n := 0
	for {
		_, err := p.next()
		if errors.Is(err, io.EOF) {
			return n, p.layout.DateOrder, nil
		}
		if err != nil {
			return n, p.layout.DateOrder, err
		}
		n++
	}
}
