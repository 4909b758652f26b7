package ingest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/surveyworker/surveyworker/survey"
)

// role is what a column holds.
type role int

// Column roles. Only workstream, practice, role, comment and the timestamps
// and response ID are read; e-mail is read only to be hashed.
const (
	roleIgnored    role = iota // not recognised: reported, never stored
	roleMeta                   // platform metadata not needed (scores, last modified)
	roleResponseID             // the platform's response ID
	roleStarted                // when the respondent started
	roleSubmitted              // when the response was submitted
	roleEmail                  // e-mail address: stored only as a keyed hash
	rolePersonal               // name, IP address, phone: never stored
	rolePractice               // the respondent's practice (name or ODS code)
	roleRole                   // the respondent's job role
	roleWorkstream             // a priority answer for one workstream
	roleComment                // free text, stored with personal data masked
)

var roleNames = [...]string{"ignored", "metadata", "response-id", "started", "submitted",
	"email", "personal", "practice", "role", "workstream", "comment"}

func (r role) String() string { return roleNames[r] }

// MarshalText writes the role's name, for golden files and inspection.
func (r role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// column is one classified column of a file. What the column is read as
// is held once, in typed fields; the note, confidence and warnings about
// it are derived from them.
type column struct {
	Index  int
	Letter string
	Header string
	Role   role
	// Workstream is the catalogue ID a workstream column answers; for the
	// rank-slot and multi-select kinds, options.offered name them instead.
	Workstream string
	// Kind is the kind of a workstream column's question.
	Kind kind
	// question is the question the column belongs to, for grouping a
	// grid's columns.
	question string
	// scale is how a priority column's answers are read.
	scale numericScale
	// rank is a ranking's size: ranked positions and items offered.
	rank rankSize
	// slot is the position of a rank-slot column; level the scale level a
	// level column stands for.
	slot  int
	level string
	// options are the workstreams a rank-slot or multi-select column may
	// name.
	options optionSet
	// reason says how the role was decided.
	reason reason
	// mapped is true when a mapping named the column.
	mapped bool
}

// rankSize is the size of a ranking: k ranked positions of n items
// offered.
type rankSize struct{ k, n int }

// String describes the ranking for inspection: "rank 1-5", "top 3 of 8".
func (r rankSize) String() string {
	if r.k >= r.n {
		return fmt.Sprintf("rank 1-%d", r.k)
	}
	return fmt.Sprintf("top %d of %d", r.k, r.n)
}

// optionSet is what a rank-slot or multi-select column may name.
type optionSet struct {
	// offered are the workstreams it may name, in catalogue order.
	offered []string
	// unused are the workstreams it names that another question answers.
	unused []string
}

// scaleText is the column's scale in a layout: a numeric scale stated or
// read from the answers, a ranking's size, or one column per level; empty
// for a priority column on the usual scale.
func (c column) scaleText() string {
	if c.Role != roleWorkstream {
		return ""
	}
	switch c.Kind {
	case kindPriority:
		return c.scale.String()
	case kindRanking, kindRankSlot:
		return c.rank.String()
	case kindLevel:
		return "one column per level"
	}
	return ""
}

// columnJSON is a column as golden files and inspection write it.
type columnJSON struct {
	Letter     string   `json:"letter"`
	Header     string   `json:"header"`
	Role       role     `json:"role"`
	Workstream string   `json:"workstream,omitempty"`
	Reversed   bool     `json:"reversed,omitempty"`
	Kind       kind     `json:"kind,omitempty"`
	Scale      string   `json:"scale,omitempty"`
	Options    []string `json:"options,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// MarshalJSON writes the column with its derived scale and note.
func (c column) MarshalJSON() ([]byte, error) {
	j := columnJSON{Letter: c.Letter, Header: c.Header, Role: c.Role, Workstream: c.Workstream,
		Scale: c.scaleText(), Note: c.reason.String()}
	if c.Role == roleWorkstream {
		j.Reversed, j.Kind, j.Options = c.reversed(), c.Kind, c.options.offered
	}
	return json.Marshal(j)
}

// reversed reports whether a priority column's numbers run from 1 as the
// highest priority.
func (c column) reversed() bool {
	return c.Kind == kindPriority && c.scale.reversed && c.scale.mapping == nil
}

// label returns the column as used in warnings: its letter and header.
func (c column) label() string {
	return c.Letter + ` "` + shorten(c.Header, 60) + `"`
}

// ignore makes the column one that is not read, for reason r.
func (c *column) ignore(r reason) {
	c.Role, c.Workstream, c.Kind, c.reason = roleIgnored, "", kindPriority, r
	c.options = optionSet{}
}

// classify gives every header, without HTML (see [plainText]), a role:
// first the shape's metadata, then
// personal data, workstreams (matched against cat), free text, role and
// practice questions. What the header tells of the question's kind is set
// too (see [headerKind]); the rest comes from the data rows, in [refine],
// which also drops duplicates.
func classify(sh *shape, headers []string, cat *survey.Catalogue) []column {
	cols := make([]column, len(headers))
	for i, h := range headers {
		c := column{Index: i, Letter: columnLetter(i), Header: plainText(h)}
		c.Role, c.Workstream, c.reason = classifyHeader(sh, c.Header, cat)
		if i == 0 && sh.first != roleIgnored {
			c.Role, c.Workstream, c.reason = sh.first, "", because(whyMeta)
		}
		headerKind(&c)
		cols[i] = c
	}
	spreadLevels(cols, cat)
	keepBestPractice(cols)
	return cols
}

// classifyHeader returns the role of one cleaned header, the workstream of
// a workstream column and the reason. A header that means nothing to the
// ingester is whyUnrecognised; [refine] may still find it a question.
func classifyHeader(sh *shape, h string, cat *survey.Catalogue) (role, string, reason) {
	f := survey.NormalizeName(h)
	// A header of symbols alone folds to nothing, so it is looked up as
	// written (Typeform's "#").
	key := f
	if key == "" || sh.exactMeta {
		key = h
	}
	if r, ok := sh.metaRole(key); ok {
		return r, "", because(whyMeta)
	}
	if d, ok := personalItem(h); ok {
		return rolePersonal, "", reason{why: whyPersonal, data: d}
	}
	if r, d, ok := personalHeader(h); ok {
		return r, "", reason{why: whyPersonal, data: d}
	}
	if ws, how, ok := matchWorkstream(cat, h); ok {
		return roleWorkstream, ws, because(how)
	}
	switch {
	case f == "":
		return roleMeta, "", because(whyEmptyHeader)
	case hasAnyPhrase(f, commentPhrases), bracketedFold(h) == "other please specify":
		return roleComment, "", because(whyNone)
	case hasAnyPhrase(f, rolePhrases):
		return roleRole, "", because(whyNone)
	case hasAnyPhrase(f, practicePhrases):
		return rolePractice, "", because(whyNone)
	}
	return roleIgnored, "", because(whyUnrecognised)
}

// Phrases, in folded form, that mark a question's kind.
var (
	commentPhrases  = []string{"comment", "comments", "anything else", "any other", "feedback", "suggestion", "suggestions", "please explain", "please tell us", "why", "further information", "additional information", "other thoughts"}
	rolePhrases     = []string{"role", "job title", "job role", "occupation"}
	practicePhrases = []string{"practice", "surgery", "ods code", "gp practice", "practice name"}
	// strongPracticePhrases make a practice question the preferred one.
	strongPracticePhrases = []string{"which", "name", "ods", "code"}
)

// hasAnyPhrase reports whether folded text f contains one of the phrases
// as whole words.
func hasAnyPhrase(f string, phrases []string) bool {
	padded := " " + f + " "
	for _, p := range phrases {
		if strings.Contains(padded, " "+p+" ") {
			return true
		}
	}
	return false
}

// bracketedFold returns the folded item in a header's last [brackets], or
// "" when it has none.
func bracketedFold(h string) string {
	return survey.NormalizeName(bracketedItem(h))
}

// personalItem reports whether the item in a header's last [brackets]
// names personal data, as in a contact-details block ("Contact
// information [Email Address]"). Such an e-mail is an answer, not the
// respondent's identity, so it is not stored at all.
func personalItem(h string) (personalData, bool) {
	item := bracketedItem(h)
	if item == "" {
		return 0, false
	}
	_, d, ok := personalHeader(item)
	if ok && d == dataEmail {
		d = dataEmailAnswer
	}
	return d, ok
}

// ampersands spells out "&" and "+" before a text is matched against the
// catalogue.
var ampersands = strings.NewReplacer("&", " and ", "+", " and ")

// matchWorkstream matches a header to a catalogue workstream: the item in
// the last [brackets] (a grid question), the whole header, or the text
// after " - " (a Likert statement under a question). It returns the
// workstream ID and how it matched.
func matchWorkstream(cat *survey.Catalogue, h string) (id string, how why, ok bool) {
	h = ampersands.Replace(h)
	if i, j := strings.LastIndex(h, "["), strings.LastIndex(h, "]"); i >= 0 && j > i {
		if w, ok := matchCatalogue(cat, h[i+1:j]); ok {
			return w.ID, whyBracketed, true
		}
	}
	if w, ok := matchCatalogue(cat, h); ok {
		return w.ID, whyHeader, true
	}
	if i := strings.LastIndex(h, " - "); i >= 0 {
		if w, ok := matchCatalogue(cat, h[i+3:]); ok {
			return w.ID, whyAfterDash, true
		}
		if w, ok := matchCatalogue(cat, h[:i]); ok {
			return w.ID, whyBeforeDash, true
		}
	}
	return "", whyNone, false
}

// keepBestPractice keeps one practice column: the first that asks for a
// name or code ("Which practice…", "Practice name", "ODS code"), else the
// first; the others are ignored.
func keepBestPractice(cols []column) {
	best := -1
	for i, c := range cols {
		if c.Role != rolePractice {
			continue
		}
		strong := hasAnyPhrase(survey.NormalizeName(c.Header), strongPracticePhrases)
		if best < 0 || (strong && !hasAnyPhrase(survey.NormalizeName(cols[best].Header), strongPracticePhrases)) {
			best = i
		}
	}
	for i := range cols {
		if cols[i].Role == rolePractice && i != best {
			cols[i].ignore(reason{why: whyPracticeOther, other: cols[best].Letter})
		}
	}
}

// single lists the roles a file may have only once; later columns are
// ignored.
var single = []role{roleResponseID, roleStarted, roleSubmitted, roleEmail, roleRole}

// dropDuplicates ignores a second column for a single-valued role, and
// keeps one question per workstream: a priority question before any other
// kind, else the first in column order. A later workstream column is
// ignored with a note; a workstream named among the options of a later
// rank-position or multi-select column is left out of its options and
// recorded as unused, for a file warning.
func dropDuplicates(cols []column) {
	seen := map[string]int{}
	for i, c := range cols {
		if !isSingle(c.Role) {
			continue
		}
		key := c.Role.String()
		if first, ok := seen[key]; ok {
			if c.Role == roleRole && c.question == cols[first].question && c.question != c.Header {
				// SurveyMonkey's expanded export: one column per option.
				cols[i].reason = reason{why: whyRoleOption, other: cols[first].Letter}
				continue
			}
			cols[i].ignore(reason{why: whyDuplicate, other: cols[first].Letter})
			continue
		}
		seen[key] = i
	}
	type claim struct{ letter, question string }
	claimed := map[string]claim{}
	for _, priority := range []bool{true, false} {
		for i := range cols {
			c := &cols[i]
			if c.Role != roleWorkstream || (c.Kind == kindPriority) != priority {
				continue
			}
			q := string(c.Kind) + "\x1f" + c.question
			if c.Kind == kindRankSlot || c.Kind == kindMultiSelect {
				var kept []string
				for _, ws := range c.options.offered {
					if first, ok := claimed[ws]; ok && first.question != q {
						c.options.unused = append(c.options.unused, ws)
						continue
					}
					claimed[ws] = claim{c.Letter, q}
					kept = append(kept, ws)
				}
				c.options.offered = kept
				if len(kept) == 0 {
					unused := c.options.unused
					c.ignore(because(whyOptionsAnswered))
					c.options.unused = unused // still named in the file's warnings
				}
				continue
			}
			if first, ok := claimed[c.Workstream]; ok && !(c.Kind == kindLevel && first.question == q) {
				r := reason{why: whyDuplicate, other: first.letter}
				if first.question != q {
					r.why = whyAnsweredOther
				}
				c.ignore(r)
				continue
			}
			claimed[c.Workstream] = claim{c.Letter, q}
		}
	}
}

// isSingle reports whether r is a role a file may have only once; see
// [single].
func isSingle(r role) bool {
	for _, s := range single {
		if s == r {
			return true
		}
	}
	return false
}
