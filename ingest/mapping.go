package ingest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

// MappingsDir is the inbox subfolder whose mapping files apply
// automatically when no other folder is configured. It is never read as an
// export.
const MappingsDir = "mappings"

// A Mapping tells the ingester how to read one survey's export when its
// headers do not say it themselves: which column holds the practice, the
// role, the response ID, the times and the e-mail address, which columns
// are personal data or to be ignored, which workstream each answer column
// is, and the answer scale. Columns are named by their header text,
// exactly as `surveyworker inspect` prints it (one line, white space
// collapsed, several header rows merged), or by column letter. A mapping
// overrides the detection of the columns it names; the other columns are
// classified as usual.
//
// A mapping file is YAML:
//
//	practice: Q1              # or "Which practice do you work at?", or "B"
//	role: Q2
//	response_id: ResponseId
//	submitted: EndDate
//	email: Q3                 # stored only as a keyed hash
//	personal: [Q4, Q5]        # never stored
//	ignore: [Q9]
//	comment: [Q10]
//	workstreams:
//	  Q7_1: cyber-security
//	  Q7_2: telephony
//	scale:                    # optional: labels, or min and max
//	  labels: [Not a priority, Low, Medium, High, Very high]
//	  higher_is_more_important: true
//
// or the same as a list of columns, the form `surveyworker inspect
// --write-mapping` writes:
//
//	columns:
//	  - column: Q7_1
//	    role: workstream
//	    workstream: cyber-security
type Mapping struct {
	// File is where the mapping was read from, for messages.
	File string `json:"file"`
	// Columns are the columns the mapping names, in the mapping's order.
	Columns []MappedColumn `json:"columns"`
	// Scale, when set, scores the answers of every workstream column of
	// a file the mapping applies to, named or detected.
	Scale *Scale `json:"scale,omitempty"`
	// Sheet names the worksheet of a workbook to read; empty means the
	// first sheet with data.
	Sheet string `json:"sheet,omitempty"`
}

// MappedColumn is one column named by a mapping.
type MappedColumn struct {
	// Column is the header text or the column letter.
	Column string `json:"column"`
	// Role is the role's name as inspect prints it ("practice",
	// "workstream", "ignored", ...).
	Role string `json:"role"`
	// Workstream is the catalogue ID of a workstream column.
	Workstream string `json:"workstream,omitempty"`
	// Line is the line of the mapping file that names the column.
	Line int `json:"line"`

	role role
}

// Scale is the answer scale of a survey's workstream questions: ordered
// labels, or whole numbers from Min to Max.
type Scale struct {
	// Labels are the answers from least to most important when
	// HigherIsMoreImportant, from most to least otherwise.
	Labels []string `json:"labels,omitempty"`
	// Min and Max bound a numeric scale when Labels is empty.
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
	// HigherIsMoreImportant says the last label, or Max, is the highest
	// priority.
	HigherIsMoreImportant bool `json:"higher_is_more_important"`
}

// String describes the scale for inspection.
func (s *Scale) String() string {
	top := "higher is more important"
	if !s.HigherIsMoreImportant {
		top = "lower is more important"
	}
	if len(s.Labels) > 0 {
		return "labels " + strings.Join(s.Labels, ", ") + " (" + top + ")"
	}
	return fmt.Sprintf("numeric %d to %d (%s)", s.Min, s.Max, top)
}

// score reads one answer on the scale. An answer not on it is scored as
// [survey.ParsePriority] would only when that finds it missing ("N/A",
// "Don't know"); otherwise it is off the scale.
func (s *Scale) score(raw string) priority {
	var pos, steps float64
	found := false
	if len(s.Labels) > 0 {
		k := survey.NormalizeName(raw)
		for i, l := range s.Labels {
			if survey.NormalizeName(l) == k {
				pos, steps, found = float64(i), float64(len(s.Labels)-1), true
				break
			}
		}
	} else if n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64); err == nil && n == math.Trunc(n) &&
		n >= float64(s.Min) && n <= float64(s.Max) {
		pos, steps, found = n-float64(s.Min), float64(s.Max-s.Min), true
	}
	if !found {
		if _, missing, _ := survey.ParsePriority(raw); missing {
			return priority{missing: true, ok: true}
		}
		return priority{}
	}
	v := pos / steps
	if !s.HigherIsMoreImportant {
		v = 1 - v
	}
	return priority{score: survey.Score(v), ok: true}
}

// mappingRoles are the role names a mapping may give a column, with the
// spellings accepted besides [role.String].
var mappingRoles = map[string]role{
	"ignored": roleIgnored, "ignore": roleIgnored, "metadata": roleMeta,
	"response-id": roleResponseID, "started": roleStarted, "submitted": roleSubmitted,
	"email": roleEmail, "personal": rolePersonal, "practice": rolePractice, "role": roleRole,
	"workstream": roleWorkstream, "comment": roleComment,
}

// The top-level keys of a mapping file: those naming one column of a role,
// those naming a list of columns of a role, and the rest.
var (
	mappingSingles = map[string]role{"practice": rolePractice, "role": roleRole, "response_id": roleResponseID,
		"started": roleStarted, "submitted": roleSubmitted, "email": roleEmail}
	mappingLists = map[string]role{"personal": rolePersonal, "ignore": roleIgnored, "comment": roleComment}
	mappingOther = []string{"columns", "workstreams", "scale", "sheet", "description"}
)

// LoadMapping reads and validates the mapping file at path against cat.
func LoadMapping(path string, cat *survey.Catalogue) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer f.Close()
	return ParseMapping(path, f, cat)
}

// LoadMappings reads every *.yaml and *.yml file of dir, in name order. A
// missing dir holds none.
func LoadMappings(dir string, cat *survey.Catalogue) ([]*Mapping, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mappings: %w", err)
	}
	var out []*Mapping
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.Type().IsRegular() || !Ready(e.Name()) || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		m, err := LoadMapping(filepath.Join(dir, e.Name()), cat)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// mappingParser collects the columns of one mapping file.
type mappingParser struct {
	m   *Mapping
	cat *survey.Catalogue
}

// errorf returns an error naming the mapping file and the line of n.
func (p *mappingParser) errorf(n *yaml.Node, format string, args ...any) error {
	return p.m.errorf(n.Line, format, args...)
}

// errorf returns an error naming the mapping file and line.
func (m *Mapping) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("mapping %s line %d: %s", m.File, line, fmt.Sprintf(format, args...))
}

// ParseMapping reads a mapping file from r and validates it against cat
// (nil means [survey.DefaultCatalogue]); name is used in messages.
func ParseMapping(name string, r io.Reader, cat *survey.Catalogue) (*Mapping, error) {
	if cat == nil {
		cat = survey.DefaultCatalogue()
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("mapping %s: the file is empty", name)
		}
		return nil, fmt.Errorf("mapping %s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("mapping %s: the file is empty", name)
	}
	p := &mappingParser{m: &Mapping{File: name}, cat: cat}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "want keys such as practice:, workstreams: or columns:")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if err := p.key(root.Content[i], root.Content[i+1]); err != nil {
			return nil, err
		}
	}
	if len(p.m.Columns) == 0 {
		return nil, p.errorf(root, "the mapping names no column")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p.m, nil
}

// key reads one top-level key.
func (p *mappingParser) key(k, v *yaml.Node) error {
	if r, ok := mappingSingles[k.Value]; ok {
		ref, err := p.scalar(v)
		if err != nil {
			return err
		}
		return p.add(ref, r, "", v)
	}
	if r, ok := mappingLists[k.Value]; ok {
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, it := range items {
			ref, err := p.scalar(it)
			if err != nil {
				return err
			}
			if err := p.add(ref, r, "", it); err != nil {
				return err
			}
		}
		return nil
	}
	switch k.Value {
	case "columns":
		return p.columns(v)
	case "workstreams":
		if v.Kind != yaml.MappingNode {
			return p.errorf(v, "workstreams: want header: workstream-id pairs")
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			id, err := p.scalar(v.Content[i+1])
			if err != nil {
				return err
			}
			if err := p.add(v.Content[i].Value, roleWorkstream, id, v.Content[i]); err != nil {
				return err
			}
		}
		return nil
	case "scale":
		return p.scale(v)
	case "description":
		return nil
	case "sheet":
		sheet, err := p.scalar(v)
		if err != nil {
			return err
		}
		p.m.Sheet = strings.TrimSpace(sheet)
		return nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range mappingSingles {
			yield(k)
		}
		for k := range mappingLists {
			yield(k)
		}
	})
	return p.errorf(k, "unknown key %q; want one of %s", k.Value, strings.Join(append(keys, mappingOther...), ", "))
}

// scalar returns the text of a scalar node.
func (p *mappingParser) scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errorf(n, "want a single value, not a list or keys")
	}
	return n.Value, nil
}

// columns reads the list form: one entry per column.
func (p *mappingParser) columns(v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return p.errorf(v, "columns: want a list of entries with column: and role:")
	}
	for _, e := range v.Content {
		if e.Kind != yaml.MappingNode {
			return p.errorf(e, "columns: want an entry with column: and role:")
		}
		var ref, roleName, ws string
		for i := 0; i+1 < len(e.Content); i += 2 {
			val, err := p.scalar(e.Content[i+1])
			if err != nil {
				return err
			}
			switch e.Content[i].Value {
			case "column":
				ref = val
			case "role":
				roleName = val
			case "workstream":
				ws = val
			default:
				return p.errorf(e.Content[i], "unknown key %q in a column entry; want column, role or workstream", e.Content[i].Value)
			}
		}
		if roleName == "" && ws != "" {
			roleName = "workstream"
		}
		r, ok := mappingRoles[strings.ReplaceAll(strings.ToLower(roleName), "_", "-")]
		if !ok {
			return p.errorf(e, "column %q: role %q is not one of %s", ref, roleName, strings.Join(roleNames[:], ", "))
		}
		if ws != "" && r != roleWorkstream {
			return p.errorf(e, "column %q: a workstream is given but the role is %s", ref, r)
		}
		if err := p.add(ref, r, ws, e); err != nil {
			return err
		}
	}
	return nil
}

// add records one named column, checking the reference and the workstream.
func (p *mappingParser) add(ref string, r role, ws string, n *yaml.Node) error {
	ref = tabular.CleanHeader(ref)
	if ref == "" {
		return p.errorf(n, "a column is named by an empty header")
	}
	if r == roleWorkstream {
		if ws == "" {
			return p.errorf(n, "column %q: role workstream needs a workstream ID", ref)
		}
		if _, ok := p.cat.ByID(ws); !ok {
			return p.errorf(n, "column %q: unknown workstream ID %q; the catalogue has %s", ref, ws, strings.Join(p.cat.SortedIDs(), ", "))
		}
	}
	p.m.Columns = append(p.m.Columns, MappedColumn{Column: ref, Role: r.String(), Workstream: ws, Line: n.Line, role: r})
	return nil
}

// check looks for a column named twice, a single-valued role or a
// workstream given to two columns.
func (p *mappingParser) check() error {
	cols := p.m.Columns
	for i, c := range cols {
		for _, d := range cols[:i] {
			switch {
			case d.Column == c.Column:
				return p.m.errorf(c.Line, "column %q is already named on line %d", c.Column, d.Line)
			case c.role == roleWorkstream && d.role == roleWorkstream && c.Workstream == d.Workstream:
				return p.m.errorf(c.Line, "workstream %s is already given to column %q on line %d", c.Workstream, d.Column, d.Line)
			case c.role == d.role && mappedOnce(c.role):
				return p.m.errorf(c.Line, "only one column may be the %s; line %d names %q", c.role, d.Line, d.Column)
			}
		}
	}
	return nil
}

// mappedOnce reports whether a mapping may give role r to one column only:
// the single-valued roles ([single]) and the practice.
func mappedOnce(r role) bool {
	return isSingle(r) || r == rolePractice
}

// scale reads the scale: key.
func (p *mappingParser) scale(v *yaml.Node) error {
	var raw struct {
		Labels []string `yaml:"labels"`
		Min    *int     `yaml:"min"`
		Max    *int     `yaml:"max"`
		Higher *bool    `yaml:"higher_is_more_important"`
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "scale: want labels: or min: and max:, and higher_is_more_important:")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if k := v.Content[i].Value; !slices.Contains([]string{"labels", "min", "max", "higher_is_more_important"}, k) {
			return p.errorf(v.Content[i], "unknown key %q in scale; want labels, min, max or higher_is_more_important", k)
		}
	}
	if err := v.Decode(&raw); err != nil {
		return p.errorf(v, "scale: %v", err)
	}
	s := &Scale{Labels: raw.Labels}
	switch {
	case raw.Higher == nil:
		return p.errorf(v, "scale: say which end is the highest priority with higher_is_more_important: true or false")
	case len(raw.Labels) > 0 && (raw.Min != nil || raw.Max != nil):
		return p.errorf(v, "scale: give labels or min and max, not both")
	case len(raw.Labels) == 1:
		return p.errorf(v, "scale: at least two labels are needed")
	case len(raw.Labels) == 0 && (raw.Min == nil || raw.Max == nil || *raw.Min >= *raw.Max):
		return p.errorf(v, "scale: give labels, or min and max with min below max")
	}
	for i, l := range raw.Labels {
		if slices.ContainsFunc(raw.Labels[:i], func(o string) bool { return survey.NormalizeName(o) == survey.NormalizeName(l) }) {
			return p.errorf(v, "scale: label %q is given twice", l)
		}
	}
	if raw.Min != nil {
		s.Min, s.Max = *raw.Min, *raw.Max
	}
	s.HigherIsMoreImportant = *raw.Higher
	p.m.Scale = s
	return nil
}

// letterRef matches a column letter ("C", "AB").
var letterRef = regexp.MustCompile(`^[A-Z]{1,3}$`)

// letterIndex returns the index of column letter s.
func letterIndex(s string) int {
	n := 0
	for _, r := range s {
		n = n*26 + int(r-'A') + 1
	}
	return n - 1
}

// resolve finds the columns the mapping names among cleaned headers. A
// name matches a header exactly, else is taken as a column letter. It
// returns the column index of each named column, the names not found,
// and how many were found by header text; the error reports a header that
// appears in more than one column.
func (m *Mapping) resolve(headers []string) (idx []int, missing []string, byText int, err error) {
	idx = make([]int, len(m.Columns))
	for j, c := range m.Columns {
		idx[j] = -1
		for i, h := range headers {
			if h != c.Column {
				continue
			}
			if idx[j] >= 0 {
				return nil, nil, 0, m.errorf(c.Line, "header %q is in columns %s and %s; name the column by its letter",
					c.Column, columnLetter(idx[j]), columnLetter(i))
			}
			idx[j] = i
		}
		if idx[j] >= 0 {
			byText++
			continue
		}
		if letterRef.MatchString(c.Column) && letterIndex(c.Column) < len(headers) {
			idx[j] = letterIndex(c.Column)
			continue
		}
		missing = append(missing, c.Column)
	}
	return idx, missing, byText, nil
}

// fits reports whether the mapping applies automatically to headers: every
// column it names is there and at least one is named by header text.
func (m *Mapping) fits(headers []string) bool {
	_, missing, byText, err := m.resolve(headers)
	return err == nil && len(missing) == 0 && byText > 0
}

// chooseMapping returns the mapping of ms that applies to headers: the one
// naming the most columns. Two that name as many are an error.
func chooseMapping(ms []*Mapping, headers []string) (*Mapping, error) {
	var best, tied *Mapping
	for _, m := range ms {
		if !m.fits(headers) {
			continue
		}
		switch {
		case best == nil || len(m.Columns) > len(best.Columns):
			best, tied = m, nil
		case len(m.Columns) == len(best.Columns):
			tied = m
		}
	}
	if tied != nil {
		return nil, fmt.Errorf("mappings %s and %s both apply to the file, naming %d columns each; remove one or name more columns in one",
			best.File, tied.File, len(best.Columns))
	}
	return best, nil
}

// apply gives the columns the mapping names their roles, and ignores the
// other columns that were detected as a role or workstream the mapping
// gives to a named column. name is the file, for a rejection.
func (m *Mapping) apply(name string, cols []column) error {
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
	}
	idx, missing, _, err := m.resolve(headers)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return reject(name, "the mapping %s names the column %q, which is not in the file's header", m.File, missing[0])
	}
	named := map[int]bool{}
	taken := map[string]string{} // role or workstream -> letter of the named column
	for j, c := range m.Columns {
		i := idx[j]
		named[i] = true
		col := &cols[i]
		col.Role, col.Workstream, col.mapped = c.role, c.Workstream, true
		col.reason = reason{why: whyMapped, mapping: m.File}
		col.scale = numericScale{}
		if c.role == roleWorkstream {
			col.Kind, col.scale.mapping = kindPriority, m.Scale
			if m.Scale == nil {
				setScale(col)
			}
			taken["ws:"+c.Workstream] = col.Letter
		} else if mappedOnce(c.role) {
			taken["role:"+c.role.String()] = col.Letter
		}
	}
	for i := range cols {
		c := &cols[i]
		if named[i] {
			continue
		}
		key := "role:" + c.Role.String()
		if c.Role == roleWorkstream {
			key = "ws:" + c.Workstream
		}
		if letter, ok := taken[key]; ok {
			c.ignore(reason{why: whyMappedOther, other: letter})
		}
		if c.Role == roleWorkstream && m.Scale != nil {
			c.scale.mapping = m.Scale
		}
	}
	return nil
}
