package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PracticeMatch is a practice answer as a respondent wrote it and the
// practice it names.
type PracticeMatch struct {
	// Text is the answer as stored (respondents.practice_text).
	Text string
	// ODSCode is the practice it matches; Method how it was matched.
	ODSCode, Method string
}

// UnmatchedPracticeTexts returns each distinct non-empty practice answer
// of the respondents stored without a practice: the answers that matched
// no practice of the registry, or more than one, when they were loaded.
func (s *Store) UnmatchedPracticeTexts(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT practice_text FROM respondents
		WHERE practice_ods IS NULL AND practice_text <> '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: unmatched practice answers: %w", err)
	}
	return out, nil
}

// UnmatchedRespondents returns how many stored respondents have no
// practice.
func (s *Store) UnmatchedRespondents(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM respondents WHERE practice_ods IS NULL`); err != nil {
		return 0, fmt.Errorf("store: unmatched respondents: %w", err)
	}
	return n, nil
}

// RematchPractices sets the practice of every respondent stored without
// one whose answer is the Text of a match, in one transaction, and
// removes the "practice_unmatched" and "practice_ambiguous" warnings of
// those rows; their answers move to their practice's survey totals. A match naming a practice not in the registry is passed
// over. It returns how many respondents it matched.
func (s *Store) RematchPractices(ctx context.Context, ms []PracticeMatch) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	texts, codes, methods := make([]string, len(ms)), make([]string, len(ms)), make([]string, len(ms))
	for i, m := range ms {
		texts[i], codes[i], methods[i] = m.Text, m.ODSCode, m.Method
	}
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Loads check their practice codes under this lock; so does this.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, loadLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		// The totals moved are summed from score::text, as a load sums them.
		if _, err := tx.ExecContext(ctx, exactFloatText); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE rematched (id bigint PRIMARY KEY, file_id bigint NOT NULL)
				ON COMMIT DROP`); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &n, `WITH m AS (
				SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS m (text, code, method)
				WHERE EXISTS (SELECT 1 FROM practices p WHERE p.ods_code = m.code)),
			u AS (
				UPDATE respondents r SET practice_ods = m.code, match_method = m.method
				FROM m WHERE r.practice_ods IS NULL AND r.practice_text = m.text
				RETURNING r.id, r.file_id, r.row_number),
			kept AS (INSERT INTO rematched (id, file_id) SELECT id, file_id FROM u),
			d AS (
				DELETE FROM file_warnings w USING u
				WHERE w.file_id = u.file_id AND w.row_number = u.row_number
					AND w.code IN ('practice_unmatched', 'practice_ambiguous')
				RETURNING w.file_id),
			f AS (
				UPDATE source_files sf SET warnings = sf.warnings - c.n
				FROM (SELECT file_id, count(*) AS n FROM d GROUP BY file_id) c
				WHERE sf.id = c.file_id
				RETURNING sf.id)
			SELECT (SELECT count(*) FROM u) + 0 * (SELECT count(*) FROM f)`,
			pq.Array(texts), pq.Array(codes), pq.Array(methods))
		if err != nil || n == 0 {
			return err
		}
		return addRematchedTotals(ctx, tx)
	})
	if err != nil {
		return 0, fmt.Errorf("store: re-match practices: %w", err)
	}
	return n, nil
}
