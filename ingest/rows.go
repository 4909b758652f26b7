package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// maxTextRunes bounds the practice and role texts stored per respondent.
const maxTextRunes = 300

// mapper turns the data rows of one file into respondent rows.
type mapper struct {
	file  string
	shape *shape
	cols  []column
	width int
	// column indexes by role; -1 when the file has none.
	practice, role, email, responseID, started, submitted int
	// roles are the role columns: one, or one per option of the question.
	roles    []int
	comments []int
	// utc marks the timestamp columns whose header says they are UTC.
	utc map[int]bool
	// questions hold the workstream answers, in the order of the file's
	// workstreams; answers is their number.
	questions []question
	answers   int
	cat       *survey.Catalogue
	dates     *dateParser
	practices *practices.Matcher
	hmacKey   []byte
	// strictWidth rejects rows with values beyond the header (CSV, where
	// that means the columns have shifted); a workbook only gets a warning.
	strictWidth bool
	// keyTags identify columns in content keys: a short hash of the header,
	// so the key does not depend on column order.
	keyTags []string
	keyHash hash.Hash
	keyBuf  []byte // reused for the hashed key text
	scores  map[string]priority
	// marks find the responses the platform marks partial; includePartial
	// loads them, else they are only counted.
	marks          completionMarks
	includePartial bool
}

// priority is a parsed answer, remembered per distinct text.
type priority struct {
	score       survey.Score
	missing, ok bool
}

// maxScoreCache bounds the distinct answer texts remembered per file.
const maxScoreCache = 4096

// newMapper indexes the classified columns.
func newMapper(file string, sh *shape, cols []column, cat *survey.Catalogue, dates *dateParser, pm *practices.Matcher, key []byte) *mapper {
	m := &mapper{file: file, shape: sh, cols: cols, cat: cat, width: len(cols), dates: dates, practices: pm, hmacKey: key,
		practice: -1, role: -1, email: -1, responseID: -1, started: -1, submitted: -1,
		keyHash: hmac.New(sha256.New, key), scores: map[string]priority{}, utc: map[int]bool{}}
	for i, c := range cols {
		m.keyTags = append(m.keyTags, keyedHash(key, c.Header)[:8])
		switch c.Role {
		case roleComment:
			m.comments = append(m.comments, i)
		case rolePractice:
			m.practice = i
		case roleRole:
			if m.role < 0 {
				m.role = i
			}
			m.roles = append(m.roles, i)
		case roleEmail:
			m.email = i
		case roleResponseID:
			m.responseID = i
		case roleStarted:
			m.started = i
		case roleSubmitted:
			m.submitted = i
		}
		if (c.Role == roleStarted || c.Role == roleSubmitted) && saysUTC(c.Header) {
			m.utc[i] = true
		}
	}
	m.questions = questions(cols)
	m.marks = newCompletionMarks(sh, cols)
	for _, q := range m.questions {
		m.answers += len(q.ws)
	}
	return m
}

// workstreams returns the workstream IDs answered, in answer order.
func (m *mapper) workstreams() []string {
	var out []string
	for _, q := range m.questions {
		out = append(out, q.ws...)
	}
	return out
}

// dateColumns returns the indexes of the timestamp columns.
func (m *mapper) dateColumns() []int {
	var out []int
	for _, i := range []int{m.started, m.submitted} {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// mapRow converts one data row. It returns nil for a blank row, and a
// *RejectError when a CSV row has values beyond the header. A row the
// platform marks partial is returned marked Excluded, and nothing else of
// it read, unless partial responses are included.
func (m *mapper) mapRow(row int, cells []string) (*store.RespondentRow, error) {
	if tabular.BlankRow(cells) {
		return nil, nil
	}
	if m.shape.unescape != nil {
		for i, c := range cells {
			cells[i] = m.shape.unescape(c)
		}
	}
	r := &store.RespondentRow{Row: row}
	if err := m.checkWidth(r, cells); err != nil {
		return nil, err
	}
	if m.marks.isPartial(cells) {
		r.Partial = true
		if !m.includePartial {
			r.Excluded, r.Warnings = true, nil
			return r, nil // counted, nothing of it read
		}
	}
	get := func(i int) string { return cellAt(cells, i) }
	m.mapPractice(r, get)
	r.Role = maskPersonal(shorten(m.roleText(get), maxTextRunes))
	r.EmailHMAC = emailHMAC(m.hmacKey, get(m.email))
	f := rowFields{responseID: get(m.responseID)}
	f.started = m.timestamp(r, m.started, get)
	f.submitted = m.timestamp(r, m.submitted, get)
	r.SubmittedAt = f.submitted
	m.mapAnswers(r, get)
	for _, i := range m.comments {
		r.Comments = append(r.Comments, maskPersonal(get(i)))
	}
	r.Key = m.respondentKey(f, cells)
	return r, nil
}

// checkWidth looks for values beyond the last header column. In CSV they
// mean the columns no longer line up with their questions, and the file is
// rejected; in a workbook they are notes typed beside the data, and the row
// gets a warning holding the note, masked like every stored free text.
func (m *mapper) checkWidth(r *store.RespondentRow, cells []string) error {
	for i := m.width; i < len(cells); i++ {
		v := tabular.CleanCell(cells[i])
		switch {
		case v == "":
			continue
		case m.strictWidth:
			return &RejectError{File: m.file, Row: r.Row, Column: columnLetter(i),
				Reason: fmt.Sprintf("the row has a value beyond the last of the %d header columns", m.width)}
		}
		r.Warnings = append(r.Warnings, store.Warning{Row: r.Row, Column: columnLetter(i), Code: "cell_outside_header",
			Message: "a value in a column without a header was ignored", Value: shorten(maskPersonal(v), maxTextRunes)})
		return nil
	}
	return nil
}

// saysUTC reports whether a timestamp header says its times are UTC, as
// Typeform's "Submit Date (UTC)" does.
func saysUTC(header string) bool {
	return hasAnyPhrase(fold(header), []string{"utc"})
}

// cellAt returns cell i cleaned, or "" when i is -1 or past the row's end.
func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return tabular.CleanCell(cells[i])
}

func (m *mapper) mapPractice(r *store.RespondentRow, get func(int) string) {
	if m.practice < 0 {
		return
	}
	text := shorten(get(m.practice), maxTextRunes)
	pm := m.practices.Match(text)
	// Matched as typed, stored masked: a practice answer is free text too.
	r.PracticeText = maskPersonal(text)
	r.PracticeODS, r.MatchMethod = pm.Code, pm.Method
	m.warn(r, m.practice, practiceWarning(pm, r.PracticeText))
}

// practiceWarning returns the warning for a practice answer that matched
// no practice, or nil for one that matched: the match's problem, its
// reason and, introduced by [store.PracticeCandidatesMarker], the closest
// practices "Name (CODE); Name (CODE)". value is the answer as stored.
func practiceWarning(pm practices.Match, value string) *warning {
	if pm.Problem == "" {
		return nil
	}
	w := &warning{code: pm.Problem, msg: pm.Reason}
	if pm.Problem != practices.ProblemMissing {
		w.value = value
	}
	if len(pm.Candidates) > 0 {
		parts := make([]string, len(pm.Candidates))
		for i, c := range pm.Candidates {
			parts[i] = c.Name + " (" + c.Code + ")"
		}
		w.msg += store.PracticeCandidatesMarker + strings.Join(parts, "; ")
	}
	return w
}

// warning is a row problem found while mapping a cell.
type warning struct {
	code, msg, value string
}

// timestamp parses the timestamp in column i, warning when it cannot.
// Times without a zone are in the configured zone, or UTC when the column
// says so.
func (m *mapper) timestamp(r *store.RespondentRow, i int, get func(int) string) time.Time {
	s := get(i)
	if s == "" {
		return time.Time{}
	}
	loc := m.dates.loc
	if m.utc[i] {
		loc = time.UTC
	}
	t, err := m.dates.parseIn(s, loc)
	if err != nil {
		m.warn(r, i, &warning{code: "timestamp_unreadable", msg: err.Error(), value: s})
	}
	return t
}

// mapAnswers scores the row's answers to every question.
func (m *mapper) mapAnswers(r *store.RespondentRow, get func(int) string) {
	r.Answers = make([]store.Answer, m.answers)
	at := 0
	for _, q := range m.questions {
		out := r.Answers[at : at+len(q.ws)]
		at += len(q.ws)
		switch q.kind {
		case kindPriority:
			m.mapPriority(r, q.cols[0], out, get)
		case kindRanking:
			m.mapRanking(r, q, out, get)
		case kindRankSlot:
			m.mapRankSlots(r, q, out, get)
		case kindChoice:
			m.mapChoices(q, out, get)
		case kindLevel:
			m.mapLevels(r, q, out, get)
		case kindMultiSelect:
			m.mapMultiSelect(r, q, out, get)
		}
	}
}

// offScale warns that the answer in column i is not on its scale. Such an
// answer is stored, and shown in the warning, with personal data masked:
// an NHS or phone number typed in an answer's cell is not an answer.
func (m *mapper) offScale(r *store.RespondentRow, i int, raw string) {
	m.warn(r, i, &warning{code: "answer_off_scale", msg: "the answer is not on the priority scale; stored without a score", value: raw})
}

// mapPriority scores a priority label or a number on the column's scale.
func (m *mapper) mapPriority(r *store.RespondentRow, i int, out []store.Answer, get func(int) string) {
	raw := get(i)
	if raw == "" {
		return
	}
	c := m.cols[i].scale
	if s := c.mapping; s != nil {
		p := s.score(raw)
		out[0] = store.Answer{Raw: raw, Score: float64(p.score), Scored: p.ok && !p.missing}
		if !p.ok {
			out[0].Raw = maskPersonal(raw)
			m.warn(r, i, &warning{code: "answer_off_scale", msg: "the answer is not on the mapping's scale (" + s.String() + "); stored without a score", value: raw})
		}
		return
	}
	if n, err := atoi(raw); err == nil {
		out[0] = store.Answer{Raw: raw}
		if n < c.lo || n > c.hi || c.hi <= c.lo {
			out[0].Raw = maskPersonal(raw)
			m.offScale(r, i, raw)
			return
		}
		score := float64(n-c.lo) / float64(c.hi-c.lo)
		if c.reversed {
			score = 1 - score
		}
		out[0].Score, out[0].Scored = score, true
		return
	}
	p := m.parsePriority(raw)
	out[0] = store.Answer{Raw: raw, Score: float64(p.score), Scored: p.ok && !p.missing}
	if !p.ok {
		out[0].Raw = maskPersonal(raw)
		m.offScale(r, i, raw)
	}
}

// mapRanking scores the rank numbers of a ranking with one column per
// workstream. Blank, "0" and "N/A"-style cells are unranked. A rank given
// to two items (a grid that does not stop ties) scores both, with a
// warning on the later one.
func (m *mapper) mapRanking(r *store.RespondentRow, q question, out []store.Answer, get func(int) string) {
	ranked := false
	var used []int
	for j, i := range q.cols {
		raw := get(i)
		if raw == "" || raw == "0" || isMissing(raw) {
			continue
		}
		out[j] = store.Answer{Raw: raw}
		n, err := rankNumber(raw)
		if err != nil || n < 1 || n > q.size.k {
			out[j].Raw = maskPersonal(raw)
			m.offScale(r, i, raw)
			continue
		}
		out[j].Score, out[j].Scored, ranked = rankScore(n, q.size.k, q.size.n), true, true
		if slices.Contains(used, n) {
			m.warn(r, i, &warning{code: "rank_repeated", msg: "another item has the same rank; both were scored at it", value: raw})
		}
		used = append(used, n)
	}
	fillUnanswered(out, ranked, rawNotRanked)
}

// mapRankSlots scores a ranking with one column per rank position, each
// naming a workstream. A workstream put at two positions keeps the first.
func (m *mapper) mapRankSlots(r *store.RespondentRow, q question, out []store.Answer, get func(int) string) {
	ranked := false
	for _, i := range q.cols {
		raw := get(i)
		if raw == "" || isMissing(raw) {
			continue
		}
		w, ok := matchCatalogue(m.cat, ampersands.Replace(raw))
		if !ok {
			m.unmatched(r, i, raw)
			continue
		}
		j := slices.Index(q.ws, w.ID)
		if j < 0 {
			m.notOffered(r, i, raw, w.ID)
			continue
		}
		ranked = true
		if !out[j].Scored {
			rank := m.cols[i].slot
			out[j] = store.Answer{Raw: "rank " + strconv.Itoa(rank), Score: rankScore(rank, q.size.k, q.size.n), Scored: true}
		}
	}
	fillUnanswered(out, ranked, rawNotRanked)
}

// mapChoices scores a multi-select question with one column per option:
// a ticked option's cell holds its text.
func (m *mapper) mapChoices(q question, out []store.Answer, get func(int) string) {
	selected := false
	for j, i := range q.cols {
		if raw := get(i); raw != "" && !isMissing(raw) {
			out[j] = store.Answer{Raw: raw, Score: 1, Scored: true}
			selected = true
		}
	}
	fillUnanswered(out, selected, rawNotSelected)
}

// roleText returns the respondent's role: the role column's text, or for
// a role question exported with one column per option, the first option
// with a value.
func (m *mapper) roleText(get func(int) string) string {
	for _, i := range m.roles {
		if v := get(i); v != "" {
			return v
		}
	}
	return ""
}

// mapLevels scores a question exported with one column per scale level:
// the answer is the level of the one column with a value.
func (m *mapper) mapLevels(r *store.RespondentRow, q question, out []store.Answer, get func(int) string) {
	var chosen []string
	for _, i := range q.cols {
		if get(i) != "" {
			chosen = append(chosen, m.cols[i].level)
		}
	}
	switch len(chosen) {
	case 0:
	case 1:
		p := m.parsePriority(chosen[0])
		out[0] = store.Answer{Raw: chosen[0], Score: float64(p.score), Scored: p.ok && !p.missing}
	default:
		raw := strings.Join(chosen, "; ")
		out[0] = store.Answer{Raw: raw}
		m.warn(r, q.cols[0], &warning{code: "answer_ambiguous",
			msg: "more than one level of the scale was chosen; stored without a score", value: raw})
	}
}

// mapMultiSelect scores a multi-select question answered in one cell.
func (m *mapper) mapMultiSelect(r *store.RespondentRow, q question, out []store.Answer, get func(int) string) {
	i := q.cols[0]
	raw := get(i)
	if raw == "" || isMissing(raw) {
		return
	}
	found, unknown := splitOptions(raw, m.cat)
	for _, u := range unknown {
		m.unmatched(r, i, u)
	}
	for _, o := range found {
		if j := slices.Index(q.ws, o.ws); j >= 0 {
			out[j] = store.Answer{Raw: o.text, Score: 1, Scored: true}
		} else {
			m.notOffered(r, i, o.text, o.ws)
		}
	}
	fillUnanswered(out, true, rawNotSelected)
}

// fillUnanswered scores 0 the offered items a respondent who answered the
// question left unranked or unselected; raw is stored for them.
func fillUnanswered(out []store.Answer, answered bool, raw string) {
	if !answered {
		return
	}
	for j := range out {
		if out[j].Raw == "" {
			out[j] = store.Answer{Raw: raw, Scored: true}
		}
	}
}

// unmatched warns that an option or ranked item names no workstream.
func (m *mapper) unmatched(r *store.RespondentRow, i int, v string) {
	m.warn(r, i, &warning{code: "option_unmatched", msg: "the option names no workstream of the catalogue; ignored", value: v})
}

// notOffered warns that an option names a workstream the question was not
// read as offering: one first seen after the rows read ahead. A workstream
// answered by another question is ignored silently.
func (m *mapper) notOffered(r *store.RespondentRow, i int, v, ws string) {
	if slices.Contains(m.cols[i].options.unused, ws) {
		return
	}
	m.warn(r, i, &warning{code: "option_unmatched",
		msg: "the option names a workstream not seen in the first rows of the file; ignored", value: v})
}

// parsePriority is [survey.ParsePriority], remembered per distinct answer:
// a file repeats the same few labels on every row.
func (m *mapper) parsePriority(raw string) priority {
	if p, ok := m.scores[raw]; ok {
		return p
	}
	var p priority
	p.score, p.missing, p.ok = survey.ParsePriority(raw)
	if len(m.scores) < maxScoreCache {
		m.scores[raw] = p
	}
	return p
}

// warn adds w, if any, to the row as a problem in column i.
func (m *mapper) warn(r *store.RespondentRow, i int, w *warning) {
	if w == nil {
		return
	}
	r.Warnings = append(r.Warnings, store.Warning{Row: r.Row, Column: m.cols[i].label(),
		Code: w.code, Message: maskPersonal(w.msg), Value: shorten(maskPersonal(w.value), maxTextRunes)})
}

// question is the workstream columns of one question, with what scoring
// them needs.
type question struct {
	kind kind
	// cols are the question's columns: one per workstream (priority,
	// ranking, choice), one per rank position (rank-slot), or the one cell
	// (multi-select).
	cols []int
	// ws are the workstreams answered, aligned with cols for the kinds with
	// one column per workstream.
	ws []string
	// size is a ranking's ranked positions and items offered.
	size rankSize
}

// questions groups the workstream columns into questions, in column order:
// each priority column alone, the other kinds by question text.
func questions(cols []column) []question {
	var out []question
	at := map[string]int{}
	for i, c := range cols {
		if c.Role != roleWorkstream {
			continue
		}
		key := string(c.Kind) + "\x1f" + c.question
		j, ok := at[key]
		if c.Kind == kindPriority || !ok {
			j = len(out)
			at[key] = j
			out = append(out, question{kind: c.Kind, size: c.rank})
		}
		q := &out[j]
		q.cols = append(q.cols, i)
		switch c.Kind {
		case kindRankSlot, kindMultiSelect:
			q.ws = c.options.offered
		case kindLevel:
			q.ws = []string{c.Workstream}
		default:
			q.ws = append(q.ws, c.Workstream)
		}
	}
	return out
}

// respondentKey identifies the respondent: the platform's response ID with
// its times when the shape has one, else the row's non-blank cells with
// their headers (so a re-export that adds a question keeps old keys), the
// timestamps as times to the minute (so a re-save that rewrites or
// shortens them keeps them too). The key is a keyed hash, so it reveals
// nothing of the row.
func (m *mapper) respondentKey(f rowFields, cells []string) string {
	b := m.keyBuf[:0]
	var parts []string
	if m.shape.key != nil {
		parts = m.shape.key(f)
	}
	if parts != nil {
		for _, p := range parts {
			b = append(append(b, p...), 0x1f)
		}
	} else {
		b = append(b, "content\x1f"...)
		for i, c := range cells {
			v := tabular.CleanCell(c)
			switch {
			case v == "" || i >= m.width:
				continue
			case i == m.started && !f.started.IsZero():
				v = utcText(f.started) // the same time however it is written
			case i == m.submitted && !f.submitted.IsZero():
				v = utcText(f.submitted)
			}
			b = append(append(b, m.keyTags[i]...), 0x1f)
			b = append(append(b, v...), 0x1f)
		}
	}
	m.keyBuf = b
	h := m.keyHash
	h.Reset()
	h.Write(b)
	var sum [sha256.Size]byte
	return m.shape.platform + ":" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// errNotNumber is atoi's error for text that is not a whole number.
var errNotNumber = errors.New("not a whole number")

// atoi is strconv.Atoi for answers, most of which are labels: text that
// does not start like a number fails at once, without the allocation of
// strconv's error. A whole number written with a zero fraction ("4.0", as
// a sheet re-saved by pandas writes a column with blanks) is that number.
func atoi(s string) (int, error) {
	if s == "" || (s[0] != '-' && s[0] != '+' && (s[0] < '0' || s[0] > '9')) {
		return 0, errNotNumber
	}
	if i := strings.IndexByte(s, '.'); i > 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	return strconv.Atoi(s)
}
