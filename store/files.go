package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrRejectedData marks a load error caused by the file's data (a PostgreSQL
// data exception or integrity violation) rather than by the database being
// unavailable. Test with errors.Is.
var ErrRejectedData = errors.New("store: the database rejected the file's data")

// SourceFile describes one export file loaded by [Store.LoadFile].
type SourceFile struct {
	// Name is the file's base name.
	Name string
	// SHA256 is the lower-case hex SHA-256 of the file's bytes; a file with
	// the same digest is loaded only once.
	SHA256 string
	// Size is the file's size in bytes.
	Size int64
	// Platform names the survey platform shape, e.g. "google-forms".
	Platform string
	// Format is the container format, "csv" or "xlsx".
	Format string
	// Encoding is the text encoding of a CSV file, empty for XLSX.
	Encoding string
	// Workstreams are the workstream IDs of the answer columns, in the order
	// of [RespondentRow.Answers].
	Workstreams []string
	// CommentQuestions are the free-text question headers, in the order of
	// [RespondentRow.Comments].
	CommentQuestions []string
	// Warnings are file-level problems (such as ignored columns), stored
	// with the file.
	Warnings []Warning
}

// Answer is one respondent's answer for one workstream.
type Answer struct {
	// Raw is the answer as written; empty means not answered (nothing is
	// stored).
	Raw string
	// Score is the answer on the 0..1 priority scale when Scored is true.
	Score float64
	// Scored is false for "Don't know"-style and unreadable answers, which
	// are stored with a NULL score.
	Scored bool
}

// Warning is a problem in a file that did not make it unusable, such as an
// unmatched practice or an answer off the scale.
type Warning struct {
	// Row is the 1-based row number in the file (the header is row 1); 0
	// for a file-level warning. It is ignored inside [RespondentRow], whose
	// own Row applies.
	Row int
	// Column names the column, e.g. `C "Which practice…"`; empty when the
	// warning concerns the whole row or file.
	Column string
	// Code is a stable machine-readable code such as "practice_unmatched".
	Code string
	// Message explains the problem to a person.
	Message string
	// Value is the offending cell text, if any.
	Value string
}

// RespondentRow is one respondent read from a file, ready to load. Strings
// must be valid UTF-8 without NUL bytes.
type RespondentRow struct {
	// Row is the 1-based row number in the file.
	Row int
	// Key identifies the respondent across files and re-exports; a key
	// already stored is skipped as a duplicate.
	Key string
	// PracticeODS is the matched practice's ODS code, empty when unmatched.
	PracticeODS string
	// PracticeText is the practice as the respondent gave it.
	PracticeText string
	// MatchMethod says how the practice was matched ("ods-code", "name",
	// "alias", "core-name", "fuzzy"), empty when unmatched.
	MatchMethod string
	// Role is the respondent's role as given.
	Role string
	// EmailHMAC is the keyed hash of the respondent's e-mail address, empty
	// when none was given.
	EmailHMAC string
	// SubmittedAt is when the response was submitted; the zero time is
	// stored as NULL.
	SubmittedAt time.Time
	// Answers are aligned with [SourceFile.Workstreams].
	Answers []Answer
	// Comments are aligned with [SourceFile.CommentQuestions]; empty
	// comments are not stored.
	Comments []string
	// Warnings are this row's problems.
	Warnings []Warning
}

// LoadResult reports what [Store.LoadFile] wrote.
type LoadResult struct {
	// FileID is the source_files row of the file (of the earlier load when
	// Duplicate is true).
	FileID int64
	// Duplicate is true when the same bytes were loaded before; nothing was
	// written.
	Duplicate bool
	// Rows is the number of respondent rows read from the stream.
	Rows int
	// Respondents is the number of new respondents stored.
	Respondents int
	// Duplicates is the number of rows whose respondent was already stored.
	Duplicates int
	// Answers is the number of answers stored.
	Answers int
	// Warnings is the number of file and row warnings stored.
	Warnings int
}

// LoadedFile reports whether a file with the given SHA-256 has been loaded,
// and its ID.
func (s *Store) LoadedFile(ctx context.Context, sha256 string) (id int64, ok bool, err error) {
	err = s.db.GetContext(ctx, &id, `SELECT id FROM source_files WHERE sha256 = $1`, sha256)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("store: loaded file %s: %w", sha256, err)
	}
	return id, true, nil
}

// LoadFile loads one file in one transaction: a source_files row, then every
// row returned by next until it returns io.EOF, copied into a staging table
// with COPY and moved into respondents, answers, comments and file_warnings.
// Rows whose respondent key is already stored are counted as duplicates and
// skipped. When a file with the same SHA-256 was loaded before, LoadFile
// writes nothing and returns a result with Duplicate set. Any error from
// next or from the database rolls the whole file back; errors caused by the
// data wrap [ErrRejectedData], and errors from next are returned wrapped.
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

func loadFile(ctx context.Context, tx *sqlx.Tx, f SourceFile, next func() (*RespondentRow, error), now time.Time) (LoadResult, error) {
	res := LoadResult{}
	id, err := insertSourceFile(ctx, tx, f, now)
	if err != nil {
		return res, err
	}
	res.FileID = id
	if _, err := tx.ExecContext(ctx, createStage); err != nil {
		return res, fmt.Errorf("create staging table: %w", err)
	}
	if res.Rows, err = copyRows(ctx, tx, next); err != nil {
		return res, err
	}
	if err := moveStaged(ctx, tx, f, &res); err != nil {
		return res, err
	}
	res.Duplicates = res.Rows - res.Respondents
	_, err = tx.ExecContext(ctx, `UPDATE source_files SET rows_read = $2, respondents = $3, duplicates = $4,
		answers = $5, warnings = $6 WHERE id = $1`,
		id, res.Rows, res.Respondents, res.Duplicates, res.Answers, res.Warnings)
	return res, err
}

func insertSourceFile(ctx context.Context, tx *sqlx.Tx, f SourceFile, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO source_files (name, sha256, size_bytes, platform, format, encoding, loaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
		f.Name, f.SHA256, f.Size, f.Platform, f.Format, f.Encoding, now)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errDuplicateFile
	}
	if err != nil {
		return 0, fmt.Errorf("insert source file: %w", err)
	}
	return id, nil
}

// createStage holds one wide row per respondent: answers, comments and
// warnings travel as arrays and are normalised inside PostgreSQL, so the
// client sends one COPY row per respondent rather than one per answer.
const createStage = `CREATE TEMP TABLE stage_respondents (
	row_number     integer NOT NULL,
	respondent_key text NOT NULL,
	practice_ods   text,
	practice_text  text NOT NULL,
	match_method   text NOT NULL,
	role           text NOT NULL,
	email_hmac     text NOT NULL,
	submitted_at   timestamptz,
	raw            text[] NOT NULL,
	score          real[] NOT NULL,
	comments       text[] NOT NULL,
	w_column       text[] NOT NULL,
	w_code         text[] NOT NULL,
	w_message      text[] NOT NULL,
	w_value        text[] NOT NULL
) ON COMMIT DROP`

const copyStage = `COPY stage_respondents (row_number, respondent_key, practice_ods, practice_text, match_method,
	role, email_hmac, submitted_at, raw, score, comments, w_column, w_code, w_message, w_value) FROM STDIN`

// copyRows streams every row from next into the staging table and returns
// how many were copied.
func copyRows(ctx context.Context, tx *sqlx.Tx, next func() (*RespondentRow, error)) (int, error) {
	stmt, err := tx.PrepareContext(ctx, copyStage)
	if err != nil {
		return 0, fmt.Errorf("start copy: %w", err)
	}
	defer stmt.Close()
	n := 0
	for {
		r, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if _, err := stmt.ExecContext(ctx, stageValues(r)...); err != nil {
			return n, fmt.Errorf("copy row %d: %w", r.Row, err)
		}
		n++
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return n, fmt.Errorf("finish copy: %w", err)
	}
	return n, nil
}

// stageValues returns r as the values of one staging row.
func stageValues(r *RespondentRow) []any {
	raw := make([]string, len(r.Answers))
	for i, a := range r.Answers {
		raw[i] = a.Raw
	}
	n := len(r.Warnings)
	cols, codes, msgs, vals := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, w := range r.Warnings {
		cols[i], codes[i], msgs[i], vals[i] = w.Column, w.Code, w.Message, w.Value
	}
	return []any{
		int64(r.Row), r.Key, stageNullText(r.PracticeODS), r.PracticeText, r.MatchMethod,
		r.Role, r.EmailHMAC, stageTime(r.SubmittedAt),
		stageTextArray(raw), stageScoreArray(r.Answers), stageTextArray(r.Comments),
		stageTextArray(cols), stageTextArray(codes), stageTextArray(msgs), stageTextArray(vals),
	}
}

// moveStaged normalises the staging table into the permanent tables and
// records the counts in res.
func moveStaged(ctx context.Context, tx *sqlx.Tx, f SourceFile, res *LoadResult) error {
	steps := []struct {
		what  string
		query string
		args  []any
		count *int
	}{
		{"respondents", insertRespondents, []any{res.FileID}, &res.Respondents},
		{"answers", insertAnswers, []any{res.FileID, pq.Array(stageList(f.Workstreams))}, &res.Answers},
		{"comments", insertComments, []any{res.FileID, pq.Array(stageList(f.CommentQuestions))}, nil},
		{"row warnings", insertRowWarnings, []any{res.FileID}, &res.Warnings},
	}
	for _, st := range steps {
		r, err := tx.ExecContext(ctx, st.query, st.args...)
		if err != nil {
			return fmt.Errorf("insert %s: %w", st.what, err)
		}
		if st.count != nil {
			n, _ := r.RowsAffected()
			*st.count = int(n)
		}
	}
	n, err := insertFileWarnings(ctx, tx, res.FileID, f.Warnings)
	res.Warnings += n
	return err
}

const insertRespondents = `INSERT INTO respondents (file_id, row_number, respondent_key, practice_ods,
		practice_text, match_method, role, email_hmac, submitted_at)
	SELECT $1, row_number, respondent_key, practice_ods, practice_text, match_method, role, email_hmac, submitted_at
	FROM stage_respondents ORDER BY row_number
	ON CONFLICT (respondent_key) DO NOTHING`

// The following statements join the staging table to the respondents just
// inserted for this file, so rows skipped as duplicates add nothing.
const insertAnswers = `INSERT INTO answers (respondent_id, workstream_id, raw, score)
	SELECT r.id, a.workstream_id, a.raw, a.score
	FROM stage_respondents s
	JOIN respondents r ON r.file_id = $1 AND r.row_number = s.row_number
	CROSS JOIN LATERAL unnest($2::text[], s.raw, s.score) AS a(workstream_id, raw, score)
	WHERE a.raw <> ''`

const insertComments = `INSERT INTO comments (respondent_id, question, body)
	SELECT r.id, c.question, c.body
	FROM stage_respondents s
	JOIN respondents r ON r.file_id = $1 AND r.row_number = s.row_number
	CROSS JOIN LATERAL unnest($2::text[], s.comments) AS c(question, body)
	WHERE c.body <> ''`

const insertRowWarnings = `INSERT INTO file_warnings (file_id, row_number, column_name, code, message, value)
	SELECT $1, s.row_number, w.col, w.code, w.msg, w.val
	FROM stage_respondents s
	JOIN respondents r ON r.file_id = $1 AND r.row_number = s.row_number
	CROSS JOIN LATERAL unnest(s.w_column, s.w_code, s.w_message, s.w_value) AS w(col, code, msg, val)`

func insertFileWarnings(ctx context.Context, tx *sqlx.Tx, fileID int64, ws []Warning) (int, error) {
	for _, w := range ws {
		_, err := tx.ExecContext(ctx, `INSERT INTO file_warnings (file_id, row_number, column_name, code, message, value)
			VALUES ($1, $2, $3, $4, $5, $6)`, fileID, w.Row, w.Column, w.Code, w.Message, w.Value)
		if err != nil {
			return 0, fmt.Errorf("insert file warning: %w", err)
		}
	}
	return len(ws), nil
}

// FileWarnings returns the warnings stored for a file, in row order.
func (s *Store) FileWarnings(ctx context.Context, fileID int64) ([]Warning, error) {
	var out []Warning
	err := s.db.SelectContext(ctx, &out, `SELECT row_number AS "row", column_name AS "column", code, message, value
		FROM file_warnings WHERE file_id = $1 ORDER BY row_number, code, column_name`, fileID)
	if err != nil {
		return nil, fmt.Errorf("store: file warnings %d: %w", fileID, err)
	}
	return out, nil
}

// countedTables are the tables [Store.TableCounts] reports.
var countedTables = []string{"federations", "practices", "source_files", "file_warnings",
	"respondents", "answers", "comments"}

// TableCounts returns the number of rows in each table that ingesting files
// or importing practices can change, keyed by table name.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(countedTables))
	for _, t := range countedTables {
		var n int64
		if err := s.db.GetContext(ctx, &n, "SELECT count(*) FROM "+pq.QuoteIdentifier(t)); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// classifyLoadError marks PostgreSQL data exceptions (class 22) and
// integrity violations (class 23) with [ErrRejectedData].
func classifyLoadError(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) && (pe.Code.Class() == "22" || pe.Code.Class() == "23") {
		return fmt.Errorf("%w: %w", ErrRejectedData, err)
	}
	return err
}

func stageNullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func stageTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func stageList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// stageTextArray returns s as a PostgreSQL array literal with every element
// quoted.
func stageTextArray(s []string) string {
	b := make([]byte, 0, 2+len(s)*8)
	b = append(b, '{')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for j := 0; j < len(v); j++ {
			if v[j] == '"' || v[j] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, v[j])
		}
		b = append(b, '"')
	}
	return string(append(b, '}'))
}

// stageScoreArray returns the answers' scores as a real[] literal, NULL where
// an answer has no score.
func stageScoreArray(as []Answer) string {
	b := make([]byte, 0, 2+len(as)*5)
	b = append(b, '{')
	for i, a := range as {
		if i > 0 {
			b = append(b, ',')
		}
		if a.Scored {
			b = strconv.AppendFloat(b, a.Score, 'g', -1, 32)
		} else {
			b = append(b, "NULL"...)
		}
	}
	return string(append(b, '}'))
}
