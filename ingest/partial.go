package ingest

import (
	"errors"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

// Partial says whether responses a platform marks partial are loaded.
type Partial int

const (
	// PartialExclude leaves partial responses out, counting them in the
	// file's summary. It is the zero value.
	PartialExclude Partial = iota
	// PartialInclude loads them as any other response, counting them too.
	PartialInclude
)

// String returns "exclude" or "include".
func (p Partial) String() string {
	if p == PartialInclude {
		return "include"
	}
	return "exclude"
}

// ParsePartial parses the names [Partial.String] returns.
func ParsePartial(s string) (Partial, error) {
	switch s {
	case "", "exclude":
		return PartialExclude, nil
	case "include":
		return PartialInclude, nil
	}
	return PartialExclude, errors.New("want include or exclude")
}

// completionMarks finds, in the rows of a file, the responses its
// platform marks partial ([shape.completion]).
type completionMarks struct {
	cols    []int
	partial func(string) bool
}

// newCompletionMarks returns the marks of the columns cols of a file of
// shape sh; a shape without completion marks none.
func newCompletionMarks(sh *shape, cols []column) completionMarks {
	c := sh.completion
	if c == nil {
		return completionMarks{}
	}
	var all, used []int
	holds := false // the section before the next mark holds a workstream column
	for i, col := range cols {
		if col.Role == roleWorkstream {
			holds = true
		}
		if !c.column(fold(col.Header)) {
			continue
		}
		all = append(all, i)
		if holds {
			used = append(used, i)
		}
		holds = false
	}
	if !c.bySection || len(used) == 0 {
		used = all
	}
	return completionMarks{cols: used, partial: c.partial}
}

// isPartial reports whether the row of cells is marked partial.
func (m completionMarks) isPartial(cells []string) bool {
	for _, i := range m.cols {
		if i < len(cells) && m.partial(tabular.CleanCell(cells[i])) {
			return true
		}
	}
	return false
}

// recordRows reads a table whose consecutive rows with the same record ID
// in column col are one record (REDCap's rows per record and event): each
// record is returned as one row, numbered as its first, every cell the
// first non-blank one of its rows.
type recordRows struct {
	tabular.Table
	col     int
	pending *tabular.Row
	err     error
}

func (r *recordRows) Next() (int, []string, error) {
	cur := r.pending
	r.pending = nil
	if cur == nil {
		if r.err != nil {
			return 0, nil, r.err
		}
		row, cells, err := r.nextFilled()
		if err != nil {
			return row, cells, err
		}
		cur = &tabular.Row{Num: row, Cells: cells}
	}
	id := cellAt(cur.Cells, r.col)
	merged := cur.Cells
	for id != "" {
		row, cells, err := r.nextFilled()
		if err != nil {
			r.err = err
			break
		}
		if cellAt(cells, r.col) != id {
			r.pending = &tabular.Row{Num: row, Cells: cells}
			break
		}
		merged = fillBlanks(merged, cells)
	}
	return cur.Num, merged, nil
}

// nextFilled returns the next row that is not blank.
func (r *recordRows) nextFilled() (int, []string, error) {
	for {
		row, cells, err := r.Table.Next()
		if err != nil || !tabular.BlankRow(cells) {
			return row, cells, err
		}
	}
}

// fillBlanks returns into with its blank cells filled from more, and any
// cells more has past its end.
func fillBlanks(into, more []string) []string {
	out := make([]string, max(len(into), len(more)))
	copy(out, into)
	for i, v := range more {
		if tabular.CleanCell(out[i]) == "" {
			out[i] = v
		}
	}
	return out
}
