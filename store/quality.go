package store

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/lib/pq"
)

// PracticeCandidatesMarker introduces, in the message of a
// "practice_unmatched" or "practice_ambiguous" warning, the closest
// practices of the registry: "Name (CODE); Name (CODE)". The ingester
// writes it and [Store.Warnings] reads the list after it.
const PracticeCandidatesMarker = "; closest in the registry: "

// RowWarning is one stored warning: a problem in a loaded file that did
// not make it unusable, such as an unmatched practice or an answer off the
// scale.
type RowWarning struct {
	// File is the source file's name.
	File string
	// Row is the row in the file (the header is row 1); 0 for a warning
	// about the whole file.
	Row int
	// Column names the column, e.g. `C "Which practice…"`; empty when the
	// warning concerns the whole row or file.
	Column string
	// Code is the warning's stable code, such as "practice_unmatched".
	Code string
	// Message explains the problem to a person, without the closest
	// practices.
	Message string
	// Value is the offending cell text, if any.
	Value string
	// Candidates are, for a practice that matched no practice or more
	// than one, the closest practices of the registry, "Name (CODE); Name
	// (CODE)", best first; empty otherwise.
	Candidates string
}

// Warnings returns every stored warning, by file name, file, row, code and
// column, as a sequence read from the database while it is iterated, so
// memory does not grow with the number of warnings. The sequence holds a
// database connection until it ends. An error ends it, yielded with a
// zero RowWarning.
//
// With federations (a federation lead's view), a warning about the row of
// a respondent is returned only when the respondent's practice is in one
// of them, or when the respondent matched no practice and the warning
// shows no answer but the practice named (an unmatched, ambiguous or
// missing practice); warnings about a file or its header are always
// returned. So the view never shows what respondents of other federations
// wrote; [Store.WithheldWarnings] counts what it leaves out.
func (s *Store) Warnings(ctx context.Context, federations ...string) iter.Seq2[RowWarning, error] {
	return func(yield func(RowWarning, error) bool) {
		rows, err := s.db.QueryContext(ctx, `SELECT f.name, w.row_number, w.column_name, w.code,
				split_part(w.message, $3, 1), w.value, split_part(w.message, $3, 2)
			`+warningsFrom+` WHERE `+warningVisible+`
			ORDER BY f.name COLLATE "C", f.id, w.row_number, w.code COLLATE "C", w.column_name COLLATE "C"`,
			pq.Array(nonNil(federations)), pq.Array(practiceWarningCodes), PracticeCandidatesMarker)
		if err != nil {
			yield(RowWarning{}, fmt.Errorf("store: warnings: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var w RowWarning
			if err := rows.Scan(&w.File, &w.Row, &w.Column, &w.Code, &w.Message, &w.Value, &w.Candidates); err != nil {
				yield(RowWarning{}, fmt.Errorf("store: warnings: %w", err))
				return
			}
			if !yield(w, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(RowWarning{}, fmt.Errorf("store: warnings: %w", err))
		}
	}
}

// WithheldWarnings returns how many stored warnings [Store.Warnings]
// leaves out for the view of federations: 0 without federations.
func (s *Store) WithheldWarnings(ctx context.Context, federations ...string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) `+warningsFrom+` WHERE NOT (`+warningVisible+`)`,
		pq.Array(nonNil(federations)), pq.Array(practiceWarningCodes))
	if err != nil {
		return 0, fmt.Errorf("store: withheld warnings: %w", err)
	}
	return n, nil
}

// practiceWarningCodes are the warnings whose value is the practice a
// respondent named: an organisation, not what the respondent wrote about
// it.
var practiceWarningCodes = []string{"practice_unmatched", "practice_ambiguous", "practice_missing"}

// warningsFrom joins each warning to its file and to the respondent of its
// row, if one was stored, with the respondent's federation.
const warningsFrom = `FROM file_warnings w JOIN source_files f ON f.id = w.file_id
			LEFT JOIN respondents r ON r.file_id = w.file_id AND r.row_number = w.row_number
			LEFT JOIN practices p ON p.ods_code = r.practice_ods
			LEFT JOIN federations fed ON fed.id = p.federation_id`

// warningVisible says whether a warning belongs in the view of the
// federations $1 (all of them when $1 is empty); $2 are
// practiceWarningCodes.
const warningVisible = `(cardinality($1::text[]) = 0 OR coalesce(fed.name = ANY($1), false)
			OR (r.practice_ods IS NULL AND (w.value = '' OR w.code = ANY($2))))`

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
	File string
	// Platform is the survey platform whose shape the file had.
	Platform string
	// LoadedAt is when the file was loaded.
	LoadedAt time.Time
	// Respondents is the number of new respondents stored from the file.
	Respondents int
	// Comments is the number of non-empty free-text answers stored from it.
	Comments int
	// PartialLoaded and PartialExcluded count the file's partial
	// responses stored and left out.
	PartialLoaded, PartialExcluded int
	// Warnings counts the file's stored warnings by code and, when there
	// are any, its partial responses under [PartialLoadedCode] and
	// [PartialExcludedCode], so that a table of codes shows them.
	Warnings map[string]int
}

// FileQualities returns every loaded file with its respondents, comments
// and warnings counted by code, in load order.
func (s *Store) FileQualities(ctx context.Context) ([]FileQuality, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, f.name, f.platform, f.loaded_at, f.respondents,
			(SELECT count(*) FROM respondents r
				CROSS JOIN LATERAL unnest(r.comments) AS c (body)
				WHERE r.file_id = f.id AND c.body <> ''),
			f.partial_loaded, f.partial_excluded,
			coalesce(w.code, ''), count(w.code)
		FROM source_files f LEFT JOIN file_warnings w ON w.file_id = f.id
		GROUP BY f.id, f.name, f.platform, f.loaded_at, f.respondents, f.partial_loaded, f.partial_excluded, w.code
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
		if err := rows.Scan(&id, &fq.File, &fq.Platform, &fq.LoadedAt, &fq.Respondents, &fq.Comments,
			&fq.PartialLoaded, &fq.PartialExcluded, &code, &n); err != nil {
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
