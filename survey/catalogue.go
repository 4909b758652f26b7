package survey

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed catalogue.yaml
var defaultCatalogue []byte

// Workstream is one primary-care IT workstream of the roadmap with the
// workshop criteria that rank it alongside the survey.
type Workstream struct {
	// ID is a stable slug such as "cyber-security", used as the key everywhere.
	ID string `yaml:"id" json:"id"`
	// Name is the display name used in the roadmap document.
	Name string `yaml:"name" json:"name"`
	// Aliases are other names the document or surveys use for the same work.
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// DocTier is the tier the published roadmap gave the workstream.
	DocTier Tier `yaml:"doc_tier" json:"doc_tier"`
	// Mandated reports whether NHS England centrally mandates the work.
	Mandated bool `yaml:"mandated" json:"mandated"`
	// GPFV reports whether the work is needed to enable GP Forward View schemes.
	GPFV bool `yaml:"gpfv" json:"gpfv"`
	// Impact is the workshop's impact (return on investment) score, 1 to 5.
	Impact int `yaml:"impact" json:"impact"`
	// ConsideredWith lists the IDs of workstreams the document says must be
	// considered with this one.
	ConsideredWith []string `yaml:"considered_with,omitempty" json:"considered_with,omitempty"`
}

// Catalogue is the ordered list of workstreams being ranked.
type Catalogue struct {
	Workstreams []Workstream `yaml:"workstreams"`
}

// DefaultCatalogue returns the 21 workstreams of the Oxfordshire Primary
// Care IT Roadmap, embedded in the binary.
func DefaultCatalogue() *Catalogue {
	c, err := ParseCatalogue(strings.NewReader(string(defaultCatalogue)))
	if err != nil {
		panic("survey: embedded catalogue is invalid: " + err.Error())
	}
	return c
}

// LoadCatalogue reads a catalogue YAML file. An empty path returns
// [DefaultCatalogue].
func LoadCatalogue(path string) (*Catalogue, error) {
	if path == "" {
		return DefaultCatalogue(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	defer f.Close()
	c, err := ParseCatalogue(f)
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", path, err)
	}
	return c, nil
}

// ParseCatalogue decodes and validates a catalogue in YAML.
func ParseCatalogue(r io.Reader) (*Catalogue, error) {
	var c Catalogue
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks that IDs are unique and non-empty, impacts are 1 to 5,
// tiers are known, every ConsideredWith ID exists and no workstream lists
// itself, and that no name or alias is claimed by two workstreams.
func (c *Catalogue) Validate() error {
	if len(c.Workstreams) == 0 {
		return fmt.Errorf("no workstreams")
	}
	ids := map[string]bool{}
	for _, w := range c.Workstreams {
		if w.ID == "" || w.Name == "" {
			return fmt.Errorf("workstream %q: id and name are required", w.ID+w.Name)
		}
		if ids[w.ID] {
			return fmt.Errorf("workstream %q listed twice", w.ID)
		}
		ids[w.ID] = true
		if w.Impact < 1 || w.Impact > 5 {
			return fmt.Errorf("workstream %q: impact %d is not between 1 and 5", w.ID, w.Impact)
		}
		if w.DocTier != "" && !w.DocTier.Valid() {
			return fmt.Errorf("workstream %q: unknown tier %q", w.ID, w.DocTier)
		}
	}
	names := map[string]string{}
	for _, w := range c.Workstreams {
		for _, o := range w.ConsideredWith {
			if !ids[o] {
				return fmt.Errorf("workstream %q: considered_with names unknown workstream %q", w.ID, o)
			}
			if o == w.ID {
				return fmt.Errorf("workstream %q: considered_with names itself", w.ID)
			}
		}
		for _, n := range append([]string{w.Name, w.ID}, w.Aliases...) {
			k := NormalizeName(n)
			if prev, ok := names[k]; ok && prev != w.ID {
				return fmt.Errorf("name %q is used by both %q and %q", n, prev, w.ID)
			}
			names[k] = w.ID
		}
	}
	return nil
}

// ByID returns the workstream with the given ID.
func (c *Catalogue) ByID(id string) (Workstream, bool) {
	for _, w := range c.Workstreams {
		if w.ID == id {
			return w, true
		}
	}
	return Workstream{}, false
}

// Match returns the workstream whose name, ID or alias equals s after
// [NormalizeName]. It reports false when nothing matches.
func (c *Catalogue) Match(s string) (Workstream, bool) {
	k := NormalizeName(s)
	if k == "" {
		return Workstream{}, false
	}
	for _, w := range c.Workstreams {
		if NormalizeName(w.ID) == k || NormalizeName(w.Name) == k {
			return w, true
		}
		for _, a := range w.Aliases {
			if NormalizeName(a) == k {
				return w, true
			}
		}
	}
	return Workstream{}, false
}

// Mention returns the one workstream whose name, ID or alias appears in s
// as whole words after [NormalizeName] ("How important is Cyber Security
// to your practice?"). It reports false when none appears, or when
// phrases of two different workstreams do, unless one phrase lies inside
// the other ("Patient Online" inside "Patient Online access"), when the
// longer one counts.
func (c *Catalogue) Mention(s string) (Workstream, bool) {
	text := " " + NormalizeName(s) + " "
	type hit struct {
		w      Workstream
		phrase string
	}
	var hits []hit
	for _, w := range c.Workstreams {
		for _, p := range append([]string{w.ID, w.Name}, w.Aliases...) {
			if k := NormalizeName(p); k != "" && strings.Contains(text, " "+k+" ") {
				hits = append(hits, hit{w, k})
			}
		}
	}
	var best *hit
	for i := range hits {
		h := &hits[i]
		inside := false
		for _, o := range hits {
			if o.w.ID != h.w.ID && len(o.phrase) > len(h.phrase) && strings.Contains(" "+o.phrase+" ", " "+h.phrase+" ") {
				inside = true
			}
		}
		switch {
		case inside:
		case best == nil:
			best = h
		case best.w.ID != h.w.ID:
			return Workstream{}, false
		}
	}
	if best == nil {
		return Workstream{}, false
	}
	return best.w, true
}

// Dependents returns, for each workstream ID, the number of other
// workstreams that list it in ConsideredWith. Duplicate listings count once.
func (c *Catalogue) Dependents() map[string]int {
	seen := map[[2]string]bool{}
	out := make(map[string]int, len(c.Workstreams))
	for _, w := range c.Workstreams {
		out[w.ID] += 0
		for _, o := range w.ConsideredWith {
			k := [2]string{w.ID, o}
			if !seen[k] {
				seen[k] = true
				out[o]++
			}
		}
	}
	return out
}

// IDs returns the workstream IDs in catalogue order.
func (c *Catalogue) IDs() []string {
	out := make([]string, len(c.Workstreams))
	for i, w := range c.Workstreams {
		out[i] = w.ID
	}
	return out
}

// SortedIDs returns the workstream IDs in lexical order.
func (c *Catalogue) SortedIDs() []string {
	out := c.IDs()
	sort.Strings(out)
	return out
}
