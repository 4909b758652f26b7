package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/surveyworker/surveyworker/survey"
)

// CriteriaOverride is one workstream's entry in a criteria file: the
// workshop criteria it sets. A nil field keeps the catalogue's value.
type CriteriaOverride struct {
	// Line is the entry's line in the file, for error messages.
	Line int
	// Workstream is the workstream ID.
	Workstream string
	// Mandated and GPFV are yes/no criteria.
	Mandated, GPFV *bool
	// Impact is the workshop impact, 1 to 5.
	Impact *int
	// ConsideredWith, when not nil, replaces the workstream's "considered
	// with" list.
	ConsideredWith []string
}

// criteriaColumns are the columns a criteria CSV may have; workstream (or
// id) is required.
var criteriaColumns = []string{"workstream", "mandated", "gpfv", "impact", "considered_with"}

// LoadCriteria reads the criteria file at path, CSV or YAML by its
// extension (.csv, .yaml, .yml), and returns a copy of cat with its
// workshop criteria overridden. Errors name the file and line.
func LoadCriteria(path string, cat *survey.Catalogue) (*survey.Catalogue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("criteria: %w", err)
	}
	defer f.Close()
	var overrides []CriteriaOverride
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		overrides, err = ParseCriteriaCSV(f)
	case ".yaml", ".yml":
		overrides, err = ParseCriteriaYAML(f)
	default:
		return nil, fmt.Errorf("criteria %s: unknown extension %q (want .csv, .yaml or .yml)", path, ext)
	}
	if err == nil {
		cat, err = ApplyCriteria(cat, overrides)
	}
	var le *lineError
	if errors.As(err, &le) {
		return nil, fmt.Errorf("criteria %s:%d: %w", path, le.line, le.err)
	}
	if err != nil {
		return nil, fmt.Errorf("criteria %s: %w", path, err)
	}
	return cat, nil
}

// lineError is an error at a line of a criteria file; [LoadCriteria]
// reports it as "FILE:LINE: ...".
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

func atLine(line int, format string, args ...any) error {
	return &lineError{line, fmt.Errorf(format, args...)}
}

// ParseCriteriaCSV reads criteria from CSV with a header row naming the
// columns, in any order and case: workstream (or id) is required; mandated
// and gpfv (yes/no), impact (1–5) and considered_with (IDs separated by
// ';') are optional. An empty cell keeps the catalogue's value.
func ParseCriteriaCSV(r io.Reader) ([]CriteriaOverride, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, atLine(1, "header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if name == "id" {
			name = "workstream"
		}
		if !slices.Contains(criteriaColumns, name) {
			return nil, atLine(1, "unknown column %q (want %s)", h, strings.Join(criteriaColumns, ", "))
		}
		col[name] = i
	}
	if _, ok := col["workstream"]; !ok {
		return nil, atLine(1, "no workstream column")
	}
	var out []CriteriaOverride
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, atLine(line, "%w", err)
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		o := CriteriaOverride{Line: line}
		for _, name := range criteriaColumns {
			if err := o.set(name, cell(name), cell(name) != ""); err != nil {
				return nil, atLine(line, "%w", err)
			}
		}
		out = append(out, o)
	}
}

// ParseCriteriaYAML reads criteria from YAML: a list of entries, either at
// the top level or under "workstreams", each a mapping with id (or
// workstream) and any of mandated, gpfv, impact and considered_with (a
// list of IDs).
func ParseCriteriaYAML(r io.Reader) ([]CriteriaOverride, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	list := doc.Content[0]
	if list.Kind == yaml.MappingNode {
		if len(list.Content) != 2 || list.Content[0].Value != "workstreams" {
			return nil, atLine(list.Line, "want a list of workstreams, or a mapping with the single key workstreams")
		}
		list = list.Content[1]
	}
	if list.Kind != yaml.SequenceNode {
		return nil, atLine(list.Line, "want a list of workstreams")
	}
	var out []CriteriaOverride
	for _, item := range list.Content {
		o, err := criteriaEntry(item)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// criteriaEntry decodes one YAML entry.
func criteriaEntry(item *yaml.Node) (CriteriaOverride, error) {
	o := CriteriaOverride{Line: item.Line}
	if item.Kind != yaml.MappingNode {
		return o, atLine(item.Line, "want a mapping with id and criteria")
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		name := strings.ToLower(k.Value)
		if name == "id" {
			name = "workstream"
		}
		if !slices.Contains(criteriaColumns, name) {
			return o, atLine(k.Line, "unknown key %q (want id, %s)", k.Value, strings.Join(criteriaColumns[1:], ", "))
		}
		text := v.Value
		if name == "considered_with" {
			if v.Kind != yaml.SequenceNode {
				return o, atLine(v.Line, "considered_with: want a list of workstream IDs")
			}
			var ids []string
			for _, c := range v.Content {
				ids = append(ids, c.Value)
			}
			text = strings.Join(ids, ";")
		} else if v.Kind != yaml.ScalarNode {
			return o, atLine(v.Line, "%s: want a single value", name)
		}
		if err := o.set(name, text, true); err != nil {
			return o, atLine(v.Line, "%w", err)
		}
	}
	if o.Workstream == "" {
		return o, atLine(item.Line, "entry without id")
	}
	return o, nil
}

// set parses the value of one criterion; present is false for an empty
// CSV cell, which keeps the catalogue value.
func (o *CriteriaOverride) set(name, value string, present bool) error {
	if !present {
		if name == "workstream" {
			return errors.New("empty workstream")
		}
		return nil
	}
	switch name {
	case "workstream":
		o.Workstream = value
	case "mandated", "gpfv":
		b, err := parseYesNo(value)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if name == "mandated" {
			o.Mandated = &b
		} else {
			o.GPFV = &b
		}
	case "impact":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 5 {
			return fmt.Errorf("impact %q: want a whole number from 1 to 5", value)
		}
		o.Impact = &n
	case "considered_with":
		o.ConsideredWith = []string{}
		for _, id := range strings.Split(value, ";") {
			if id = strings.TrimSpace(id); id != "" {
				o.ConsideredWith = append(o.ConsideredWith, id)
			}
		}
	}
	return nil
}

// parseYesNo reads yes/no, y/n, true/false or 1/0 in any case.
func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1":
		return true, nil
	case "no", "n", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q: want yes or no", s)
}

// ApplyCriteria returns a copy of cat with the overrides applied, in file
// order. It reports an error naming the line for an unknown workstream ID
// (in the entry or its considered_with list) or a workstream listed twice,
// and validates the result.
func ApplyCriteria(cat *survey.Catalogue, overrides []CriteriaOverride) (*survey.Catalogue, error) {
	out := &survey.Catalogue{Workstreams: slices.Clone(cat.Workstreams)}
	at := map[string]int{}
	for i, w := range out.Workstreams {
		at[w.ID] = i
	}
	seen := map[string]int{}
	for _, o := range overrides {
		i, ok := at[o.Workstream]
		if !ok {
			return nil, atLine(o.Line, "unknown workstream %q", o.Workstream)
		}
		if first, dup := seen[o.Workstream]; dup {
			return nil, atLine(o.Line, "workstream %q already given on line %d", o.Workstream, first)
		}
		seen[o.Workstream] = o.Line
		w := &out.Workstreams[i]
		if o.Mandated != nil {
			w.Mandated = *o.Mandated
		}
		if o.GPFV != nil {
			w.GPFV = *o.GPFV
		}
		if o.Impact != nil {
			w.Impact = *o.Impact
		}
		if o.ConsideredWith != nil {
			for _, id := range o.ConsideredWith {
				if _, ok := at[id]; !ok {
					return nil, atLine(o.Line, "workstream %q: considered_with names unknown workstream %q", o.Workstream, id)
				}
			}
			w.ConsideredWith = o.ConsideredWith
		}
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}
