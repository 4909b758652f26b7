package ingest

import (
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/survey"
)

// A question may name a workstream inside a sentence ("How important is
// Cyber Security to your practice?"). What counts as naming it is decided
// here, so that a single everyday word is never enough: REDCap's form
// status "completion_data_complete" holds the word "data", which is the ID
// of Improving Data, and its answers 0, 1 and 2 would pass for priorities.

// commonWords are words that name a workstream only in the catalogue:
// said alone in a question, they may mean anything ("data", "desktop
// space", "printing costs"). A phrase of one such word does not name a
// workstream inside a sentence.
var commonWords = map[string]bool{
	"data": true, "desktop": true, "printing": true, "automation": true, "security": true,
	"software": true, "systems": true, "records": true, "network": true, "devices": true,
	"computers": true, "information": true, "access": true, "online": true, "speed": true,
	"speeds": true, "communications": true, "productivity": true, "triage": true,
}

// mentionStopWords are words of workstream names that say nothing of which
// one is meant.
var mentionStopWords = map[string]bool{
	"the": true, "of": true, "and": true, "to": true, "for": true, "with": true, "from": true, "at": true,
	"in": true, "on": true, "a": true, "an": true, "being": true, "able": true, "other": true, "all": true,
	"more": true, "number": true, "improving": true, "improved": true, "increasing": true, "staff": true,
	"sites": true, "home": true, "by": true, "between": true, "different": true, "see": true, "strategy": true,
}

// mention is how a question names a workstream inside a sentence.
type mention struct {
	ws survey.Workstream
	// phrase is the name, alias or ID found, folded; empty when the
	// question names the workstream by its distinctive words.
	phrase string
	// words are the distinctive words found, for a match by words.
	words []string
}

// mentioner finds the workstream a question names, in a catalogue.
type mentioner struct {
	cat *survey.Catalogue
	// phrases are the folded names, aliases and ID of each workstream, in
	// catalogue order.
	phrases [][]string
	// distinctive maps each workstream ID to the words of its names that
	// no other workstream's names have and that say something.
	distinctive map[string][]string
}

// newMentioner indexes the words of cat's names.
func newMentioner(cat *survey.Catalogue) *mentioner {
	owners := map[string][]string{}
	m := &mentioner{cat: cat, distinctive: map[string][]string{}}
	for _, w := range cat.Workstreams {
		m.phrases = append(m.phrases, phrasesOf(w))
		for _, p := range phrasesOf(w) {
			for _, word := range strings.Fields(p) {
				if !slices.Contains(owners[word], w.ID) {
					owners[word] = append(owners[word], w.ID)
				}
			}
		}
	}
	for word, ids := range owners {
		if len(ids) == 1 && len(word) >= 4 && !mentionStopWords[word] && !commonWords[word] {
			m.distinctive[ids[0]] = append(m.distinctive[ids[0]], word)
		}
	}
	return m
}

// phrasesOf returns the folded name, aliases and ID of w.
func phrasesOf(w survey.Workstream) []string {
	var out []string
	for _, p := range append([]string{w.Name, w.ID}, w.Aliases...) {
		if k := survey.NormalizeName(ampersands.Replace(p)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// find returns the one workstream header names and how, or why it does
// not: a phrase of one everyday word is refused (refused is that word),
// and two workstreams named is no answer. Phrases are a workstream's name,
// aliases and ID as whole words, the longest winning when one holds
// another ("Patient Online" inside "Patient Online access"); without one,
// two or more of a workstream's distinctive words, and none of another's,
// name it.
func (m *mentioner) find(header string) (found mention, refused string, ok bool) {
	text := " " + survey.NormalizeName(ampersands.Replace(header)) + " "
	type hit struct {
		w      survey.Workstream
		phrase string
	}
	var hits []hit
	for i, w := range m.cat.Workstreams {
		for _, p := range m.phrases[i] {
			if strings.Contains(text, " "+p+" ") {
				hits = append(hits, hit{w, p})
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
		case best == nil || best.w.ID == h.w.ID && len(h.phrase) > len(best.phrase):
			best = h
		case best.w.ID != h.w.ID:
			return mention{}, "", false
		}
	}
	if best != nil {
		if !strings.Contains(best.phrase, " ") && commonWords[best.phrase] {
			return mention{ws: best.w}, best.phrase, false
		}
		return mention{ws: best.w, phrase: best.phrase}, "", true
	}
	return m.byWords(text)
}

// byWords finds the one workstream of which text, folded and padded with
// spaces, holds two or more distinctive words, when it holds none of
// another's.
func (m *mentioner) byWords(text string) (mention, string, bool) {
	var found mention
	n := 0
	for _, w := range m.cat.Workstreams {
		var words []string
		for _, word := range m.distinctive[w.ID] {
			if strings.Contains(text, " "+word+" ") {
				words = append(words, word)
			}
		}
		if len(words) == 0 {
			continue
		}
		n++
		if len(words) >= 2 {
			slices.Sort(words)
			found = mention{ws: w, words: words}
		}
	}
	if n != 1 || found.words == nil {
		return mention{}, "", false
	}
	return found, "", true
}
