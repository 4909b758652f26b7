package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
	// Format is the container format, "csv", "tsv" or "xlsx".
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
	// Partial is true when the platform marks the response unfinished; it
	// is counted in [LoadResult.Partial].
	Partial bool `json:",omitempty"`
	// Excluded is true for a partial response left out by configuration:
	// it is counted in [LoadResult.PartialExcluded] and nothing else of it
	// is stored.
	Excluded bool `json:",omitempty"`
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
	// Partial is the number of rows stored whose response the platform
	// marks partial, duplicates not counted, and PartialExcluded the
	// number of such rows read and left out (not in Rows).
	Partial, PartialExcluded int
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
	"respondents", "answers", "comments", "answer_totals", "practice_totals", "answer_totals_all", "practice_totals_all"}

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
