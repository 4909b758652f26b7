package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"surveyworker/survey"
)

// Practice match methods, stored with each respondent.
const (
	matchODS      = "ods-code"
	matchName     = "name"
	matchAlias    = "alias"
	matchCoreName = "core-name"
)

// genericWords are dropped from practice names for the "core name" match:
// "Jericho Canal Surgery" and "Jericho Canal" share the core "jericho canal".
var genericWords = map[string]bool{"the": true, "surgery": true, "practice": true, "medical": true,
	"health": true, "centre": true, "center": true, "group": true, "gp": true, "partnership": true}

// odsCodes matches practice ODS codes, to remove them from a name.
var odsCodes = regexp.MustCompile(`(?i)\b[A-Z][0-9]{5}\b`)

// ampersands spells out "&" and "+" before folding.
var ampersands = strings.NewReplacer("&", " and ", "+", " and ")

// foldName folds a name with [survey.NormalizeName], reading "&" as "and"
// with the spacing that function needs to fold "A & B" like "A and B".
func foldName(s string) string {
	return survey.NormalizeName(ampersands.Replace(s))
}

// practiceMatcher matches a respondent's practice answer to the registry.
// Every index maps a folded key to an ODS code, or to "" when two practices
// share the key (ambiguous keys never match).
type practiceMatcher struct {
	ods   map[string]bool
	name  map[string]string
	alias map[string]string
	core  map[string]string
}

// newPracticeMatcher indexes the registry.
func newPracticeMatcher(ps []survey.Practice) *practiceMatcher {
	m := &practiceMatcher{ods: map[string]bool{}, name: map[string]string{},
		alias: map[string]string{}, core: map[string]string{}}
	for _, p := range ps {
		m.ods[p.ODSCode] = true
		addKey(m.name, foldName(p.Name), p.ODSCode)
		addKey(m.core, coreName(p.Name), p.ODSCode)
		for _, a := range p.Aliases {
			addKey(m.alias, foldName(a), p.ODSCode)
		}
	}
	return m
}

// addKey maps k to code, or marks it ambiguous when another practice has it.
func addKey(idx map[string]string, k, code string) {
	if k == "" {
		return
	}
	if prev, ok := idx[k]; ok && prev != code {
		idx[k] = ""
		return
	}
	idx[k] = code
}

// coreName folds a practice name and drops generic words.
func coreName(s string) string {
	var keep []string
	for _, w := range strings.Fields(foldName(s)) {
		if !genericWords[w] {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}

// match returns the ODS code of the practice text names and the method
// that found it, or a warning explaining why nothing matched. In order: an
// ODS code anywhere in the text, the exact folded name, an alias, then the
// core name (generic words dropped) when exactly one practice has it. An
// ODS code not in the registry is left out of the name comparisons.
func (m *practiceMatcher) match(text string) (code, method string, warn *warning) {
	if text == "" {
		return "", "", &warning{code: "practice_missing", msg: "no practice given"}
	}
	found := survey.FindODSCode(text)
	if m.ods[found] {
		return found, matchODS, nil
	}
	rest := text
	if found != "" {
		rest = odsCodes.ReplaceAllString(text, " ")
	}
	k := foldName(rest)
	for _, idx := range []struct {
		keys   map[string]string
		key    string
		method string
	}{{m.name, k, matchName}, {m.alias, k, matchAlias}, {m.core, coreName(rest), matchCoreName}} {
		if c, ok := idx.keys[idx.key]; ok {
			if c == "" {
				return "", "", &warning{code: "practice_ambiguous", msg: "more than one practice in the registry has this " + idx.method, value: text}
			}
			return c, idx.method, nil
		}
	}
	msg := "no practice in the registry has this name"
	if found != "" {
		msg = fmt.Sprintf("no practice in the registry has ODS code %s or this name", found)
	}
	return "", "", &warning{code: "practice_unmatched", msg: msg, value: text}
}

// warning is a row problem found while mapping a cell.
type warning struct {
	code, msg, value string
}
