package ingest

import (
	"strings"

	"surveyworker/survey"
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
	Reversed bool   `json:"reversed,omitempty"`
	Note     string `json:"note,omitempty"`
	// scale scores the answers of a workstream column named by a mapping
	// that gives one; nil reads them as [survey.ParsePriority] does.
	scale *Scale
	// mapped is true when a mapping named the column.
	mapped bool
}

// label returns the column as used in warnings: its letter and header.
func (c column) label() string {
	return c.Letter + ` "` + shorten(c.Header, 60) + `"`
}

// classify gives every header a role: first the shape's metadata, then
// personal data, workstreams (matched against cat), free text, role and
// practice questions. Later duplicates of single-valued roles are ignored
// with a note.
func classify(sh *shape, headers []string, cat *survey.Catalogue) []column {
	cols := make([]column, len(headers))
	for i, h := range headers {
		c := column{Index: i, Letter: columnLetter(i), Header: cleanHeader(h)}
		c.Role, c.Workstream, c.Note = classifyHeader(sh, c.Header, cat)
		c.Reversed = c.Role == roleWorkstream && reversedScale(c.Header)
		cols[i] = c
	}
	keepBestPractice(cols)
	dropDuplicates(cols)
	return cols
}

// classifyHeader returns the role of one cleaned header.
func classifyHeader(sh *shape, h string, cat *survey.Catalogue) (role, string, string) {
	f := survey.NormalizeName(h)
	if r, ok := sh.metaRole(f); ok {
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
		return roleMeta, "", "empty header"
	case hasAnyPhrase(f, commentPhrases), bracketedFold(h) == "other please specify":
		return roleComment, "", ""
	case hasAnyPhrase(f, rolePhrases):
		return roleRole, "", ""
	case hasAnyPhrase(f, practicePhrases):
		return rolePractice, "", ""
	}
	return roleIgnored, "", "not recognised"
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
	i, j := strings.LastIndex(h, "["), strings.LastIndex(h, "]")
	if i < 0 || j <= i {
		return ""
	}
	return survey.NormalizeName(h[i+1 : j])
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

// dropDuplicates ignores a second column for a single-valued role and a
// second column for the same workstream.
func dropDuplicates(cols []column) {
	seen := map[string]string{}
	for i, c := range cols {
		key := ""
		switch {
		case c.Role == roleWorkstream:
			key = "ws:" + c.Workstream
		case isSingle(c.Role):
			key = "role:" + c.Role.String()
		default:
			continue
		}
		if first, ok := seen[key]; ok {
			cols[i].Role, cols[i].Workstream = roleIgnored, ""
			cols[i].Note = "duplicate of column " + first
			continue
		}
		seen[key] = c.Letter
	}
}

func isSingle(r role) bool {
	for _, s := range single {
		if s == r {
			return true
		}
	}
	return false
}
