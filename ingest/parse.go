package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/store"
)

// layout is what was detected about a file: its container, encoding,
// platform shape and columns.
type layout struct {
	Platform   string   `json:"platform"`
	Format     string   `json:"format"`
	Encoding   string   `json:"encoding,omitempty"`
	Delimiter  string   `json:"delimiter,omitempty"`
	Sheet      string   `json:"sheet,omitempty"`
	TitleRows  int      `json:"title_rows"`
	HeaderRows int      `json:"header_rows"`
	DateOrder  string   `json:"date_order"`
	Columns    []column `json:"columns"`
}

// parsed is a file opened and detected, ready to stream its respondents.
type parsed struct {
	layout layout
	// mapping is the mapping applied to the columns, if any.
	mapping *Mapping
	file    store.SourceFile
	rows    tabular.Table
	m       *mapper
	// rejects receives the row problems; nil when not wanted.
	rejects *rejects
	// task counts the respondent rows; nil when not wanted.
	task *progress.Task
}

// next returns the next respondent row, skipping blank rows, or io.EOF.
// At the end of the file the load has only its checks and commit left,
// and the task says so.
func (p *parsed) next() (*store.RespondentRow, error) {
	for {
		row, cells, err := p.rows.Next()
		if err == io.EOF {
			p.task.Phase("committing")
		}
		if err != nil {
			p.rejects.rejected(nil, err)
			return nil, err
		}
		r, err := p.m.mapRow(row, cells)
		if err != nil {
			p.rejects.rejected(cells, err)
			return nil, err
		}
		if r != nil {
			p.rejects.row(cells, r.Warnings)
			p.task.AddRows(1)
			return r, nil
		}
	}
}

func (p *parsed) close() error { return p.rows.Close() }

// ignored returns the headers of the columns that were not recognised.
func (p *parsed) ignored() []string {
	var out []string
	for _, c := range p.layout.Columns {
		if c.Role == roleIgnored {
			out = append(out, c.Header)
		}
	}
	return out
}

// sheetChoice returns which worksheet of a workbook to read: the one the
// options or the given mapping name, else one named by a mapping of the
// mappings folder, ms, if the workbook has it.
func (in *Ingester) sheetChoice(ms []*Mapping) tabular.SheetChoice {
	switch {
	case in.opts.Sheet != "":
		return tabular.SheetChoice{Required: in.opts.Sheet}
	case in.opts.Mapping != nil:
		return tabular.SheetChoice{Required: in.opts.Mapping.Sheet}
	}
	var ch tabular.SheetChoice
	for _, m := range ms {
		if m.Sheet != "" {
			ch.Preferred = append(ch.Preferred, m.Sheet)
		}
	}
	return ch
}

// openHeader opens the file at path as a table, at the worksheet chosen,
// and reads its header (see [Ingester.readHeader]), reading the mappings
// folder once for both. It returns the open source and the header; an
// error that comes with a header (reading ahead failed) leaves the source
// open for the caller to close, any other closes it. Reading is shown on
// task, when not nil.
func (in *Ingester) openHeader(path string, info tabular.Info, describe bool, pm *practices.Matcher, task *progress.Task) (*tabular.Source, *header, error) {
	ms, err := in.mappings()
	if err != nil {
		return nil, nil, err
	}
	src, err := openTable(path, info, in.opts.Limits, in.sheetChoice(ms), task)
	if err != nil {
		return nil, nil, err
	}
	h, err := in.readHeader(fileName(path), src, describe, ms, pm)
	if h == nil {
		src.Close()
		return nil, nil, err
	}
	return src, h, err
}

// header is the detected top of a table.
type header struct {
	det  detection
	row  int      // row number of the header
	cols []column // classified columns
	rows tabular.Table
	// ahead are the data rows read ahead, replayed by rows.
	ahead []tabular.Row
	// mapping is the mapping applied to the columns, if any.
	mapping *Mapping
}

// readHeader reads the top of src, detects its shape and classifies its
// columns, applies a mapping if one is given or fits, then reads up to the
// look-ahead limit of data rows to complete the columns (see
// [refiner.refine]; pm is the registry the answers are matched with, nil
// for none); rows replays them before the rest. An error reading ahead is
// returned with the header as far as it was completed. A table that no
// platform shape fits is read as generic from its first row of two or
// more cells, and kept when, read with its answers, a column is a
// workstream or the practice question, or a mapping applies to it: the
// columns decide, so the reason for refusing one is the one inspect shows.
// With describe it is kept anyway, so that inspection can show what a
// rejected file holds. mappings are those of the mappings folder.
func (in *Ingester) readHeader(name string, src *tabular.Source, describe bool, mappings []*Mapping, pm *practices.Matcher) (*header, error) {
	top, err := tabular.ReadAhead(src.Table, detectTop)
	if err != nil {
		return nil, err
	}
	det, ok := detectShapeFor(tabular.Cells(top), func([]string) bool { return true })
	if !ok {
		return nil, genericRejection(name, src, nil)
	}
	h := &header{det: det, row: top[det.titleRows].Num}
	cells := det.shape.headerCells(tabular.Cells(top[det.titleRows : det.titleRows+det.headerRows]))
	h.cols = classify(det.shape, cells, in.opts.Catalogue)
	m := in.opts.Mapping
	if m == nil {
		if m, err = chooseMapping(mappings, cleanHeaders(cells)); err != nil {
			return nil, err
		}
	}
	if m != nil {
		if err := m.apply(name, h.cols); err != nil {
			return nil, err
		}
	}
	h.mapping = m
	replay := &tabular.Replay{Table: src.Table, Buf: top[det.titleRows+det.headerRows:]}
	h.ahead, err = tabular.ReadAhead(replay, in.opts.Limits.LookaheadRows)
	replay.Buf = h.ahead
	h.rows = replay
	if det.shape.records {
		h.rows = &recordRows{Table: replay, col: 0}
	}
	newRefiner(in.opts.Catalogue, pm).refine(h.cols, h.ahead)
	if det.shape.last && m == nil && !describe && err == nil && !meaningfulHeader(h.cols) {
		return nil, genericRejection(name, src, h.cols)
	}
	return h, err
}

// genericRejection is the rejection of a table of no known platform whose
// columns, cols, hold no workstream and no practice question (nil when its
// header was not even read).
func genericRejection(name string, src *tabular.Source, cols []column) *RejectError {
	err := reject(name, "the header is not one of a known survey export (for example Google Forms %q or Microsoft Forms %q) and no column is a workstream of the catalogue or the practice question%s; a mapping file can say what its columns are",
		"Timestamp, …", "ID, Start time, Completion time, …", refusedColumns(cols))
	if len(src.OtherSheets) > 0 {
		err.Reason += fmt.Sprintf(", or name the sheet to read: the sheet %q was read, the workbook also has %s", src.Sheet, tabular.QuoteList(src.OtherSheets))
	}
	return err
}

// refusedColumns lists the columns considered as a workstream or the
// practice and refused, for a rejection: " (considered and refused: C,
// AG; inspect says why)", or "".
func refusedColumns(cols []column) string {
	var letters []string
	for _, c := range cols {
		switch c.reason.why {
		case whyCommonWord, whyNotPriorities, whyNotPractices:
			letters = append(letters, c.Letter)
		}
	}
	if len(letters) == 0 {
		return ""
	}
	return " (considered and refused: " + strings.Join(letters, ", ") + "; inspect says why)"
}

// mappings returns the mapping files that may apply automatically.
func (in *Ingester) mappings() ([]*Mapping, error) {
	if in.opts.Mapping != nil || in.opts.MappingsDir == "" {
		return nil, nil
	}
	return LoadMappings(in.opts.MappingsDir, in.opts.Catalogue)
}

// cleanHeaders returns header cells cleaned as columns' headers are (see
// [classify]).
func cleanHeaders(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = plainText(c)
	}
	return out
}

// layoutOf describes a file from its source and header.
func layoutOf(src *tabular.Source, h *header) layout {
	return layout{Platform: h.det.shape.platform, Format: src.Format, Encoding: src.Encoding,
		Delimiter: src.Delimiter, Sheet: src.Sheet, TitleRows: h.det.titleRows, HeaderRows: h.det.headerRows,
		Columns: h.cols}
}

// open reads a file's header, detects its shape, classifies its columns and
// reads ahead to decide the date order. The returned file streams the rest,
// writing its row problems to rj and counting its rows on task when they
// are not nil.
func (in *Ingester) open(path string, info tabular.Info, pm *practices.Matcher, rj *rejects, task *progress.Task) (p *parsed, err error) {
	name := fileName(path)
	src, h, err := in.openHeader(path, info, false, pm, task)
	if src != nil {
		defer func() {
			if err != nil {
				src.Close()
			}
		}()
	}
	if err != nil {
		return nil, err
	}
	rj.setColumns(h.cols)
	m := newMapper(name, h.det.shape, h.cols, in.opts.Catalogue,
		&dateParser{loc: in.opts.Location, excel: src.Excel, date1904: src.Date1904}, pm, in.opts.HMACKey)
	m.strictWidth = !src.Excel
	m.includePartial = in.opts.Partial == PartialInclude
	if len(m.questions) == 0 {
		return nil, &RejectError{File: name, Row: h.row, Reason: "no column matches a workstream of the catalogue" + refusedColumns(h.cols)}
	}
	rows, ahead := h.rows, h.ahead
	order, dateWarn := decideOrder(in.opts.DateOrder, ahead, m.dateColumns())
	order, dateWarn = platformOrder(h.det.shape, order, dateWarn)
	m.dates.order = order
	p = &parsed{rows: rows, m: m, layout: layoutOf(src, h), mapping: h.mapping, rejects: rj, task: task}
	p.layout.DateOrder = order.String()
	warns := fileWarnings(h.row, m, dateWarn)
	if in.opts.Encoding != "" && info.Format == tabular.FormatCSV && !tabular.HasBOM(info.Encoding) {
		warns = append(warns, store.Warning{Code: "encoding_forced",
			Message: "the text was read as " + info.Encoding + ", as the configuration forces; a byte that fits no character there was replaced by \uFFFD"})
	}
	p.file = sourceFile(name, info, p.layout, m, warns)
	return p, nil
}

// inspect returns what is detected about the file at path without loading
// it: container, encoding, platform and columns.
func (in *Ingester) inspect(path string) (layout, error) {
	info, err := fingerprint(path)
	if err != nil {
		return layout{}, err
	}
	src, h, err := in.openHeader(path, info, false, nil, nil)
	if h == nil {
		return layout{}, err
	}
	defer src.Close()
	return layoutOf(src, h), nil // a row that cannot be read is the load's problem
}

// describe is [Ingester.inspect] for any table, whether it would load or
// not: a header that fits no shape is described as generic. It also
// counts, reading the whole table, the non-blank data rows (the records,
// for a platform of several rows per record) that a load would read, and
// those the platform marks partial, and returns the mapping applied, if
// any.
func (in *Ingester) describe(path string, info tabular.Info) (l layout, c rowCounts, m *Mapping, err error) {
	src, h, err := in.openHeader(path, info, true, nil, nil)
	if h == nil {
		return layout{}, c, nil, err
	}
	defer src.Close()
	if err != nil {
		return layoutOf(src, h), c, h.mapping, err
	}
	marks := newCompletionMarks(h.det.shape, h.cols)
	for {
		_, cells, err := h.rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return layoutOf(src, h), c, h.mapping, err
		}
		if tabular.BlankRow(cells) {
			continue
		}
		if marks.isPartial(cells) {
			c.partial++
			if in.opts.Partial != PartialInclude {
				continue
			}
		}
		c.rows++
	}
	return layoutOf(src, h), c, h.mapping, nil
}

// rowCounts are the respondents of a file as inspection counts them: the
// rows read (records, for a platform of several rows per record), and
// those the platform marks partial.
type rowCounts struct{ rows, partial int }

// sourceFile describes the file for the store.
func sourceFile(name string, info tabular.Info, l layout, m *mapper, warns []store.Warning) store.SourceFile {
	f := store.SourceFile{Name: name, SHA256: info.SHA256, Size: info.Size, Platform: l.Platform,
		Format: l.Format, Encoding: l.Encoding, Warnings: warns}
	f.Workstreams = m.workstreams()
	for _, i := range m.comments {
		f.CommentQuestions = append(f.CommentQuestions, m.cols[i].Header)
	}
	return f
}

// fileWarnings lists the file-level problems: columns not recognised (a
// mapping's ignored columns are not a problem), workstreams a question
// names that another question answers, no practice column, and how the
// date order was decided.
func fileWarnings(headerRow int, m *mapper, dateWarn *store.Warning) []store.Warning {
	var out []store.Warning
	first := map[string]bool{}
	for _, c := range m.cols {
		if c.Role == roleIgnored && !c.mapped {
			out = append(out, store.Warning{Row: headerRow, Column: c.label(), Code: "column_ignored",
				Message: "column ignored: " + c.reason.String()})
		}
		for _, ws := range c.options.unused {
			if first[c.question+"\x1f"+ws] {
				continue
			}
			first[c.question+"\x1f"+ws] = true
			out = append(out, store.Warning{Row: headerRow, Column: c.label(), Code: "question_not_used",
				Message: "the answers for " + ws + " in this question were not used: another question answers that workstream"})
		}
	}
	if m.practice < 0 {
		out = append(out, store.Warning{Row: headerRow, Code: "practice_column_missing",
			Message: "no column asks for the practice; respondents are stored without one"})
	}
	if dateWarn != nil {
		out = append(out, *dateWarn)
	}
	return out
}

// decideOrder returns the date order to use: the configured one, or the
// one the dates read ahead show, with a warning when they show none or
// both.
func decideOrder(opt DateOrder, ahead []tabular.Row, dateCols []int) (DateOrder, *store.Warning) {
	if opt != DateOrderAuto {
		return opt, nil
	}
	var e dateEvidence
	for _, r := range ahead {
		for _, i := range dateCols {
			e.observe(strings.TrimSpace(cellAt(r.Cells, i)))
		}
	}
	switch {
	case e.dayFirst > 0 && e.monthFirst > 0:
		return DayFirst, &store.Warning{Code: "date_order_conflict",
			Message: "some dates put the day first and some the month; dates were read day first and the others left empty; set the date order in the configuration"}
	case e.monthFirst > 0:
		return MonthFirst, nil
	case e.dayFirst > 0:
		return DayFirst, nil
	case e.ambiguous > 0:
		return DayFirst, &store.Warning{Code: "date_order_assumed",
			Message: "no date shows whether the day or the month comes first; dates were read day first (UK); set the date order to month-first for a US-locale sheet"}
	}
	return DayFirst, nil
}

// platformOrder replaces the day-first assumption made when no date shows
// its order by the order the platform writes, with a warning that says so.
func platformOrder(sh *shape, order DateOrder, w *store.Warning) (DateOrder, *store.Warning) {
	if w == nil || w.Code != "date_order_assumed" || sh.dateOrder == DateOrderAuto {
		return order, w
	}
	return sh.dateOrder, &store.Warning{Code: "date_order_platform",
		Message: "no date shows whether the day or the month comes first; dates were read " + sh.dateOrder.String() +
			", the order " + sh.platform + " exports use; set the date order in the configuration if the account uses the other"}
}
