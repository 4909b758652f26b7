package ingest

import (
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
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

// column is one classified column of a file.
type column struct {
	Index      int    `json:"-"`
	Letter     string `json:"letter"`
	Header     string `json:"header"`
	Role       role   `json:"role"`
	Workstream string `json:"workstream,omitempty"`
	// Reversed is true when the question says its numbers run the other
	// way (1 is the highest priority); see [reversedScale].
	Reversed bool `json:"reversed,omitempty"`
	// Kind is the kind of question, empty for a priority question; see
	// [kind].
	Kind kind `json:"kind,omitempty"`
	// Scale describes a numeric scale or ranking: "0-10", "0-10 (from the
	// answers)", "rank 1-5", "top 3 of 8".
	Scale string `json:"scale,omitempty"`
	// Options are the workstreams a rank-position or multi-select column
	// may name, in catalogue order.
	Options []string `json:"options,omitempty"`
	Note    string   `json:"note,omitempty"`

	question string   // the question, for grouping a grid's columns
	lo, hi   int      // a priority column's numeric scale
	stated   bool     // the question states lo and hi
	k, n     int      // a ranking's ranked positions and items offered
	rank     int      // the position of a rank-position column
	level    string   // the scale level a level column stands for
	unused   []string // Options not used: another question answers them
	// mapScale scores the answers of a workstream column named by a
	// mapping that gives a scale; nil scores them as detected.
	mapScale *Scale
	// mapped is true when a mapping named the column.
	mapped bool
}

// label returns the column as used in warnings: its letter and header.
func (c column) label() string {
	return c.Letter + ` "` + shorten(c.Header, 60) + `"`
}

// classify gives every header a role: first the shape's metadata, then
// personal data, workstreams (matched against cat), free text, role and
// practice questions. What the header tells of the question's kind is set
// too (see [headerKind]); the rest comes from the data rows, in [refine],
// which also drops duplicates.
func classify(sh *shape, headers []string, cat *survey.Catalogue) []column {
	cols := make([]column, len(headers))
	for i, h := range headers {
		c := column{Index: i, Letter: columnLetter(i), Header: tabular.CleanHeader(h)}
		c.Role, c.Workstream, c.Note = classifyHeader(sh, c.Header, cat)
		headerKind(&c)
		cols[i] = c
	}
	spreadLevels(cols, cat)
	keepBestPractice(cols)
	return cols
}

// noteUnrecognised is the note of a column whose header means nothing to
// the ingester; [refine] may still find it a multi-select question.
const noteUnrecognised = "not recognised"

// noteEmptyHeader is the note of a column without a header.
const noteEmptyHeader = "empty header"

// classifyHeader returns the role of one cleaned header.
func classifyHeader(sh *shape, h string, cat *survey.Catalogue) (role, string, string) {
	f := survey.NormalizeName(h)
	// A header of symbols alone folds to nothing, so it is looked up as
	// written (Typeform's "#").
	key := f
	if key == "" {
		key = h
	}
	if r, ok := sh.metaRole(key); ok {
		return r, "", ""
	}
	if note, ok := personalItem(h); ok {
		return rolePersonal, "", note
	}
	if r, note, ok := personalRole(f); ok {
		return r, "", note
	}
	if ws, how, ok := matchWorkstream(cat, h); ok {
		return roleWorkstream, ws, how
	}
	switch {
	case f == "":
		return roleMeta, "", noteEmptyHeader
	case hasAnyPhrase(f, commentPhrases), bracketedFold(h) == "other please specify":
		return roleComment, "", ""
	case hasAnyPhrase(f, rolePhrases):
		return roleRole, "", ""
	case hasAnyPhrase(f, practicePhrases):
		return rolePractice, "", ""
	}
	return roleIgnored, "", noteUnrecognised
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
func personalItem(h string) (string, bool) {
	item := bracketedFold(h)
	if item == "" {
		return "", false
	}
	r, note, ok := personalRole(item)
	if ok && r == roleEmail {
		note = "personal data (e-mail in an answer): not stored"
	}
	return note, ok
}

// ampersands spells out "&" and "+" before a text is matched against the
// catalogue.
var ampersands = strings.NewReplacer("&", " and ", "+", " and ")

// matchWorkstream matches a header to a catalogue workstream: the item in
// the last [brackets] (a grid question), the whole header, or the text
// after " - " (a Likert statement under a question). It returns the
// workstream ID and how it matched.
func matchWorkstream(cat *survey.Catalogue, h string) (id, how string, ok bool) {
	h = ampersands.Replace(h)
	if i, j := strings.LastIndex(h, "["), strings.LastIndex(h, "]"); i >= 0 && j > i {
		if w, ok := cat.Match(h[i+1 : j]); ok {
			return w.ID, "bracketed item", true
		}
	}
	if w, ok := cat.Match(h); ok {
		return w.ID, "header", true
	}
	if i := strings.LastIndex(h, " - "); i >= 0 {
		if w, ok := cat.Match(h[i+3:]); ok {
			return w.ID, "text after \" - \"", true
		}
		if w, ok := cat.Match(h[:i]); ok {
			return w.ID, "text before \" - \"", true
		}
	}
	return "", "", false
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
			cols[i].Role, cols[i].Note = roleIgnored, "another column holds the practice ("+cols[best].Letter+")"
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
				cols[i].Note = "an option of the role question in column " + cols[first].Letter
				continue
			}
			cols[i].Role, cols[i].Note = roleIgnored, "duplicate of column "+cols[first].Letter
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
				for _, ws := range c.Options {
					if first, ok := claimed[ws]; ok && first.question != q {
						c.unused = append(c.unused, ws)
						continue
					}
					claimed[ws] = claim{c.Letter, q}
					kept = append(kept, ws)
				}
				c.Options = kept
				if len(kept) == 0 {
					c.Role, c.Kind, c.Options = roleIgnored, kindPriority, nil
					c.Note = "every workstream it names is answered by another question"
				}
				continue
			}
			if first, ok := claimed[c.Workstream]; ok && !(c.Kind == kindLevel && first.question == q) {
				c.Note = "duplicate of column " + first.letter
				if first.question != q {
					c.Note = "workstream already answered by column " + first.letter + "; this question was not used"
				}
				c.Role, c.Workstream, c.Kind, c.Scale = roleIgnored, "", kindPriority, ""
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
