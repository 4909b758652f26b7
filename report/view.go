package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// viewTopN is how many of a federation's workstreams its paragraph and
// e-mail name.
const viewTopN = 3

// viewName names the federations of a view for a sentence: "North
// Oxfordshire", or "North Oxfordshire and City".
func viewName(federations []string) string { return andList(federations) }

// ViewSlug returns the federations of a view as they appear in file names:
// lower case, words joined by "-", several federations by "+"; "" for the
// full view. Letters of any script are kept, everything else is a
// separator.
func ViewSlug(federations []string) string {
	parts := make([]string, 0, len(federations))
	for _, f := range federations {
		words := strings.FieldsFunc(strings.ToLower(f), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		if len(words) > 0 {
			parts = append(parts, strings.Join(words, "-"))
		}
	}
	return strings.Join(parts, "+")
}

// viewFirst returns items with those whose name is one of federations
// first, in the order of federations, and the others after them in their
// own order.
func viewFirst[T any](items []T, name func(T) string, federations []string) []T {
	if len(federations) == 0 {
		return items
	}
	rank := func(it T) int {
		if i := slices.Index(federations, name(it)); i >= 0 {
			return i
		}
		return len(federations)
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(rank(a), rank(b)) })
	return out
}

// federationSegment returns the federation segment named name.
func federationSegment(r survey.Ranking, name string) (survey.Segment, bool) {
	for _, s := range r.Segments {
		if s.Kind == survey.SegmentFederation && s.Name == name {
			return s, true
		}
	}
	return survey.Segment{}, false
}

// federationTop is one of a federation's first workstreams by its own
// practices' priority.
type federationTop struct {
	Workstream string
	// Priority is the practice priority among the federation's practices,
	// All over every practice.
	Priority, All float64
	// Rank is the workstream's rank in the ranking.
	Rank int
}

// federationTops returns the first n workstreams of segment s by practice
// priority, its withheld cells left out; ties go to the better ranked.
func federationTops(r survey.Ranking, s survey.Segment, n int) []federationTop {
	rows := map[string]survey.RankedWorkstream{}
	for _, w := range r.Rows {
		rows[w.WorkstreamID] = w
	}
	var out []federationTop
	for _, c := range s.Cells {
		w, ok := rows[c.WorkstreamID]
		if !ok || c.Withheld || c.Practices == 0 {
			continue
		}
		out = append(out, federationTop{Workstream: w.Workstream, Priority: c.PracticePriority, All: w.PracticePriority, Rank: w.Rank})
	}
	slices.SortStableFunc(out, func(a, b federationTop) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.Rank, b.Rank))
	})
	return out[:min(n, len(out))]
}

// coverageOf returns the coverage of federation name.
func coverageOf(cov []store.FederationCoverage, name string) (store.FederationCoverage, bool) {
	for _, c := range cov {
		if c.Federation == name {
			return c, true
		}
	}
	return store.FederationCoverage{}, false
}

// federationSentences describe each federation of the view: how many of
// its practices answered, and its first workstreams by its own
// practices' priority against their rank across all practices.
func federationSentences(in WorkbookInput) []string {
	var out []string
	for _, name := range in.Federations {
		out = append(out, federationSentence(in, name))
	}
	return out
}

func federationSentence(in WorkbookInput, name string) string {
	cov, ok := coverageOf(in.Coverage, name)
	if !ok {
		return fmt.Sprintf("%s is not a federation of the practice registry, so none of its practices can be shown: "+
			"check the name in the leads file, or import the registry.", name)
	}
	s := fmt.Sprintf("In %s, %s answered", name, answeredOf(cov.Responding, cov.Practices))
	if cov.Responding == 0 {
		return s + ", so it has no priorities of its own yet."
	}
	s += fmt.Sprintf(" (%s)", words.Count(cov.Respondents, "response", ""))
	seg, _ := federationSegment(in.Ranking, name)
	tops := federationTops(in.Ranking, seg, viewTopN)
	if len(tops) == 0 {
		return s + fmt.Sprintf(", too few for its own priorities to be shown: a workstream needs %d of its practices behind it, "+
			"so that no figure reveals one or two practices' answers.", analysis.MinSegmentPractices)
	}
	var items, ranks []string
	for _, t := range tops {
		items = append(items, fmt.Sprintf("%s (%.2f)", t.Workstream, t.Priority))
		ranks = append(ranks, ordinal(t.Rank))
	}
	verb := "rank"
	if len(tops) == 1 {
		verb = "ranks"
	}
	return s + fmt.Sprintf(". Its practices put %s first, by practice priority; across all practices %s %s %s.",
		andList(items), pronoun(len(tops)), verb, andList(ranks))
}

// answeredOf says how many of a federation's practices answered: "3 of
// its 4 practices", "all 4 of its practices", "both of its practices".
func answeredOf(responding, practices int) string {
	switch {
	case responding != practices:
		return fmt.Sprintf("%d of its %s", responding, words.Count(practices, "practice", ""))
	case practices == 1:
		return "its one practice"
	case practices == 2:
		return "both of its practices"
	}
	return fmt.Sprintf("all %d of its practices", practices)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "they"
}

func possessive(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

// ordinal returns 1st, 2nd, 3rd, 4th, 11th, 21st...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// viewParagraph is the Summary's first paragraph in a federation view:
// the view's federations, then what this copy holds.
func viewParagraph(in WorkbookInput) string {
	parts := federationSentences(in)
	parts = append(parts, fmt.Sprintf("This copy is the view for %s: the By federation sheet shows %s first, and the Comments "+
		"sheet holds only the comments of respondents from %s practices. The ranking is the same for everyone.",
		viewName(in.Federations), pronoun(len(in.Federations)), possessive(len(in.Federations))))
	return strings.Join(parts, " ")
}
