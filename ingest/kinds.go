package ingest

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

// kind is the kind of question a workstream column belongs to. How each
// kind is recognised and scored is set out in docs/METHOD.md §14, the one
// place those rules are written down; this file and rows.go follow it.
type kind string

// Question kinds; see [kind].
const (
	kindPriority    kind = ""             // a priority label or a number on a scale
	kindRanking     kind = "ranking"      // one column per workstream holding its rank
	kindRankSlot    kind = "rank-slot"    // one column per rank position naming a workstream
	kindChoice      kind = "choice"       // one column per option, holding its text when ticked
	kindMultiSelect kind = "multi-select" // one cell holding the chosen options
	kindLevel       kind = "level"        // one column per level of the priority scale
)

// Raw texts stored for an offered item that a respondent who answered the
// question left unranked or unselected: they score 0.
const (
	rawNotRanked   = "not ranked"
	rawNotSelected = "not selected"
)

// Phrases, in folded form, that mark a ranking question and a question
// asking to pick options.
var (
	rankPhrases = []string{"rank", "ranking", "rank order", "in order of"}
	pickPhrases = []string{"select", "choose", "pick", "tick", "top", "which", "most important", "all that apply"}
)

// questionOf returns the question a column belongs to: its header without
// the item in its last [brackets] or after its last " - ".
func questionOf(h string) string {
	if i, j := strings.LastIndex(h, "["), strings.LastIndex(h, "]"); i >= 0 && j > i {
		return strings.TrimSpace(h[:i])
	}
	if i := strings.LastIndex(h, " - "); i >= 0 {
		return strings.TrimSpace(h[:i])
	}
	return h
}

// Patterns of a stated numeric scale: a range in the header as written
// ("0-10", "1 to 5", "(1–10)", "out of 10") and, in folded text, a number
// named as an end of the scale ("10 = highest", "1 being the lowest").
var (
	rangePattern  = regexp.MustCompile(`(?:^|[^\d.])([01])\s*(?:-|–|—|to)\s*(5|10)(?:[^\d.]|$)`)
	outOfPattern  = regexp.MustCompile(`\bout of (5|10)\b`)
	anchorPattern = regexp.MustCompile(`\b(0|1|5|10) (?:is |being |equals |means )?(?:the )?` +
		`(?:highest|lowest|most|least|top|very high|very important|extremely important|not a priority|no priority|not important|not at all important|unimportant)\b`)
)

// statedScale returns the numeric scale a question states, if any.
func statedScale(header string) (lo, hi int, ok bool) {
	if m := rangePattern.FindStringSubmatch(strings.ToLower(header)); m != nil {
		lo, _ = strconv.Atoi(m[1])
		hi, _ = strconv.Atoi(m[2])
		return lo, hi, true
	}
	f := survey.NormalizeName(header)
	lo, hi = 1, 0
	if m := outOfPattern.FindStringSubmatch(f); m != nil {
		hi, _ = strconv.Atoi(m[1])
	}
	for _, m := range anchorPattern.FindAllStringSubmatch(f, -1) {
		switch m[1] {
		case "0":
			lo = 0
		case "5", "10":
			n, _ := strconv.Atoi(m[1])
			hi = max(hi, n)
		}
	}
	if hi == 0 {
		return 0, 0, false
	}
	return lo, hi, true
}

// topPattern matches, in folded text, the number of positions a partial
// ranking asks for: "your top 3", "top five".
var topPattern = regexp.MustCompile(`\btop (\d+|two|three|four|five|six|seven|eight|nine|ten)\b`)

// numberWords are the number words [topPattern] accepts, with their values.
var numberWords = map[string]int{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

// statedTop returns the k of a question asking for a "top k", or 0.
func statedTop(question string) int {
	m := topPattern.FindStringSubmatch(survey.NormalizeName(question))
	if m == nil {
		return 0
	}
	if n, ok := numberWords[m[1]]; ok {
		return n
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// rankSlotPattern matches the folded item of a rank-position column.
var rankSlotPattern = regexp.MustCompile(`^rank (\d+)$`)

// headerKind sets what the header alone tells of a column's question: a
// ranking question, a rank-position column, or a stated numeric scale.
func headerKind(c *column) {
	c.question = questionOf(c.Header)
	switch c.Role {
	case roleWorkstream:
		if hasAnyPhrase(survey.NormalizeName(c.question), rankPhrases) {
			c.Kind, c.rank = kindRanking, rankSize{k: statedTop(c.question)}
			return
		}
		setScale(c)
	case roleIgnored, roleComment:
		if m := rankSlotPattern.FindStringSubmatch(bracketedFold(c.Header)); m != nil {
			c.slot, _ = strconv.Atoi(m[1])
			c.Role, c.Kind, c.reason = roleWorkstream, kindRankSlot, because(whyNone)
		}
	}
}

// setScale sets a priority column's direction and stated numeric scale,
// 1–5 when the question states none. A mapping's scale is kept.
func setScale(c *column) {
	c.scale = numericScale{lo: 1, hi: defaultScaleMax, reversed: reversedScale(c.Header), mapping: c.scale.mapping}
	if lo, hi, ok := statedScale(c.Header); ok {
		c.scale.lo, c.scale.hi, c.scale.source = lo, hi, scaleStated
	}
}

// refiner is what completing columns from their answers needs: the
// catalogue, a finder of the workstreams questions name, and the practice
// registry, which may be empty (inspection has none).
type refiner struct {
	cat      *survey.Catalogue
	mentions *mentioner
	pm       *practices.Matcher
}

// newRefiner returns a refiner for cat and the registry pm (nil for none).
func newRefiner(cat *survey.Catalogue, pm *practices.Matcher) *refiner {
	return &refiner{cat: cat, mentions: newMentioner(cat), pm: pm}
}

// refine completes the columns with what the data rows read ahead show:
// the practice question among those that speak of it, workstreams named
// inside a question, the scale of numeric priority questions, ranking
// sizes, the workstreams rank-position and multi-select columns name, and
// multi-select questions with one column per option. It then refuses the
// columns whose answers contradict their header and finds personal data
// by its look (see guards.go), and keeps one question per workstream (see
// [dropDuplicates]).
func (rf *refiner) refine(cols []column, ahead []tabular.Row) {
	cat := rf.cat
	// values returns the non-missing answers read ahead in column i,
	// worked out once per column.
	memo := make([][]string, len(cols))
	done := make([]bool, len(cols))
	values := func(i int) []string {
		if done[i] {
			return memo[i]
		}
		var out []string
		for _, r := range ahead {
			if v := cellAt(r.Cells, i); v != "" && !isMissing(v) {
				out = append(out, v)
			}
		}
		memo[i], done[i] = out, true
		return out
	}
	rf.choosePractice(cols, values)
	for i := range cols {
		rf.markMentioned(&cols[i], func() []string { return values(i) })
		// A column without a header is not read; when it holds answers,
		// say so rather than drop them silently.
		if c := &cols[i]; c.Role == roleMeta && c.reason.why == whyEmptyHeader && len(values(i)) > 0 {
			c.ignore(because(whyBlankHeaderAnswers))
		}
	}
	for i := range cols {
		c := &cols[i]
		if c.Role == roleWorkstream && c.Kind == kindPriority && isChoice(values(i), c.Workstream, cat) {
			c.Kind = kindChoice
		}
	}
	for _, g := range questionGroups(cols) {
		refineGroup(cols, g, values, cat)
	}
	practiceTaken := false
	for i := range cols {
		c := &cols[i]
		unrecognised := c.Role == roleIgnored && c.reason.why == whyUnrecognised
		if !unrecognised && !isPracticeColumn(*c) || !hasAnyPhrase(survey.NormalizeName(c.Header), pickPhrases) {
			continue
		}
		// A question that mentions the practice ("Which workstreams matter
		// most to your practice?") was read as the practice question; its
		// answers show it is not one when every answer names workstreams.
		wasPractice := c.Role == rolePractice
		if markMultiSelect(c, values(i), cat, !unrecognised) {
			practiceTaken = practiceTaken || wasPractice
		}
	}
	if practiceTaken {
		promotePractice(cols)
	}
	for i := range cols {
		c, vals := &cols[i], values(i)
		checkPriorities(c, vals, cat)
		checkRole(c, vals)
		checkFreeText(c, vals)
		checkPersonal(c, vals, rf.pm, cat)
	}
	dropDuplicates(cols)
}

// choosePractice refuses the columns read as the practice question whose
// answers are not practices (see [checkPractice]) and keeps the best of
// the others.
func (rf *refiner) choosePractice(cols []column, values func(int) []string) {
	taken := false
	for i := range cols {
		c := &cols[i]
		if !isPracticeColumn(*c) {
			continue
		}
		kept := c.Role == rolePractice
		c.Role = rolePractice
		checkPractice(c, values(i), rf.pm)
		switch {
		case c.Role != rolePractice:
			taken = taken || kept
		case !kept:
			c.Role = roleIgnored // still another column's to hold
		}
	}
	if taken {
		promotePractice(cols)
	}
}

// promotePractice makes the columns that gave way to another practice
// column practice columns again, and keeps the best of them.
func promotePractice(cols []column) {
	for i := range cols {
		if isPracticeColumn(cols[i]) {
			cols[i].Role, cols[i].reason = rolePractice, because(whyNone)
		}
	}
	keepBestPractice(cols)
}

// markMentioned makes c, a column not otherwise recognised (or read as a
// practice question when another column holds the practice, or refused as
// one), a priority column of the workstream its question names inside a
// sentence ("How important is Cyber Security to your practice?"), but only
// when the question names exactly one workstream (see [mentioner.find]),
// and at least four in five of the answers read ahead are priorities on
// the question's scale (see [priorityAnswers]). The answers guard against
// questions that mention a workstream in passing ("Do you have enough
// desktop space?"). A question naming a workstream only by an everyday
// word is refused, with the reason.
func (rf *refiner) markMentioned(c *column, answers func() []string) {
	// "…to your practice?" first reads as a second practice question.
	spare := c.Role == roleIgnored && (c.reason.why == whyUnrecognised || c.reason.why == whyNotPractices || isPracticeColumn(*c))
	if !spare {
		return
	}
	m, word, ok := rf.mentions.find(c.Header)
	if word != "" && c.reason.why == whyUnrecognised {
		c.reason = reason{why: whyCommonWord, ws: m.ws.Name, words: word}
		return
	}
	if !ok {
		return
	}
	vals := answers()
	if fit := priorityAnswers(vals, c.Header); !share(fit, len(vals), mentionShare) {
		if c.reason.why == whyUnrecognised && len(vals) > 0 {
			c.reason = reason{why: whyNotPriorities, ws: m.ws.Name, fit: fit, all: len(vals)}
		}
		return
	}
	c.Role, c.Workstream, c.reason = roleWorkstream, m.ws.ID, because(whyMentioned)
	if m.phrase == "" {
		c.reason = reason{why: whyMentionedWords, words: quoteWords(m.words)}
	}
	setScale(c)
}

// quoteWords writes words quoted and joined: `"knowledge" and "specialist"`.
func quoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// markMultiSelect makes c, a column asking to pick options, a multi-select
// column when its answers vals name workstreams, the options offered being
// those they name. With onlyOptions, for a column first read as another
// question, every answer must name workstreams and nothing else. It
// reports whether it did.
func markMultiSelect(c *column, vals []string, cat *survey.Catalogue, onlyOptions bool) bool {
	var seen []string
	only := true
	for _, v := range vals {
		found, unknown := splitOptions(v, cat)
		only = only && len(found) > 0 && len(unknown) == 0
		if onlyOptions && !only {
			return false // a practice name, say: no need to read on
		}
		for _, o := range found {
			seen = append(seen, o.ws)
		}
	}
	if len(seen) == 0 {
		return false
	}
	c.Role, c.Kind, c.reason = roleWorkstream, kindMultiSelect, because(whyNone)
	c.options = optionSet{offered: inCatalogueOrder(cat, seen)}
	return true
}

// isPracticeColumn reports whether c was read as a practice question: the
// one kept, or one ignored because another holds the practice (see
// [keepBestPractice]).
func isPracticeColumn(c column) bool {
	return c.Role == rolePractice || c.Role == roleIgnored && c.reason.why == whyPracticeOther
}

// questionGroups returns the indexes of the workstream columns of each
// question, grouped by kind and question text, in column order.
func questionGroups(cols []column) [][]int {
	var keys []string
	groups := map[string][]int{}
	for i, c := range cols {
		if c.Role != roleWorkstream {
			continue
		}
		key := string(c.Kind) + "\x1f" + c.question
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], i)
	}
	out := make([][]int, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// refineGroup completes the columns g of one question.
func refineGroup(cols []column, g []int, values func(int) []string, cat *survey.Catalogue) {
	switch cols[g[0]].Kind {
	case kindPriority:
		if cols[g[0]].scale.source == scaleStated || !anyAbove(g, values, defaultScaleMax) {
			return
		}
		for _, i := range g {
			s := &cols[i].scale
			s.lo, s.hi, s.source = 0, wideScaleMax, scaleFromAnswers
			if s.reversed {
				s.lo = 1
			}
		}
	case kindRanking:
		// A "ranking" whose answers are mostly labels is a priority grid
		// worded with "rank". A stray label among rank numbers is not: it
		// is read as off the scale, row by row.
		largest, ranks, labels := 0, 0, 0
		for _, i := range g {
			for _, v := range values(i) {
				n, err := rankNumber(v)
				if err != nil {
					labels++
					continue
				}
				ranks++
				largest = max(largest, n)
			}
		}
		if labels > ranks {
			for _, j := range g {
				cols[j].Kind = kindPriority
				setScale(&cols[j])
			}
			return
		}
		n, k := len(g), cols[g[0]].rank.k
		if k == 0 {
			k = largest
		}
		if k <= 0 || k > n {
			k = n
		}
		for _, i := range g {
			cols[i].rank = rankSize{k: k, n: n}
		}
	case kindRankSlot:
		var seen []string
		for _, i := range g {
			for _, v := range values(i) {
				if w, ok := matchCatalogue(cat, ampersands.Replace(v)); ok {
					seen = append(seen, w.ID)
				}
			}
		}
		offered := inCatalogueOrder(cat, seen)
		for _, i := range g {
			c := &cols[i]
			if len(offered) == 0 {
				c.ignore(because(whyRankNamesNone))
				continue
			}
			c.rank, c.options = rankSize{k: len(g), n: len(offered)}, optionSet{offered: offered}
		}
	}
}

// rankScore is the normalised Borda score of rank r among k ranked
// positions of n offered items (docs/METHOD.md §14).
func rankScore(r, k, n int) float64 {
	switch {
	case k < n:
		return float64(k+1-r) / float64(k)
	case k <= 1:
		return 1
	}
	return float64(k-r) / float64(k-1)
}

// ordinalPattern matches a rank written as an ordinal, as a grid whose
// columns are positions exports it: "1st", "2nd choice", "3rd place".
var ordinalPattern = regexp.MustCompile(`(?i)^(\d{1,3})(?:st|nd|rd|th)(?: (?:choice|priority|place))?$`)

// rankNumber returns the rank an answer gives: a whole number, or an
// ordinal ("2nd", "2nd choice").
func rankNumber(v string) (int, error) {
	if m := ordinalPattern.FindStringSubmatch(v); m != nil {
		return strconv.Atoi(m[1])
	}
	return atoi(v)
}

// anyAbove reports whether a whole number above n is among the values of
// the columns g.
func anyAbove(g []int, values func(int) []string, n int) bool {
	for _, i := range g {
		for _, v := range values(i) {
			if x, err := atoi(v); err == nil && x > n {
				return true
			}
		}
	}
	return false
}

// isChoice reports whether a workstream column's answers are all the
// workstream's own name, as in a multi-select question with one column
// per option.
func isChoice(vals []string, ws string, cat *survey.Catalogue) bool {
	for _, v := range vals {
		if w, ok := matchCatalogue(cat, ampersands.Replace(v)); !ok || w.ID != ws {
			return false
		}
	}
	return len(vals) > 0
}

// isMissing reports whether an answer means "no opinion".
func isMissing(v string) bool {
	_, missing, ok := survey.ParsePriority(v)
	return ok && missing
}

// inCatalogueOrder returns the distinct IDs of ids in catalogue order.
func inCatalogueOrder(cat *survey.Catalogue, ids []string) []string {
	var out []string
	for _, id := range cat.IDs() {
		if slices.Contains(ids, id) {
			out = append(out, id)
		}
	}
	return out
}

// option is one chosen option of a multi-select cell that names a
// workstream.
type option struct{ ws, text string }

// splitOptions splits a multi-select cell into the workstreams it names
// and the options that name none. Options are joined by "," or ";", but an
// option's own text may hold a comma ("Telephony (VOIP, Unified
// Communications)"), so the cell is not simply split: from each option
// start, the longest run of comma-separated pieces that names a workstream
// (its name, ID or an alias) is taken; a piece that starts no such run is
// an unmatched option.
func splitOptions(cell string, cat *survey.Catalogue) (found []option, unknown []string) {
	type span struct{ start, end int }
	var pieces []span
	start := 0
	for i, r := range cell {
		if r == ',' || r == ';' {
			pieces = append(pieces, span{start, i})
			start = i + 1
		}
	}
	pieces = append(pieces, span{start, len(cell)})
	for i := 0; i < len(pieces); {
		matched := false
		for j := len(pieces) - 1; j >= i; j-- {
			if strings.TrimSpace(cell[pieces[j].start:pieces[j].end]) == "" {
				continue // a run ends on an option, not on a trailing separator
			}
			text := strings.TrimSpace(cell[pieces[i].start:pieces[j].end])
			if w, ok := matchCatalogue(cat, ampersands.Replace(text)); ok {
				found = append(found, option{ws: w.ID, text: text})
				i, matched = j+1, true
				break
			}
		}
		if !matched {
			if t := strings.TrimSpace(cell[pieces[i].start:pieces[i].end]); t != "" {
				unknown = append(unknown, t)
			}
			i++
		}
	}
	return found, unknown
}

// spreadLevels finds the questions exported with one column per level of
// the priority scale: runs of columns, not otherwise
// recognised, whose header names a workstream before its bracketed item
// and whose items are priority labels, at least two of them scored. Each
// such column becomes a level column of that workstream.
func spreadLevels(cols []column, cat *survey.Catalogue) {
	for start := 0; start < len(cols); {
		end := start + 1
		for end < len(cols) && cols[end].question == cols[start].question {
			end++
		}
		markLevels(cols[start:end], cat)
		start = end
	}
}

// markLevels marks run, the columns of one question, as level columns
// when they are one.
func markLevels(run []column, cat *survey.Catalogue) {
	if len(run) < 2 || run[0].question == run[0].Header {
		return
	}
	ws, _, ok := matchWorkstream(cat, run[0].question)
	if !ok {
		return
	}
	scored := 0
	for _, c := range run {
		if c.Role != roleIgnored && c.Role != rolePractice && c.Role != roleComment {
			return
		}
		_, missing, ok := survey.ParsePriority(bracketedItem(c.Header))
		if !ok {
			return
		}
		if !missing {
			scored++
		}
	}
	if scored < 2 {
		return
	}
	for i := range run {
		c := &run[i]
		c.Role, c.Workstream, c.Kind, c.reason = roleWorkstream, ws, kindLevel, because(whyNone)
		c.level = bracketedItem(c.Header)
	}
}

// bracketedItem returns the text in a header's last [brackets], or "".
func bracketedItem(h string) string {
	i, j := strings.LastIndex(h, "["), strings.LastIndex(h, "]")
	if i < 0 || j <= i {
		return ""
	}
	return strings.TrimSpace(h[i+1 : j])
}
