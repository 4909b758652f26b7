package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// The survey totals (migration 0017) are what the ranking reads instead of
// the answers: per file, the sums and counts of the scored answers of each
// practice, role and workstream (answer_totals), and the respondents of
// each practice (practice_totals). Every statement that changes which
// respondents a file holds, or their practice, changes the totals in the
// same transaction: a load ([Store.LoadFile]), a forget ([Store.ForgetFile])
// and a re-match ([Store.RematchPractices]). [Store.RecomputeTotals] builds
// them again from the answers and says whether they differed.
//
// Sums are exact: score_sum is numeric, the sum of each score written as
// its shortest round-trip decimal, so they do not depend on the order or
// grouping in which answers were added. See docs/METHOD.md §1.

// exactFloatText makes a double print as the shortest decimal that reads
// back as the same double, whatever the session's setting was: the text
// that the totals' numeric sums are made of.
const exactFloatText = `SET LOCAL extra_float_digits = 1`

// answerTotalsSQL aggregates the answers of the respondents that match
// where (a condition on respondents r) into answer_totals rows. The inner
// grouping is by score, so each distinct score is turned into its decimal
// once per group rather than once per answer.
func answerTotalsSQL(where string) string {
	return `SELECT c.file_id, c.practice_ods, c.role, f.workstreams[c.ord] AS workstream_id,
			sum(c.n) AS answered, coalesce(sum(c.n) FILTER (WHERE c.score IS NOT NULL), 0) AS scored,
			coalesce(sum(c.n * c.score::text::numeric), 0) AS score_sum
		FROM (SELECT r.file_id, r.practice_ods, btrim(r.role) AS role, a.ord, a.score, count(*) AS n
			FROM respondents r
			CROSS JOIN LATERAL unnest(r.raw, r.score) WITH ORDINALITY AS a (raw, score, ord)
			WHERE r.practice_ods IS NOT NULL AND a.raw <> '' AND (` + where + `)
			GROUP BY 1, 2, 3, 4, 5) c
		JOIN source_files f ON f.id = c.file_id
		WHERE f.workstreams[c.ord] IS NOT NULL
		GROUP BY c.file_id, c.practice_ods, c.role, f.workstreams[c.ord]`
}

// practiceTotalsSQL counts the respondents that match where per file and
// practice, an empty code standing for no practice.
func practiceTotalsSQL(where string) string {
	return `SELECT r.file_id, coalesce(r.practice_ods, '') AS practice_ods, count(*) AS respondents
		FROM respondents r WHERE (` + where + `) GROUP BY 1, 2`
}

// The columns of the two tables, in the order of the queries above.
const (
	answerTotalsColumns   = `file_id, practice_ods, role, workstream_id, answered, scored, score_sum`
	practiceTotalsColumns = `file_id, practice_ods, respondents`
)

// storeFileTotals stores the totals of file fileID's respondents, run
// after its duplicates were removed: those accumulated while its rows
// were copied, or, when they grew too large to accumulate, computed by
// PostgreSQL from the rows kept.
func storeFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64, workstreams []string, totals *fileTotals) error {
	if totals.disabled {
		return insertFileTotals(ctx, tx, fileID)
	}
	if err := totals.copyTo(ctx, tx, fileID, workstreams); err != nil {
		return fmt.Errorf("store the file's totals: %w", err)
	}
	return nil
}

// insertFileTotals stores the totals of file fileID's respondents,
// computed from its rows: run after its duplicates were removed, so they
// are of the respondents kept.
func insertFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64) error {
	for _, q := range []string{
		exactFloatText,
		`INSERT INTO answer_totals (` + answerTotalsColumns + `) ` + answerTotalsSQL(`r.file_id = $1`),
		`INSERT INTO practice_totals (` + practiceTotalsColumns + `) ` + practiceTotalsSQL(`r.file_id = $1`),
	} {
		var args []any
		if q != exactFloatText {
			args = []any{fileID}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store the file's totals: %w", err)
		}
	}
	return nil
}

// deleteFileTotals deletes the totals of file fileID.
func deleteFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64) error {
	for _, q := range []string{`DELETE FROM answer_totals WHERE file_id = $1`, `DELETE FROM practice_totals WHERE file_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, fileID); err != nil {
			return fmt.Errorf("delete the file's totals: %w", err)
		}
	}
	return nil
}

// addRematchedTotals moves the respondents listed in the temporary table
// rematched (id, file_id) from the unmatched count of their file to the
// totals of the practice they now have.
func addRematchedTotals(ctx context.Context, tx *sqlx.Tx) error {
	const in = `r.id IN (SELECT id FROM rematched)`
	for _, q := range []string{
		exactFloatText,
		`INSERT INTO answer_totals (` + answerTotalsColumns + `) ` + answerTotalsSQL(in) + `
		ON CONFLICT (file_id, practice_ods, role, workstream_id) DO UPDATE SET
			answered = answer_totals.answered + EXCLUDED.answered,
			scored = answer_totals.scored + EXCLUDED.scored,
			score_sum = answer_totals.score_sum + EXCLUDED.score_sum`,
		`INSERT INTO practice_totals (` + practiceTotalsColumns + `) ` + practiceTotalsSQL(in) + `
		ON CONFLICT (file_id, practice_ods) DO UPDATE SET
			respondents = practice_totals.respondents + EXCLUDED.respondents`,
		`WITH c AS (SELECT file_id, count(*) AS n FROM rematched GROUP BY file_id),
			gone AS (DELETE FROM practice_totals t USING c
				WHERE t.file_id = c.file_id AND t.practice_ods = '' AND t.respondents <= c.n)
		UPDATE practice_totals t SET respondents = t.respondents - c.n FROM c
		WHERE t.file_id = c.file_id AND t.practice_ods = '' AND t.respondents > c.n`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("move re-matched respondents' totals: %w", err)
		}
	}
	return nil
}

// TotalsCheck is what [Store.RecomputeTotals] found.
type TotalsCheck struct {
	// AnswerRows and PracticeRows are the rows of answer_totals and
	// practice_totals recomputed from the stored answers.
	AnswerRows, PracticeRows int
	// AnswerRowsDiffering and PracticeRowsDiffering count the rows that
	// were not stored exactly so: missing, extra, or with another count
	// or sum. Both are 0 when the stored totals were exact.
	AnswerRowsDiffering, PracticeRowsDiffering int
	// Answers is the number of answers the totals were computed from.
	Answers int64
}

// Equal reports whether the stored totals equalled the recomputation.
func (c TotalsCheck) Equal() bool {
	return c.AnswerRowsDiffering == 0 && c.PracticeRowsDiffering == 0
}

// RecomputeTotals computes the survey totals again from every stored
// answer, in one transaction under the load lock, compares them with the
// stored ones, row by row and exactly (numeric sums by value, counts), and
// replaces the stored ones when any differ. The answers are kept for
// this: to check that the totals kept by loads, forgets and re-matches
// are exact, and to rebuild them should they not be.
func (s *Store) RecomputeTotals(ctx context.Context) (TotalsCheck, error) {
	var c TotalsCheck
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, loadLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		steps := []string{
			exactFloatText,
			`CREATE TEMP TABLE fresh_answer_totals (LIKE answer_totals) ON COMMIT DROP`,
			`INSERT INTO fresh_answer_totals (` + answerTotalsColumns + `) ` + answerTotalsSQL(`true`),
			`CREATE TEMP TABLE fresh_practice_totals (LIKE practice_totals) ON COMMIT DROP`,
			`INSERT INTO fresh_practice_totals (` + practiceTotalsColumns + `) ` + practiceTotalsSQL(`true`),
		}
		for _, q := range steps {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		err := tx.GetContext(ctx, &c.Answers, `SELECT coalesce(sum(answered), 0) FROM fresh_answer_totals`)
		if err != nil {
			return err
		}
		if c.AnswerRows, c.AnswerRowsDiffering, err = compareTotals(ctx, tx, "answer_totals",
			"file_id, practice_ods, role, workstream_id", "answered, scored, score_sum"); err != nil {
			return err
		}
		if c.PracticeRows, c.PracticeRowsDiffering, err = compareTotals(ctx, tx, "practice_totals",
			"file_id, practice_ods", "respondents"); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return TotalsCheck{}, fmt.Errorf("store: recompute totals: %w", err)
	}
	return c, nil
}

// compareTotals compares table with its recomputation fresh_<table>,
// joined on the key columns and compared on the value columns, and when
// any row differs replaces the table's rows with the recomputed ones. It
// returns the recomputed rows and how many rows differed.
func compareTotals(ctx context.Context, tx *sqlx.Tx, table, key, values string) (rows, differing int, err error) {
	fresh := "fresh_" + table
	err = tx.GetContext(ctx, &rows, `SELECT count(*) FROM `+fresh)
	if err != nil {
		return 0, 0, err
	}
	err = tx.GetContext(ctx, &differing, `SELECT count(*) FROM `+table+` s FULL JOIN `+fresh+` f USING (`+key+`)
		WHERE s.file_id IS NULL OR f.file_id IS NULL OR (`+prefixed("s", values)+`) IS DISTINCT FROM (`+prefixed("f", values)+`)`)
	if err != nil || differing == 0 {
		return rows, differing, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return 0, 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` SELECT * FROM `+fresh)
	return rows, differing, err
}

// prefixed returns the comma-separated columns each qualified with alias.
func prefixed(alias, columns string) string {
	names := strings.Split(columns, ",")
	for i, n := range names {
		names[i] = alias + "." + strings.TrimSpace(n)
	}
	return strings.Join(names, ", ")
}
