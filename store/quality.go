package store

import (
	"context"
	"fmt"
)

// PracticeCandidatesMarker introduces, in the message of a
// "practice_unmatched" or "practice_ambiguous" warning, the closest
// practices of the registry: "Name (CODE); Name (CODE)". The ingester
// writes it and [Store.PracticeMatchProblems] reads the list after it.
const PracticeCandidatesMarker = "; closest in the registry: "

// PracticeMatchProblem is a respondent's practice answer that matched no
// practice, or more than one.
type PracticeMatchProblem struct {
	// File is the source file's name and Row the answer's row in it.
	File string `db:"file"`
	Row  int    `db:"row_number"`
	// Text is the practice as the respondent gave it.
	Text string `db:"value"`
	// Code is "practice_unmatched" or "practice_ambiguous".
	Code string `db:"code"`
	// Candidates are the closest practices, "Name (CODE); Name (CODE)",
	// best first; empty when none is close.
	Candidates string `db:"candidates"`
}

// PracticeMatchProblems returns up to limit of the stored practice answers
// that matched no practice or more than one, by file name and row, and how
// many there are in all.
func (s *Store) PracticeMatchProblems(ctx context.Context, limit int) ([]PracticeMatchProblem, int, error) {
	const where = `FROM file_warnings w JOIN source_files f ON f.id = w.file_id
		WHERE w.code IN ('practice_unmatched', 'practice_ambiguous')`
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) `+where); err != nil {
		return nil, 0, fmt.Errorf("store: practice match problems: %w", err)
	}
	out := []PracticeMatchProblem{}
	err := s.db.SelectContext(ctx, &out, `SELECT f.name AS file, w.row_number, w.value, w.code,
			split_part(w.message, $1, 2) AS candidates `+where+`
		ORDER BY f.name, f.id, w.row_number LIMIT $2`, PracticeCandidatesMarker, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: practice match problems: %w", err)
	}
	return out, total, nil
}

// The codes under which [FileQuality.Warnings] counts a file's partial
// responses.
const (
	// PartialLoadedCode counts the respondents stored whose response the
	// platform marks partial.
	PartialLoadedCode = "partial_loaded"
	// PartialExcludedCode counts the partial responses left out.
	PartialExcludedCode = "partial_excluded"
)

// FileQuality summarises one loaded file's data quality.
type FileQuality struct {
	// File is the file's name.
	File string `db:"file"`
	// Respondents is the number of new respondents stored from the file.
	Respondents int `db:"respondents"`
	// PartialLoaded and PartialExcluded count the file's partial
	// responses stored and left out.
	PartialLoaded, PartialExcluded int `db:"-"`
	// Warnings counts the file's stored warnings by code and, when there
	// are any, its partial responses under [PartialLoadedCode] and
	// [PartialExcludedCode], so that a table of codes shows them.
	Warnings map[string]int `db:"-"`
}

// FileQualities returns every loaded file with its respondents and its
// warnings counted by code, in load order.
func (s *Store) FileQualities(ctx context.Context) ([]FileQuality, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, f.name, f.respondents, f.partial_loaded, f.partial_excluded,
			coalesce(w.code, ''), count(w.code)
		FROM source_files f LEFT JOIN file_warnings w ON w.file_id = f.id
		GROUP BY f.id, f.name, f.respondents, f.partial_loaded, f.partial_excluded, w.code
		ORDER BY f.id, w.code`)
	if err != nil {
		return nil, fmt.Errorf("store: file qualities: %w", err)
	}
	defer rows.Close()
	out := []FileQuality{}
	last := int64(-1)
	for rows.Next() {
		var id int64
		var fq FileQuality
		var code string
		var n int
		if err := rows.Scan(&id, &fq.File, &fq.Respondents, &fq.PartialLoaded, &fq.PartialExcluded, &code, &n); err != nil {
			return nil, fmt.Errorf("store: file qualities: %w", err)
		}
		if id != last {
			fq.Warnings = map[string]int{}
			for c, k := range map[string]int{PartialLoadedCode: fq.PartialLoaded, PartialExcludedCode: fq.PartialExcluded} {
				if k > 0 {
					fq.Warnings[c] = k
				}
			}
			out = append(out, fq)
			last = id
		}
		if code != "" {
			out[len(out)-1].Warnings[code] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: file qualities: %w", err)
	}
	return out, nil
}
