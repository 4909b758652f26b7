package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// The survey totals (migration 0013) are what the ranking reads instead of
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
// PostgreSQL from the rows kept. They are added to the totals of all
// files too.
func storeFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64, workstreams []string, totals *fileTotals) error {
	var err error
	if totals.disabled {
		err = insertFileTotals(ctx, tx, fileID)
	} else {
		err = totals.copyTo(ctx, tx, fileID, workstreams)
	}
	if err == nil {
		err = addToAll(ctx, tx, `SELECT * FROM answer_totals WHERE file_id = $1`,
			`SELECT * FROM practice_totals WHERE file_id = $1`, fileID)
	}
	if err != nil {
		return fmt.Errorf("store the file's totals: %w", err)
	}
	return nil
}

// insertFileTotals stores the totals of file fileID's respondents,
// computed from its rows: run after its duplicates were removed, so they
// are of the respondents kept.
func insertFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64) error {
	for _, q := range []string{
		`INSERT INTO answer_totals (` + answerTotalsColumns + `) ` + answerTotalsSQL(`r.file_id = $1`),
		`INSERT INTO practice_totals (` + practiceTotalsColumns + `) ` + practiceTotalsSQL(`r.file_id = $1`),
	} {
		if _, err := tx.ExecContext(ctx, q, fileID); err != nil {
			return err
		}
	}
	return nil
}

// addToAll adds the rows of the queries answers and practices, shaped
// like answer_totals and practice_totals (file_id first), to the totals
// of all files.
func addToAll(ctx context.Context, tx *sqlx.Tx, answers, practices string, args ...any) error {
	return execAll(ctx, tx, args, []string{
		`INSERT INTO answer_totals_all AS g (practice_ods, role, workstream_id, answered, scored, score_sum)
		SELECT practice_ods, role, workstream_id, sum(answered), sum(scored), sum(score_sum)
		FROM (` + answers + `) s GROUP BY 1, 2, 3
		ON CONFLICT (practice_ods, role, workstream_id) DO UPDATE SET
			answered = g.answered + EXCLUDED.answered, scored = g.scored + EXCLUDED.scored,
			score_sum = g.score_sum + EXCLUDED.score_sum`,
		`INSERT INTO practice_totals_all AS g (practice_ods, respondents)
		SELECT practice_ods, sum(respondents) FROM (` + practices + `) s GROUP BY 1
		ON CONFLICT (practice_ods) DO UPDATE SET respondents = g.respondents + EXCLUDED.respondents`,
	})
}

// execAll runs each of queries with args.
func execAll(ctx context.Context, tx *sqlx.Tx, args []any, queries []string) error {
	for _, q := range queries {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// subtractFromAll takes the rows of the queries answers and practices,
// shaped like answer_totals and practice_totals, off the totals of all
// files, and deletes the rows left at 0.
func subtractFromAll(ctx context.Context, tx *sqlx.Tx, answers, practices string, args ...any) error {
	if err := subtractAnswersFromAll(ctx, tx, answers, args...); err != nil {
		return err
	}
	return subtractPracticesFromAll(ctx, tx, practices, args...)
}

// subtractAnswersFromAll is the answers' part of [subtractFromAll].
func subtractAnswersFromAll(ctx context.Context, tx *sqlx.Tx, answers string, args ...any) error {
	return execAll(ctx, tx, args, []string{
		`UPDATE answer_totals_all g SET answered = g.answered - s.answered, scored = g.scored - s.scored,
			score_sum = g.score_sum - s.score_sum
		FROM (SELECT practice_ods, role, workstream_id, sum(answered) AS answered, sum(scored) AS scored,
				sum(score_sum) AS score_sum
			FROM (` + answers + `) a GROUP BY 1, 2, 3) s
		WHERE (g.practice_ods, g.role, g.workstream_id) = (s.practice_ods, s.role, s.workstream_id)`,
		`DELETE FROM answer_totals_all g USING (` + answers + `) s
		WHERE (g.practice_ods, g.role, g.workstream_id) = (s.practice_ods, s.role, s.workstream_id) AND g.answered = 0`,
	})
}

// subtractPracticesFromAll is the practices' part of [subtractFromAll].
func subtractPracticesFromAll(ctx context.Context, tx *sqlx.Tx, practices string, args ...any) error {
	return execAll(ctx, tx, args, []string{
		`UPDATE practice_totals_all g SET respondents = g.respondents - s.respondents
		FROM (SELECT practice_ods, sum(respondents) AS respondents FROM (` + practices + `) p GROUP BY 1) s
		WHERE g.practice_ods = s.practice_ods`,
		`DELETE FROM practice_totals_all g USING (` + practices + `) s
		WHERE g.practice_ods = s.practice_ods AND g.respondents = 0`,
	})
}

// deleteFileTotals takes the totals of file fileID off those of all
// files and deletes them.
func deleteFileTotals(ctx context.Context, tx *sqlx.Tx, fileID int64) error {
	err := subtractFromAll(ctx, tx, `SELECT * FROM answer_totals WHERE file_id = $1`,
		`SELECT * FROM practice_totals WHERE file_id = $1`, fileID)
	for _, q := range []string{`DELETE FROM answer_totals WHERE file_id = $1`, `DELETE FROM practice_totals WHERE file_id = $1`} {
		if err != nil {
			break
		}
		_, err = tx.ExecContext(ctx, q, fileID)
	}
	if err != nil {
		return fmt.Errorf("delete the file's totals: %w", err)
	}
	return nil
}

// addRematchedTotals moves the respondents listed in the temporary table
// rematched (id, file_id) from the unmatched count of their file to the
// totals of the practice they now have, in each file's totals and in
// those of all files.
func addRematchedTotals(ctx context.Context, tx *sqlx.Tx) error {
	const in = `r.id IN (SELECT id FROM rematched)`
	steps := []string{
		`CREATE TEMP TABLE rematch_answers ON COMMIT DROP AS ` + answerTotalsSQL(in),
		`CREATE TEMP TABLE rematch_practices ON COMMIT DROP AS ` + practiceTotalsSQL(in),
		`CREATE TEMP TABLE rematch_unmatched ON COMMIT DROP AS
			SELECT file_id, ''::text AS practice_ods, count(*) AS respondents FROM rematched GROUP BY 1`,
		`INSERT INTO answer_totals AS t (` + answerTotalsColumns + `) SELECT * FROM rematch_answers
		ON CONFLICT (file_id, practice_ods, role, workstream_id) DO UPDATE SET
			answered = t.answered + EXCLUDED.answered, scored = t.scored + EXCLUDED.scored,
			score_sum = t.score_sum + EXCLUDED.score_sum`,
		`INSERT INTO practice_totals AS t (` + practiceTotalsColumns + `) SELECT * FROM rematch_practices
		ON CONFLICT (file_id, practice_ods) DO UPDATE SET respondents = t.respondents + EXCLUDED.respondents`,
		`DELETE FROM practice_totals t USING rematch_unmatched u
		WHERE (t.file_id, t.practice_ods) = (u.file_id, u.practice_ods) AND t.respondents <= u.respondents`,
		`UPDATE practice_totals t SET respondents = t.respondents - u.respondents FROM rematch_unmatched u
		WHERE (t.file_id, t.practice_ods) = (u.file_id, u.practice_ods)`,
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("move re-matched respondents' totals: %w", err)
		}
	}
	err := addToAll(ctx, tx, `SELECT * FROM rematch_answers`, `SELECT * FROM rematch_practices`)
	if err == nil {
		err = subtractPracticesFromAll(ctx, tx, `SELECT * FROM rematch_unmatched`)
	}
	if err != nil {
		return fmt.Errorf("move re-matched respondents' totals: %w", err)
	}
	return nil
}

// TotalsCheck is what [Store.RecomputeTotals] found.
type TotalsCheck struct {
	// Rows is the number of rows of the four totals tables recomputed
	// from the stored answers: per file and of all files.
	Rows int
	// Differing counts the rows that were not stored exactly so: missing,
	// extra, or with another count or sum. It is 0 when the stored totals
	// were exact.
	Differing int
	// Answers is the number of answers the totals were computed from.
	Answers int64
}

// Equal reports whether the stored totals equalled the recomputation.
func (c TotalsCheck) Equal() bool { return c.Differing == 0 }

// totalsTables are the totals tables, their keys and their values.
var totalsTables = []struct{ table, key, values string }{
	{"answer_totals", "file_id, practice_ods, role, workstream_id", "answered, scored, score_sum"},
	{"practice_totals", "file_id, practice_ods", "respondents"},
	{"answer_totals_all", "practice_ods, role, workstream_id", "answered, scored, score_sum"},
	{"practice_totals_all", "practice_ods", "respondents"},
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
			`CREATE TEMP TABLE fresh_answer_totals ON COMMIT DROP AS ` + answerTotalsSQL(`true`),
			`CREATE TEMP TABLE fresh_practice_totals ON COMMIT DROP AS ` + practiceTotalsSQL(`true`),
			`CREATE TEMP TABLE fresh_answer_totals_all ON COMMIT DROP AS
				SELECT practice_ods, role, workstream_id, sum(answered) AS answered, sum(scored) AS scored,
					sum(score_sum) AS score_sum
				FROM fresh_answer_totals GROUP BY 1, 2, 3`,
			`CREATE TEMP TABLE fresh_practice_totals_all ON COMMIT DROP AS
				SELECT practice_ods, sum(respondents) AS respondents FROM fresh_practice_totals GROUP BY 1`,
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
		for _, t := range totalsTables {
			rows, differing, err := compareTotals(ctx, tx, t.table, t.key, t.values)
			if err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
			c.Rows += rows
			c.Differing += differing
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
	// A row missing on one side has NULL values there.
	first := strings.TrimSpace(strings.Split(values, ",")[0])
	err = tx.GetContext(ctx, &differing, `SELECT count(*) FROM `+table+` s FULL JOIN `+fresh+` f USING (`+key+`)
		WHERE s.`+first+` IS NULL OR f.`+first+` IS NULL
			OR (`+prefixed("s", values)+`) IS DISTINCT FROM (`+prefixed("f", values)+`)`)
	if err != nil || differing == 0 {
		return rows, differing, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return 0, 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (`+key+`, `+values+`) SELECT `+key+`, `+values+` FROM `+fresh)
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
