package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// loadLockKey is the transaction-level advisory lock that serialises file
// loads, so the duplicate check of one load sees every respondent of the
// loads before it.
const loadLockKey = 0x5357_4c4f_4144 // "SWLOAD"

// LoadFile loads one file in one transaction: a source_files row, then every
// row returned by next until it returns io.EOF (a row marked Excluded is
// only counted), copied straight into
// respondents with COPY, one row per respondent with its answers and
// comments as arrays. Rows whose respondent key is already stored, or
// appears earlier in the file, are then removed again and counted as
// duplicates. The survey totals of the respondents kept (see totals.go) are
// stored in the same transaction. When a file with the same SHA-256 was
// loaded before, LoadFile writes nothing and returns a result with Duplicate set. Any error from
// next or from the database rolls the whole file back; errors caused by the
// data wrap [ErrRejectedData], and errors from next are returned wrapped.
//
// Memory does not grow with the file: rows are copied as they come, and row
// warnings are spooled to a temporary file until the rows are in. Only the
// row numbers of partial responses are kept, to take those removed as
// duplicates off the partial count.
func (s *Store) LoadFile(ctx context.Context, f SourceFile, next func() (*RespondentRow, error)) (LoadResult, error) {
	var res LoadResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = loadFile(ctx, tx, f, next, s.Now())
		return err
	})
	if errors.Is(err, errDuplicateFile) {
		id, _, lerr := s.LoadedFile(ctx, f.SHA256)
		return LoadResult{FileID: id, Duplicate: true}, lerr
	}
	if err != nil {
		return LoadResult{}, fmt.Errorf("store: load file %s: %w", f.Name, classifyLoadError(err))
	}
	return res, nil
}

// errDuplicateFile rolls back a load whose bytes are already stored.
var errDuplicateFile = errors.New("file already loaded")

// loadFile is [Store.LoadFile] inside its transaction, with now as the
// file's load time.
func loadFile(ctx context.Context, tx *sqlx.Tx, f SourceFile, next func() (*RespondentRow, error), now time.Time) (LoadResult, error) {
	res := LoadResult{}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, loadLockKey); err != nil {
		return res, fmt.Errorf("lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, exactFloatText); err != nil {
		return res, err
	}
	if err := checkWorkstreams(ctx, tx, f.Workstreams); err != nil {
		return res, err
	}
	id, err := insertSourceFile(ctx, tx, f, now)
	if err != nil {
		return res, err
	}
	res.FileID = id
	spool := &warningSpool{fileID: id}
	defer spool.remove()
	practices := map[string]bool{}
	partial := []int64{}
	totals := newFileTotals(len(f.Workstreams))
	if err := copyRespondents(ctx, tx, id, next, spool, practices, &partial, totals, &res); err != nil {
		return res, err
	}
	if err := checkPractices(ctx, tx, practices); err != nil {
		return res, err
	}
	repeated, err := removeDuplicates(ctx, tx, id, partial, totals, &res)
	if err != nil {
		return res, err
	}
	fileWarns := f.Warnings
	if repeated != nil {
		fileWarns = append(slices.Clone(fileWarns), *repeated)
	}
	if err := insertWarnings(ctx, tx, id, fileWarns, spool, res.Duplicates > 0); err != nil {
		return res, err
	}
	res.Warnings = len(fileWarns) + spool.kept
	if err := storeFileTotals(ctx, tx, id, f.Workstreams, totals); err != nil {
		return res, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE source_files SET rows_read = $2, respondents = $3, duplicates = $4,
		answers = $5, warnings = $6, partial_loaded = $7, partial_excluded = $8 WHERE id = $1`,
		id, res.Rows, res.Respondents, res.Duplicates, res.Answers, res.Warnings, res.Partial, res.PartialExcluded)
	return res, err
}

// checkWorkstreams makes sure every workstream of a file's column list is
// in the catalogue table: answers carry no foreign key, so this is the
// check that stands for one.
func checkWorkstreams(ctx context.Context, tx *sqlx.Tx, ids []string) error {
	var unknown []string
	err := tx.SelectContext(ctx, &unknown, `SELECT w FROM unnest($1::text[]) AS w
		WHERE NOT EXISTS (SELECT 1 FROM workstreams WHERE id = w)`, pq.Array(nonNil(ids)))
	if err != nil {
		return fmt.Errorf("check workstreams: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("workstream(s) %s are not in the workstreams table; sync the catalogue first", strings.Join(unknown, ", "))
	}
	return nil
}

// insertSourceFile stores f's source_files row and returns its ID, or
// errDuplicateFile when a file with the same SHA-256 is stored.
func insertSourceFile(ctx context.Context, tx *sqlx.Tx, f SourceFile, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO source_files (name, sha256, size_bytes, platform, format, encoding,
			loaded_at, workstreams, comment_questions)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
		f.Name, f.SHA256, f.Size, f.Platform, f.Format, f.Encoding, now,
		pq.Array(nonNil(f.Workstreams)), pq.Array(nonNil(f.CommentQuestions)))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errDuplicateFile
	}
	if err != nil {
		return 0, fmt.Errorf("insert source file: %w", err)
	}
	return id, nil
}

// copyRespondentsSQL starts the COPY of a file's respondents; the columns
// are those of [copyBuffers.values].
const copyRespondentsSQL = `COPY respondents (file_id, row_number, respondent_key, practice_ods, practice_text,
	match_method, role, email_hmac, submitted_at, raw, score, comments) FROM STDIN`

// copyRespondents streams every row from next into respondents, spooling
// its warnings, noting its practice codes in practices and, when it is
// partial, its row number in partial, adding it to totals, and counts
// rows and answers in res. A row marked Excluded is only counted.
func copyRespondents(ctx context.Context, tx *sqlx.Tx, fileID int64, next func() (*RespondentRow, error),
	spool *warningSpool, practices map[string]bool, partial *[]int64, totals *fileTotals, res *LoadResult) error {
	stmt, err := tx.PrepareContext(ctx, copyRespondentsSQL)
	if err != nil {
		return fmt.Errorf("start copy: %w", err)
	}
	defer stmt.Close()
	var buf copyBuffers
	for {
		r, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if r.Excluded {
			res.PartialExcluded++
			continue
		}
		if r.Partial {
			res.Partial++
			*partial = append(*partial, int64(r.Row))
		}
		if _, err := stmt.ExecContext(ctx, buf.values(fileID, r)...); err != nil {
			return fmt.Errorf("copy row %d: %w", r.Row, err)
		}
		if err := spool.add(r); err != nil {
			return err
		}
		totals.add(r)
		if r.PracticeODS != "" {
			practices[r.PracticeODS] = true
		}
		res.Rows++
		res.Answers += buf.answered
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("finish copy: %w", err)
	}
	res.Respondents = res.Rows
	return nil
}

// maxUnknownPractices bounds the practice codes named in the error of
// [checkPractices].
const maxUnknownPractices = 5

// checkPractices makes sure every practice code the file's respondents
// were matched to is in the registry, standing for a foreign key checked
// once per file. The codes are few: at most one per registry practice.
func checkPractices(ctx context.Context, tx *sqlx.Tx, codes map[string]bool) error {
	if len(codes) == 0 {
		return nil
	}
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	var unknown []string
	err := tx.SelectContext(ctx, &unknown, `SELECT c FROM unnest($1::text[]) AS c
		WHERE NOT EXISTS (SELECT 1 FROM practices p WHERE p.ods_code = c)
		ORDER BY 1 LIMIT $2`, pq.Array(list), maxUnknownPractices)
	if err != nil {
		return fmt.Errorf("check practices: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("practice code(s) %s are not in the registry", strings.Join(unknown, ", "))
	}
	return nil
}

// removeDuplicates deletes the file's rows whose respondent key is stored
// for another file or appears on an earlier row of this one, and takes
// them, their answers and those of them that are partial (their row
// numbers in partial) off the counts in res and off totals. Rows repeating an earlier
// row of the same file are returned as one file warning.
//
// The unique key is checked at commit, so the copy could take every row.
// Checking it now, inside a savepoint, costs nothing when no key was
// already taken (the usual first load of a file): only rows whose key met
// another in the index are checked. When one was, the savepoint is rolled
// back, which puts the checks back for commit, and the duplicates are
// deleted.
func removeDuplicates(ctx context.Context, tx *sqlx.Tx, fileID int64, partial []int64, totals *fileTotals, res *LoadResult) (*Warning, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT unique_keys`); err != nil {
		return nil, fmt.Errorf("check respondent keys: %w", err)
	}
	_, err := tx.ExecContext(ctx, `SET CONSTRAINTS respondents_respondent_key_key IMMEDIATE`)
	if err == nil {
		_, err = tx.ExecContext(ctx, `SET CONSTRAINTS respondents_respondent_key_key DEFERRED; RELEASE SAVEPOINT unique_keys`)
		if err != nil {
			return nil, fmt.Errorf("check respondent keys: %w", err)
		}
		return nil, nil
	}
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code.Name() != "unique_violation" {
		return nil, fmt.Errorf("check respondent keys: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT unique_keys`); err != nil {
		return nil, fmt.Errorf("check respondent keys: %w", err)
	}
	var d struct {
		Rows         int `db:"rows"`
		Partial      int `db:"partial"`
		Answers      int `db:"answers"`
		Repeated     int `db:"repeated"`
		ExampleRow   int `db:"example_row"`
		ExampleFirst int `db:"example_first"`
		// Cells and Practices are what the rows removed add to the
		// file's totals, as JSON (see removedCell).
		Cells     []byte `db:"cells"`
		Practices []byte `db:"practices"`
	}
	err = tx.GetContext(ctx, &d, `WITH dup AS (
			DELETE FROM respondents r USING respondents o
			WHERE r.file_id = $1 AND o.respondent_key = r.respondent_key
			AND (o.file_id <> $1 OR o.row_number < r.row_number)
			RETURNING r.raw, r.score, r.practice_ods, r.role, r.row_number,
				o.file_id = $1 AS same_file, o.row_number AS first_row),
		cells AS (
			SELECT d.practice_ods, btrim(d.role) AS role, a.ord, a.score, count(*) AS n
			FROM dup d CROSS JOIN LATERAL unnest(d.raw, d.score) WITH ORDINALITY AS a (raw, score, ord)
			WHERE d.practice_ods IS NOT NULL AND a.raw <> '' AND $3
			GROUP BY 1, 2, 3, 4),
		practices AS (
			SELECT coalesce(practice_ods, '') AS practice, count(*) AS n FROM dup WHERE $3 GROUP BY 1)
		SELECT count(*) AS rows, count(*) FILTER (WHERE row_number = ANY($2::bigint[])) AS partial,
			coalesce(sum(cardinality(array_remove(raw, ''))), 0) AS answers,
			count(*) FILTER (WHERE same_file) AS repeated,
			coalesce(min(row_number) FILTER (WHERE same_file), 0) AS example_row,
			coalesce(min(first_row) FILTER (WHERE same_file), 0) AS example_first,
			(SELECT coalesce(json_agg(json_build_array(practice_ods, role, ord, score, n)), '[]') FROM cells) AS cells,
			(SELECT coalesce(json_object_agg(practice, n), '{}') FROM practices) AS practices
		FROM dup`, fileID, pq.Array(partial), !totals.disabled)
	if err != nil {
		return nil, fmt.Errorf("remove duplicate respondents: %w", err)
	}
	res.Duplicates = d.Rows
	res.Respondents -= d.Rows
	res.Partial -= d.Partial
	res.Answers -= d.Answers
	var cells []removedCell
	practices := map[string]int{}
	if err := json.Unmarshal(d.Cells, &cells); err != nil {
		return nil, fmt.Errorf("remove duplicate respondents: %w", err)
	}
	if err := json.Unmarshal(d.Practices, &practices); err != nil {
		return nil, fmt.Errorf("remove duplicate respondents: %w", err)
	}
	if err := totals.removed(cells, practices); err != nil {
		return nil, fmt.Errorf("remove duplicate respondents from the totals: %w", err)
	}
	if d.Repeated == 0 {
		return nil, nil
	}
	return &Warning{Row: d.ExampleRow, Code: "respondent_repeated",
		Message: fmt.Sprintf("%d row(s) repeat the respondent of an earlier row of this file (the first: row %d repeats row %d) and were counted once; "+
			"without a response ID or timestamp, identical answers from the same practice look like one respondent", d.Repeated, d.ExampleRow, d.ExampleFirst)}, nil
}

// insertWarnings stores the file-level warnings and the spooled row
// warnings. After duplicates were removed, the row warnings go through a
// staging table so that those of removed rows are dropped.
func insertWarnings(ctx context.Context, tx *sqlx.Tx, fileID int64, fileWarns []Warning, spool *warningSpool, dups bool) error {
	for _, w := range fileWarns {
		_, err := tx.ExecContext(ctx, `INSERT INTO file_warnings (file_id, row_number, column_name, code, message, value)
			VALUES ($1, $2, $3, $4, $5, $6)`, fileID, w.Row, w.Column, w.Code, w.Message, w.Value)
		if err != nil {
			return fmt.Errorf("insert file warning: %w", err)
		}
	}
	if spool.n == 0 {
		return nil
	}
	table := "file_warnings"
	if dups {
		table = "stage_warnings"
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE stage_warnings
				(LIKE file_warnings INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("stage row warnings: %w", err)
		}
	}
	if err := spool.copyTo(ctx, tx, table); err != nil {
		return err
	}
	spool.kept = spool.n
	if !dups {
		return nil
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO file_warnings (file_id, row_number, column_name, code, message, value)
		SELECT s.file_id, s.row_number, s.column_name, s.code, s.message, s.value
		FROM stage_warnings s
		WHERE EXISTS (SELECT 1 FROM respondents r WHERE r.file_id = $1 AND r.row_number = s.row_number)`, fileID)
	if err != nil {
		return fmt.Errorf("insert row warnings: %w", err)
	}
	n, _ := r.RowsAffected()
	spool.kept = int(n)
	return nil
}

// copyBuffers are reused between rows to encode a respondent's arrays.
type copyBuffers struct {
	raw, score, comments []byte
	// answered is the number of non-blank answers of the last row encoded.
	answered int
}

// values returns r as the values of one COPY row of respondents.
func (b *copyBuffers) values(fileID int64, r *RespondentRow) []any {
	b.raw = b.raw[:0]
	b.score = b.score[:0]
	b.answered = 0
	b.raw = append(b.raw, '{')
	b.score = append(b.score, '{')
	for i, a := range r.Answers {
		if i > 0 {
			b.raw = append(b.raw, ',')
			b.score = append(b.score, ',')
		}
		b.raw = appendArrayText(b.raw, a.Raw)
		if a.Raw != "" {
			b.answered++
		}
		if a.Scored {
			b.score = strconv.AppendFloat(b.score, a.Score, 'g', -1, 64)
		} else {
			b.score = append(b.score, "NULL"...)
		}
	}
	b.raw = append(b.raw, '}')
	b.score = append(b.score, '}')
	b.comments = append(b.comments[:0], '{')
	for i, c := range r.Comments {
		if i > 0 {
			b.comments = append(b.comments, ',')
		}
		b.comments = appendArrayText(b.comments, c)
	}
	b.comments = append(b.comments, '}')
	return []any{
		fileID, int64(r.Row), r.Key, nullText(r.PracticeODS), r.PracticeText, r.MatchMethod,
		r.Role, r.EmailHMAC, copyTime(r.SubmittedAt), string(b.raw), string(b.score), string(b.comments),
	}
}

// appendArrayText appends v to b as a quoted element of an array literal.
func appendArrayText(b []byte, v string) []byte {
	b = append(b, '"')
	for j := 0; j < len(v); j++ {
		if v[j] == '"' || v[j] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, v[j])
	}
	return append(b, '"')
}

// nullText returns s as a COPY value: NULL when empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// copyTime returns t in UTC as a COPY value: NULL when zero.
func copyTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nonNil returns s, or an empty slice for nil, so that it is stored as
// an empty array rather than NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// warningSpool holds row warnings in a temporary file while the rows are
// copied (one connection carries one COPY at a time), so a file with a
// warning on every row does not hold them all in memory.
type warningSpool struct {
	fileID int64
	f      *os.File
	w      *bufio.Writer
	enc    *gob.Encoder
	n      int // warnings spooled
	kept   int // warnings stored
	// unlinked is set once the spool's name is removed.
	unlinked bool
}

// spooledWarning is one row warning as spooled.
type spooledWarning struct {
	Row                          int
	Column, Code, Message, Value string
}

// add spools the warnings of r.
func (s *warningSpool) add(r *RespondentRow) error {
	for _, w := range r.Warnings {
		if s.f == nil {
			f, err := os.CreateTemp("", "surveyworker-warnings-*")
			if err != nil {
				return fmt.Errorf("spool row warnings: %w", err)
			}
			// Unlinked at once: the open file lives on until closed, and a
			// process killed mid-load leaves nothing behind. Where an open
			// file cannot be removed (Windows), remove does it at the end.
			if os.Remove(f.Name()) == nil {
				s.unlinked = true
			}
			s.f, s.w = f, bufio.NewWriter(f)
			s.enc = gob.NewEncoder(s.w)
		}
		if err := s.enc.Encode(spooledWarning{r.Row, w.Column, w.Code, w.Message, w.Value}); err != nil {
			return fmt.Errorf("spool row warnings: %w", err)
		}
		s.n++
	}
	return nil
}

// copyTo copies the spooled warnings into table with COPY.
func (s *warningSpool) copyTo(ctx context.Context, tx *sqlx.Tx, table string) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spool row warnings: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool row warnings: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, "COPY "+pq.QuoteIdentifier(table)+" (file_id, row_number, column_name, code, message, value) FROM STDIN")
	if err != nil {
		return fmt.Errorf("copy row warnings: %w", err)
	}
	defer stmt.Close()
	dec := gob.NewDecoder(bufio.NewReader(s.f))
	for i := 0; i < s.n; i++ {
		var w spooledWarning
		if err := dec.Decode(&w); err != nil {
			return fmt.Errorf("read spooled row warnings: %w", err)
		}
		if _, err := stmt.ExecContext(ctx, s.fileID, int64(w.Row), w.Column, w.Code, w.Message, w.Value); err != nil {
			return fmt.Errorf("copy row warnings: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy row warnings: %w", err)
	}
	return nil
}

// remove deletes the spool file, if one was made.
func (s *warningSpool) remove() {
	if s.f != nil {
		s.f.Close()
		if !s.unlinked {
			os.Remove(s.f.Name())
		}
	}
}
