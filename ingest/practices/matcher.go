package practices

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/surveyworker/surveyworker/survey"
)

// Match methods, stored with each respondent: how [Matcher.Match] found
// the practice.
const (
	// MethodODS is an ODS code in the answer.
	MethodODS = "ods-code"
	// MethodName is the practice's name.
	MethodName = "name"
	// MethodAlias is one of the practice's aliases.
	MethodAlias = "alias"
	// MethodCoreName is the name without generic words ("surgery").
	MethodCoreName = "core-name"
	// MethodFuzzy is a close match of the name's words.
	MethodFuzzy = "fuzzy"
)

// Why an answer matched no practice, as [Match.Problem] says; the values
// are the codes of the warnings stored for such answers.
const (
	// ProblemMissing is a blank answer.
	ProblemMissing = "practice_missing"
	// ProblemAmbiguous is an answer that fits more than one practice.
	ProblemAmbiguous = "practice_ambiguous"
	// ProblemUnmatched is an answer that fits none.
	ProblemUnmatched = "practice_unmatched"
)

// Match is what [Matcher.Match] made of one answer.
type Match struct {
	// Code is the ODS code of the practice matched; empty when none was.
	Code string
	// Method says how the practice was matched (MethodODS, …).
	Method string
	// Problem says why none was: ProblemMissing, ProblemAmbiguous or
	// ProblemUnmatched; empty for a match.
	Problem string
	// Reason explains Problem for a person.
	Reason string
	// Candidates are the practices closest to an answer that matched
	// none, best first, at most [MaxCandidates].
	Candidates []Candidate
}

// Candidate is a practice of the registry close to an answer.
type Candidate struct {
	// Code and Name are the practice's ODS code and name.
	Code, Name string
	// Score is the similarity of the answer's words to the practice's,
	// from 0 to 1.
	Score float64
}

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

// Matcher matches a respondent's practice answer to the registry. Every
// index maps a folded key to an ODS code, or to "" when two practices
// share the key (ambiguous keys never match). The fuzzy index maps each
// word of the core names and aliases to the entries that have it. A
// Matcher remembers what it matched and is not safe for concurrent use.
type Matcher struct {
	ods   map[string]bool
	name  map[string]string
	alias map[string]string
	core  map[string]string
	// entries are the core names and aliases of every practice, in words;
	// words maps a word to the entries that have it.
	entries []fuzzyEntry
	words   map[string][]int
	// fuzzy remembers the fuzzy result per folded answer: a file repeats
	// the same few misspellings.
	fuzzy map[string]fuzzyResult
	// matches remembers the match of each answer: a file of a million
	// respondents names a few thousand practices, each the same way many
	// times.
	matches map[string]Match
}

// fuzzyEntry is one name (or alias) of a practice, as core-name words.
type fuzzyEntry struct {
	code, name string
	words      []string
}

// NewMatcher indexes the registry ps, which may be empty.
func NewMatcher(ps []survey.Practice) *Matcher {
	m := &Matcher{ods: map[string]bool{}, name: map[string]string{},
		alias: map[string]string{}, core: map[string]string{}, words: map[string][]int{},
		fuzzy: map[string]fuzzyResult{}, matches: map[string]Match{}}
	for _, p := range ps {
		m.ods[p.ODSCode] = true
		addKey(m.name, foldName(p.Name), p.ODSCode)
		addKey(m.core, coreName(p.Name), p.ODSCode)
		m.addEntry(p, p.Name)
		for _, a := range p.Aliases {
			addKey(m.alias, foldName(a), p.ODSCode)
			m.addEntry(p, a)
		}
	}
	return m
}

// addEntry indexes one name of p by the words of its core name.
func (m *Matcher) addEntry(p survey.Practice, name string) {
	words := uniqueWords(coreName(name))
	if len(words) == 0 {
		return
	}
	m.entries = append(m.entries, fuzzyEntry{code: p.ODSCode, name: p.Name, words: words})
	for _, w := range words {
		m.words[w] = append(m.words[w], len(m.entries)-1)
	}
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

// Match returns the practice text names and the method that found it, or
// why nothing matched. In order: an ODS code anywhere in the text, the
// exact folded name, an alias, the core name (generic words dropped) when
// exactly one practice has it, then a fuzzy match of the core name's words
// (see [Matcher.fuzzyMatch]) when it finds one clear winner. An ODS code
// not in the registry is left out of the name comparisons. An ambiguous or
// unmatched answer comes with the closest practices.
//
// The match of each distinct text is remembered (up to [maxMatchCache]
// of them), so a repeated answer costs a map lookup; the Candidates of a
// remembered match are shared and must not be changed.
func (m *Matcher) Match(text string) Match {
	if pm, ok := m.matches[text]; ok {
		return pm
	}
	pm := m.match(text)
	if len(m.matches) < maxMatchCache {
		m.matches[text] = pm
	}
	return pm
}

// maxMatchCache bounds the answers a Matcher remembers the match of.
const maxMatchCache = 1 << 16

// match is [Matcher.Match] without the memory.
func (m *Matcher) match(text string) Match {
	if text == "" {
		return Match{Problem: ProblemMissing, Reason: "no practice given"}
	}
	found := survey.FindODSCode(text)
	if m.ods[found] {
		return Match{Code: found, Method: MethodODS}
	}
	if c := compactODSCode(text); m.ods[c] {
		return Match{Code: c, Method: MethodODS}
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
	}{{m.name, k, MethodName}, {m.alias, k, MethodAlias}, {m.core, coreName(rest), MethodCoreName}} {
		if c, ok := idx.keys[idx.key]; ok {
			if c == "" {
				return Match{Problem: ProblemAmbiguous, Candidates: m.fuzzyMatch(rest).best,
					Reason: "more than one practice in the registry has this " + idx.method}
			}
			return Match{Code: c, Method: idx.method}
		}
	}
	fr := m.fuzzyMatch(rest)
	switch {
	case fr.code != "":
		return Match{Code: fr.code, Method: MethodFuzzy}
	case fr.ambiguous:
		return Match{Problem: ProblemAmbiguous, Candidates: fr.best,
			Reason: "the name is as close to more than one practice in the registry"}
	}
	msg := "no practice in the registry has this name"
	if found != "" {
		msg = fmt.Sprintf("no practice in the registry has ODS code %s or this name", found)
	}
	return Match{Problem: ProblemUnmatched, Reason: msg, Candidates: fr.best}
}

// odsSeparators are the characters people type inside an ODS code
// ("K84 501", "k-84-501").
var odsSeparators = strings.NewReplacer(" ", "", "-", "", ".", "", "\u00a0", "")

// compactODSCode returns the answer as an ODS code when it is one typed
// with spaces, hyphens or dots inside it, upper-cased, or "". Only a whole
// answer is read so: in a longer text the separators may be words apart.
func compactODSCode(text string) string {
	c := strings.ToUpper(odsSeparators.Replace(text))
	if !survey.ValidODSCode(c) {
		return ""
	}
	return c
}

// Fuzzy matching thresholds, on the Dice similarity of two word sets
// (twice the shared words over the words of both).
const (
	// fuzzyAccept is the least similarity of a fuzzy match.
	fuzzyAccept = 0.8
	// fuzzyMargin is how much closer the winner must be than the runner-up.
	fuzzyMargin = 0.2
	// fuzzyListed is the least similarity of a practice named as a
	// candidate in a warning.
	fuzzyListed = 0.4
	// MaxCandidates bounds the candidates of an answer that matched none.
	MaxCandidates = 3
	// maxFuzzyCache bounds the fuzzy results remembered per file.
	maxFuzzyCache = 4096
	// minEditWord is the fewest letters two words need to match when one
	// edit apart; shorter words must be equal.
	minEditWord = 5
)

// fuzzyResult is the outcome of a fuzzy match: the winner's code, or
// whether the answer was as close to several practices, and the closest
// practices, best first.
type fuzzyResult struct {
	code      string
	ambiguous bool
	best      []Candidate
}

// fuzzyMatch compares the words of text's core name with those of every
// practice name and alias sharing at least one word with it. Words match
// when equal or, for words of five letters or more, one edit apart
// ("Jerico" for "Jericho"). A practice matches when its similarity is at
// least [fuzzyAccept] and beats every other practice by [fuzzyMargin];
// otherwise the answer is ambiguous (several practices that close) or
// unmatched.
func (m *Matcher) fuzzyMatch(text string) fuzzyResult {
	q := uniqueWords(coreName(text))
	key := strings.Join(q, " ")
	if fr, ok := m.fuzzy[key]; ok {
		return fr
	}
	best := map[string]Candidate{}
	seen := map[int]bool{}
	for _, w := range q {
		for _, i := range m.words[w] {
			if seen[i] {
				continue
			}
			seen[i] = true
			e := m.entries[i]
			if s := dice(q, e.words); s > best[e.code].Score {
				best[e.code] = Candidate{Code: e.code, Name: e.name, Score: s}
			}
		}
	}
	fr := decideFuzzy(best)
	if len(m.fuzzy) < maxFuzzyCache {
		m.fuzzy[key] = fr
	}
	return fr
}

// decideFuzzy ranks the candidates and decides the match.
func decideFuzzy(best map[string]Candidate) fuzzyResult {
	var cs []Candidate
	for _, c := range best {
		if c.Score >= fuzzyListed {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Score != cs[j].Score {
			return cs[i].Score > cs[j].Score
		}
		return cs[i].Code < cs[j].Code
	})
	var fr fuzzyResult
	if len(cs) > 0 && cs[0].Score >= fuzzyAccept {
		if len(cs) == 1 || cs[0].Score-cs[1].Score >= fuzzyMargin {
			fr.code = cs[0].Code
		} else {
			fr.ambiguous = true
		}
	}
	fr.best = cs[:min(len(cs), MaxCandidates)]
	return fr
}

// dice returns the Dice similarity of word sets a and b, counting a word of
// a as shared when it is close to a word of b (see [closeWords]).
func dice(a, b []string) float64 {
	shared := 0
	for _, x := range a {
		for _, y := range b {
			if closeWords(x, y) {
				shared++
				break
			}
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// closeWords reports whether x and y are equal or, when both have at least
// [minEditWord] letters, one insertion, deletion or substitution apart.
func closeWords(x, y string) bool {
	if x == y {
		return true
	}
	a, b := []rune(x), []rune(y)
	if len(a) < minEditWord || len(b) < minEditWord {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return string(a[i+1:]) == string(b[i+1:])
	}
	return string(a[i:]) == string(b[i+1:])
}

// uniqueWords returns the words of s, each once, in order.
func uniqueWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
