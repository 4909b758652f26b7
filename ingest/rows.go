package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"surveyworker/store"
	"surveyworker/survey"
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
	ws, comments                                          []int
	dates                                                 *dateParser
	practices                                             *practiceMatcher
	hmacKey                                               []byte
	// strictWidth rejects rows with values beyond the header (CSV, where
	// that means the columns have shifted); a workbook only gets a warning.
	strictWidth bool
	// keyTags identify columns in content keys: a short hash of the header,
	// so the key does not depend on column order.
	keyTags []string
	keyHash hash.Hash
	scores  map[string]priority
}

// priority is a parsed answer, remembered per distinct text.
type priority struct {
	score       survey.Score
	missing, ok bool
}

// maxScoreCache bounds the distinct answer texts remembered per file.
const maxScoreCache = 4096

// newMapper indexes the classified columns.
func newMapper(file string, sh *shape, cols []column, dates *dateParser, pm *practiceMatcher, key []byte) *mapper {
	m := &mapper{file: file, shape: sh, cols: cols, width: len(cols), dates: dates, practices: pm, hmacKey: key,
		practice: -1, role: -1, email: -1, responseID: -1, started: -1, submitted: -1,
		keyHash: hmac.New(sha256.New, key), scores: map[string]priority{}}
	for i, c := range cols {
		m.keyTags = append(m.keyTags, keyedHash(key, c.Header)[:8])
		switch c.Role {
		case roleWorkstream:
			m.ws = append(m.ws, i)
		case roleComment:
			m.comments = append(m.comments, i)
		case rolePractice:
			m.practice = i
		case roleRole:
			m.role = i
		case roleEmail:
			m.email = i
		case roleResponseID:
			m.responseID = i
		case roleStarted:
			m.started = i
		case roleSubmitted:
			m.submitted = i
		}
	}
	return m
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
// *RejectError when a CSV row has values beyond the header.
func (m *mapper) mapRow(row int, cells []string) (*store.RespondentRow, error) {
	if blankRow(cells) {
		return nil, nil
	}
	r := &store.RespondentRow{Row: row}
	if err := m.checkWidth(r, cells); err != nil {
		return nil, err
	}
	get := func(i int) string { return cellAt(cells, i) }
	m.mapPractice(r, get)
	r.Role = shorten(get(m.role), maxTextRunes)
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
// gets a warning.
func (m *mapper) checkWidth(r *store.RespondentRow, cells []string) error {
	for i := m.width; i < len(cells); i++ {
		v := cleanCell(cells[i])
		switch {
		case v == "":
			continue
		case m.strictWidth:
			return &RejectError{File: m.file, Row: r.Row, Column: columnLetter(i),
				Reason: fmt.Sprintf("the row has a value beyond the last of the %d header columns", m.width)}
		}
		r.Warnings = append(r.Warnings, store.Warning{Row: r.Row, Column: columnLetter(i), Code: "cell_outside_header",
			Message: "a value in a column without a header was ignored", Value: shorten(v, maxTextRunes)})
		return nil
	}
	return nil
}

// cellAt returns cell i cleaned, or "" when i is -1 or past the row's end.
func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cleanCell(cells[i])
}

func (m *mapper) mapPractice(r *store.RespondentRow, get func(int) string) {
	if m.practice < 0 {
		return
	}
	r.PracticeText = shorten(get(m.practice), maxTextRunes)
	code, method, w := m.practices.match(r.PracticeText)
	r.PracticeODS, r.MatchMethod = code, method
	m.warn(r, m.practice, w)
}

// timestamp parses the timestamp in column i, warning when it cannot.
func (m *mapper) timestamp(r *store.RespondentRow, i int, get func(int) string) time.Time {
	s := get(i)
	if s == "" {
		return time.Time{}
	}
	t, err := m.dates.parse(s)
	if err != nil {
		m.warn(r, i, &warning{code: "timestamp_unreadable", msg: err.Error(), value: s})
	}
	return t
}

func (m *mapper) mapAnswers(r *store.RespondentRow, get func(int) string) {
	r.Answers = make([]store.Answer, len(m.ws))
	for j, i := range m.ws {
		raw := get(i)
		if raw == "" {
			continue
		}
		if s := m.cols[i].scale; s != nil {
			p := s.score(raw)
			r.Answers[j] = store.Answer{Raw: raw, Score: float64(p.score), Scored: p.ok && !p.missing}
			if !p.ok {
				m.warn(r, i, &warning{code: "answer_off_scale", msg: "the answer is not on the mapping's scale (" + s.String() + "); stored without a score", value: raw})
			}
			continue
		}
		p := m.parsePriority(raw)
		if m.cols[i].Reversed && p.ok && !p.missing && isNumber(raw) {
			p.score = 1 - p.score
		}
		r.Answers[j] = store.Answer{Raw: raw, Score: float64(p.score), Scored: p.ok && !p.missing}
		if !p.ok {
			m.warn(r, i, &warning{code: "answer_off_scale", msg: "the answer is not on the priority scale; stored without a score", value: raw})
		}
	}
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
		Code: w.code, Message: w.msg, Value: shorten(w.value, maxTextRunes)})
}

// respondentKey identifies the respondent: the platform's response ID with
// its times when the shape has one, else the row's non-blank cells with
// their headers (so a re-export that adds a question keeps old keys). The
// key is a keyed hash, so it reveals nothing of the row.
func (m *mapper) respondentKey(f rowFields, cells []string) string {
	h := m.keyHash
	h.Reset()
	var parts []string
	if m.shape.key != nil {
		parts = m.shape.key(f)
	}
	if parts == nil {
		parts = []string{"content"}
		for i, c := range cells {
			if v := cleanCell(c); v != "" && i < m.width {
				parts = append(parts, m.keyTags[i], v)
			}
		}
	}
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0x1f})
	}
	var sum [sha256.Size]byte
	return m.shape.platform + ":" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}
