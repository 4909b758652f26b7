package ingest

import (
	"slices"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

// A shape is one survey platform's export layout: how to recognise it from
// the rows at the top of a table, which metadata columns it writes, and
// what identifies a respondent. Shapes are tried in [shapes] order, so a
// more specific shape goes before a more general one.
type shape struct {
	// platform is the name stored with the file, e.g. "google-forms".
	platform string
	// detect reports whether top, the rows from the candidate header row
	// down, is this shape, and how many header rows it has.
	detect func(top [][]string) (headerRows int, ok bool)
	// meta maps folded metadata headers to their roles.
	meta map[string]role
	// exactMeta is true when meta's keys are headers as written, case and
	// punctuation included: a platform whose metadata names ("_notes",
	// "Status") would otherwise catch questions ("Notes", "status").
	exactMeta bool
	// metaPrefixes and metaSuffixes are folded prefixes and suffixes of
	// metadata headers.
	metaPrefixes, metaSuffixes []string
	// first, when set, is the role of the first column whatever its
	// header (REDCap's record ID, named as the project names it).
	first role
	// completion, when set, is how the platform marks a response partial.
	completion *completion
	// records is true for a platform that writes one row per record and
	// event (REDCap's longitudinal projects): the rows of one record that
	// follow each other are one respondent.
	records bool
	// key returns what identifies the respondent of a row, or nil to use
	// the row's content.
	key func(r rowFields) []string
	// headers merges the header rows into one header per column; nil
	// means the single header row as it is.
	headers func(rows [][]string) []string
	// dateOrder is the order of day and month the platform writes, used
	// when the dates of a file do not show it; DateOrderAuto for none.
	dateOrder DateOrder
	// unescape, when set, undoes the platform's escaping in a data cell
	// before it is read (SmartSurvey's "@SQ@" for an apostrophe).
	unescape func(cell string) string
	// last marks a shape that fits almost any table ([generic]): it is
	// tried only after every other shape failed at every title-row offset,
	// and only on a header row that detection's accept function approves.
	last bool
}

// rowFields are the identifying fields of one row, for [shape.key].
type rowFields struct {
	responseID         string
	started, submitted time.Time
}

// responseKey returns a [shape.key] that identifies a respondent by the
// row's response ID, labelled label, or by the row's content when it has
// none.
func responseKey(label string) func(rowFields) []string {
	return func(r rowFields) []string {
		if r.responseID == "" {
			return nil
		}
		return []string{label, r.responseID}
	}
}

// timedResponseKey is [responseKey] with the row's start and submit
// times, for platforms whose response IDs are unique only within one
// survey.
func timedResponseKey(label string) func(rowFields) []string {
	return func(r rowFields) []string {
		if r.responseID == "" {
			return nil
		}
		return []string{label, r.responseID, utcText(r.started), utcText(r.submitted)}
	}
}

// keyTimeLayout is how a time enters a respondent key: UTC to the
// minute. A spreadsheet that re-saves an export often drops the seconds
// ("03/11/2026 09:15"), and the same respondent must keep the same key.
const keyTimeLayout = "2006-01-02T15:04Z"

// utcText formats t for a respondent key, or "" for the zero time.
func utcText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(keyTimeLayout)
}

// shapes is the registry of known export layouts, most specific first.
// LimeSurvey goes after the other platforms: without its metadata columns
// it is recognised by a ranking block alone. [generic] stays last.
var shapes = []*shape{microsoftForms, googleForms, surveyMonkey, qualtrics, typeform, smartSurvey, jisc,
	koboToolbox, odkCentral, redCap, surveyGizmo, limeSurvey, generic}

// maxTitleRows is how many rows above the header (a title, a blank line
// left by an export tool) detection looks past.
const maxTitleRows = 3

// detectTop is how many rows from the top of a table detection reads.
const detectTop = maxTitleRows + 3

// detection is a recognised layout.
type detection struct {
	shape      *shape
	titleRows  int
	headerRows int
}

// detectShape finds the shape of a table from its top rows, trying the
// first row as the header, then each of the next maxTitleRows. Shapes
// marked last are not tried; see [detectShapeFor].
func detectShape(top [][]string) (detection, bool) {
	return detectShapeFor(top, nil)
}

// detectShapeFor is [detectShape] followed, when no platform shape fits at
// any offset, by the shapes marked last on the header rows that accept
// approves (a nil accept approves none), at the first offset they fit.
// Trying them only afterwards keeps a title row above a platform's header
// from being taken as a generic header, and stopping at the first fit
// keeps a data row from being taken for one.
func detectShapeFor(top [][]string, accept func(header []string) bool) (detection, bool) {
	for _, last := range []bool{false, true} {
		if last && accept == nil {
			break
		}
		for skip := 0; skip <= maxTitleRows && skip < len(top); skip++ {
			for _, sh := range shapes {
				if sh.last != last {
					continue
				}
				n, ok := sh.detect(top[skip:])
				if !ok || skip+n > len(top) {
					continue
				}
				if !last || accept(top[skip]) {
					return detection{shape: sh, titleRows: skip, headerRows: n}, true
				}
				// The first row such a shape fits is its header or
				// nothing: the rows below it are data.
				return detection{}, false
			}
		}
	}
	return detection{}, false
}

// headerCells returns one header per column from the shape's header rows.
func (s *shape) headerCells(rows [][]string) []string {
	if s.headers == nil {
		return rows[0]
	}
	return s.headers(rows)
}

// metaRole returns the role of a folded metadata header of this shape.
func (s *shape) metaRole(f string) (role, bool) {
	if r, ok := s.meta[f]; ok {
		return r, true
	}
	for _, p := range s.metaPrefixes {
		if strings.HasPrefix(f, p) {
			return roleMeta, true
		}
	}
	for _, p := range s.metaSuffixes {
		if strings.HasSuffix(f, p) {
			return roleMeta, true
		}
	}
	return 0, false
}

// completion is how a platform marks a response partial: the columns that
// say, and the values that mean partial. See [completionMarks].
type completion struct {
	// column reports whether a folded header is such a column.
	column func(f string) bool
	// partial reports whether a column's cleaned value marks the response
	// partial.
	partial func(v string) bool
	// bySection is true when each section of the questionnaire has a
	// column of its own after its questions (REDCap's form status): only
	// those of the sections holding workstream questions count, or all
	// when none does.
	bySection bool
}

// headerIs returns a completion column test for the folded headers given.
func headerIs(names ...string) func(string) bool {
	return func(f string) bool { return slices.Contains(names, f) }
}

// valueIs returns a completion value test for the values given, in any
// case.
func valueIs(values ...string) func(string) bool {
	return func(v string) bool {
		return slices.ContainsFunc(values, func(w string) bool { return strings.EqualFold(v, w) })
	}
}

// anyHeader reports whether a raw header of row, cleaned, is one of names
// exactly (case matters: "_uuid", "redcap_event_name").
func anyHeader(row []string, names ...string) bool {
	for _, c := range row {
		if slices.Contains(names, tabular.CleanHeader(c)) {
			return true
		}
	}
	return false
}

// fold returns a header cell folded for comparison.
func fold(s string) string {
	return survey.NormalizeName(tabular.CleanHeader(s))
}

// headerStarts reports whether the folded cells of row begin with want.
func headerStarts(row []string, want ...string) bool {
	if len(row) < len(want) {
		return false
	}
	for i, w := range want {
		if fold(row[i]) != w {
			return false
		}
	}
	return true
}
