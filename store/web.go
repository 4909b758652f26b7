package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// This file holds what the web interface reads, and the one thing it
// writes: the record of an upload.

// Upload is one file uploaded through the web interface.
type Upload struct {
	// Token identifies the upload in URLs: 32 lower-case hex digits,
	// random, so that one upload's address does not lead to another's.
	Token string `db:"token"`
	// StoredName is the name generated for the file in the inbox; once
	// the file is loaded it is its [SourceFile.Name].
	StoredName string `db:"stored_name"`
	// OriginalName is the name the browser sent, without any path or
	// control characters; it is only displayed.
	OriginalName string `db:"original_name"`
	// UploadedBy is the name of the user who uploaded the file.
	UploadedBy string `db:"uploaded_by"`
	// Federation is the uploader's federation; empty when the uploader
	// is tied to none.
	Federation string `db:"federation"`
	// Size is the file's size in bytes.
	Size int64 `db:"size_bytes"`
	// SHA256 is the lower-case hex SHA-256 of the file's bytes.
	SHA256 string `db:"sha256"`
	// UploadedAt is when the upload completed.
	UploadedAt time.Time `db:"uploaded_at"`
	// Inspection is the JSON of what inspecting the file found; the store
	// keeps it as it is given. Nil is stored as {}.
	Inspection json.RawMessage `db:"inspection"`
}

const uploadColumns = `token, stored_name, original_name, uploaded_by, federation, size_bytes, sha256,
	uploaded_at, inspection`

// RecordUpload stores u. It returns an error when the token or the
// stored name is already taken.
func (s *Store) RecordUpload(ctx context.Context, u Upload) error {
	insp := u.Inspection
	if len(insp) == 0 {
		insp = json.RawMessage(`{}`)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO web_uploads (`+uploadColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.Token, u.StoredName, u.OriginalName, u.UploadedBy, u.Federation, u.Size, u.SHA256,
		u.UploadedAt, []byte(insp))
	if err != nil {
		return fmt.Errorf("store: record upload %s: %w", u.StoredName, err)
	}
	return nil
}

// DeleteUpload removes the record of the upload with the given token,
// for an upload whose file never reached the inbox. Removing one that is
// not recorded is not an error.
func (s *Store) DeleteUpload(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM web_uploads WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: delete upload %s: %w", token, err)
	}
	return nil
}

// Upload returns the upload with the given token, or an error wrapping
// [ErrNotFound].
func (s *Store) Upload(ctx context.Context, token string) (Upload, error) {
	var u Upload
	err := s.db.GetContext(ctx, &u, `SELECT `+uploadColumns+` FROM web_uploads WHERE token = $1`, token)
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, fmt.Errorf("store: upload %s: %w", token, ErrNotFound)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("store: upload %s: %w", token, err)
	}
	return u, nil
}

// Uploads returns up to limit uploads, most recent first, without their
// inspections.
func (s *Store) Uploads(ctx context.Context, limit int) ([]Upload, error) {
	out := []Upload{}
	err := s.db.SelectContext(ctx, &out, `SELECT token, stored_name, original_name, uploaded_by, federation,
			size_bytes, sha256, uploaded_at, '{}'::jsonb AS inspection
		FROM web_uploads ORDER BY uploaded_at DESC, token LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: uploads: %w", err)
	}
	return out, nil
}

// FileSummary is one loaded file as the web interface lists it.
type FileSummary struct {
	// ID is the source_files row.
	ID int64
	// Name is the file's name when it was loaded.
	Name string
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string
	// Platform, Format and Encoding are as in [SourceFile].
	Platform, Format, Encoding string
	// Respondents, Duplicates and Warnings are the numbers stored from
	// the file.
	Respondents, Duplicates, Warnings int
	// LoadedAt is when the file was loaded.
	LoadedAt time.Time
	// Federations are the federations of the file's respondents'
	// practices, sorted; respondents matched to no practice add none.
	Federations []string
	// Upload is the web upload the file came from; nil for a file that
	// reached the inbox some other way.
	Upload *Upload
}

// fileSummarySQL selects [FileSummary] rows; the caller adds WHERE and
// ORDER BY.
const fileSummarySQL = `SELECT f.id, f.name, f.sha256, f.platform, f.format, f.encoding,
		f.respondents, f.duplicates, f.warnings, f.loaded_at,
		coalesce((SELECT array_agg(DISTINCT fed.name ORDER BY fed.name)
			FROM respondents r
			JOIN practices p ON p.ods_code = r.practice_ods
			JOIN federations fed ON fed.id = p.federation_id
			WHERE r.file_id = f.id), '{}'),
		u.token, coalesce(u.original_name, ''), coalesce(u.uploaded_by, ''), coalesce(u.federation, ''),
		coalesce(u.uploaded_at, f.loaded_at)
	FROM source_files f
	LEFT JOIN web_uploads u ON u.stored_name = f.name`

// FileSummaries returns every loaded file, most recently loaded first.
func (s *Store) FileSummaries(ctx context.Context) ([]FileSummary, error) {
	rows, err := s.db.QueryContext(ctx, fileSummarySQL+` ORDER BY f.loaded_at DESC, f.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: file summaries: %w", err)
	}
	defer rows.Close()
	out := []FileSummary{}
	for rows.Next() {
		f, err := scanFileSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("store: file summaries: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: file summaries: %w", err)
	}
	return out, nil
}

// FileSummaryByID returns the loaded file id, or an error wrapping
// [ErrNotFound].
func (s *Store) FileSummaryByID(ctx context.Context, id int64) (FileSummary, error) {
	return s.oneFileSummary(ctx, `f.id = $1`, id)
}

// FileSummaryBySHA256 returns the loaded file with the given SHA-256, or
// an error wrapping [ErrNotFound].
func (s *Store) FileSummaryBySHA256(ctx context.Context, sha256 string) (FileSummary, error) {
	return s.oneFileSummary(ctx, `f.sha256 = $1`, sha256)
}

func (s *Store) oneFileSummary(ctx context.Context, cond string, arg any) (FileSummary, error) {
	rows, err := s.db.QueryContext(ctx, fileSummarySQL+` WHERE `+cond, arg)
	if err != nil {
		return FileSummary{}, fmt.Errorf("store: file %v: %w", arg, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return FileSummary{}, fmt.Errorf("store: file %v: %w", arg, err)
		}
		return FileSummary{}, fmt.Errorf("store: file %v: %w", arg, ErrNotFound)
	}
	f, err := scanFileSummary(rows)
	if err != nil {
		return FileSummary{}, fmt.Errorf("store: file %v: %w", arg, err)
	}
	return f, nil
}

func scanFileSummary(rows *sql.Rows) (FileSummary, error) {
	var f FileSummary
	var token sql.NullString
	var u Upload
	err := rows.Scan(&f.ID, &f.Name, &f.SHA256, &f.Platform, &f.Format, &f.Encoding,
		&f.Respondents, &f.Duplicates, &f.Warnings, &f.LoadedAt, pq.Array(&f.Federations),
		&token, &u.OriginalName, &u.UploadedBy, &u.Federation, &u.UploadedAt)
	if err != nil {
		return f, err
	}
	if token.Valid {
		u.Token, u.StoredName, u.SHA256 = token.String, f.Name, f.SHA256
		f.Upload = &u
	}
	if f.Federations == nil {
		f.Federations = []string{}
	}
	return f, nil
}

// FileRowWarnings returns up to limit of the warnings stored for the
// loaded file id, by row, code and column, with the closest practices of
// an unmatched or ambiguous practice split out into Candidates, and the
// number of those warnings the file has in all. With federations (a user
// tied to one), only the warnings [Store.Warnings] shows their view are
// returned and counted: a warning's value is what a respondent wrote, so
// one about the row of a respondent of another federation, or of no known
// one unless it shows only the practice named, is left out.
func (s *Store) FileRowWarnings(ctx context.Context, id int64, limit int, federations ...string) ([]RowWarning, int, error) {
	out := []RowWarning{}
	rows, err := s.db.QueryContext(ctx, `SELECT f.name, w.row_number, w.column_name, w.code,
			split_part(w.message, $3, 1), w.value, split_part(w.message, $3, 2), count(*) OVER ()
		`+warningsFrom+`
		WHERE w.file_id = $4 AND `+warningVisible+`
		ORDER BY w.row_number, w.code COLLATE "C", w.column_name COLLATE "C"
		LIMIT $5`, pq.Array(nonNil(federations)), pq.Array(practiceWarningCodes), PracticeCandidatesMarker, id, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: warnings of file %d: %w", id, err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var w RowWarning
		if err := rows.Scan(&w.File, &w.Row, &w.Column, &w.Code, &w.Message, &w.Value, &w.Candidates, &total); err != nil {
			return nil, 0, fmt.Errorf("store: warnings of file %d: %w", id, err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: warnings of file %d: %w", id, err)
	}
	return out, total, nil
}

// FederationRows returns, in order, the rows (as numbered in the file,
// the header being row 1) of the respondents stored from the loaded file
// id whose practice is in federation. Respondents matched to no practice
// are in no federation's rows.
func (s *Store) FederationRows(ctx context.Context, id int64, federation string) ([]int, error) {
	out := []int{}
	err := s.db.SelectContext(ctx, &out, `SELECT r.row_number FROM respondents r
		JOIN practices p ON p.ods_code = r.practice_ods
		JOIN federations fed ON fed.id = p.federation_id
		WHERE r.file_id = $1 AND fed.name = $2
		ORDER BY r.row_number`, id, federation)
	if err != nil {
		return nil, fmt.Errorf("store: rows of %s in file %d: %w", federation, id, err)
	}
	return out, nil
}

// FileComments returns up to limit of the comments stored from the loaded
// file id, by row and question. A non-empty federation keeps only the
// comments of respondents whose practice is in it.
func (s *Store) FileComments(ctx context.Context, id int64, federation string, limit int) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.name, r.row_number, coalesce(c.question, ''), c.body,
			coalesce(fed.name, ''), btrim(r.role)
		FROM respondents r
		JOIN source_files f ON f.id = r.file_id
		CROSS JOIN LATERAL unnest(f.comment_questions, r.comments) WITH ORDINALITY AS c (question, body, ord)
		LEFT JOIN practices p ON p.ods_code = r.practice_ods
		LEFT JOIN federations fed ON fed.id = p.federation_id
		WHERE r.file_id = $1 AND c.body <> '' AND ($2 = '' OR fed.name = $2)
		ORDER BY r.row_number, c.ord
		LIMIT $3`, id, federation, limit)
	if err != nil {
		return nil, fmt.Errorf("store: comments of file %d: %w", id, err)
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.File, &c.Row, &c.Question, &c.Text, &c.Federation, &c.Role); err != nil {
			return nil, fmt.Errorf("store: comments of file %d: %w", id, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: comments of file %d: %w", id, err)
	}
	return out, nil
}

// LatestReportRun returns the most recently finished successful job run
// that wrote a workbook, or an error wrapping [ErrNotFound] when none has.
func (s *Store) LatestReportRun(ctx context.Context) (JobRun, error) {
	var run JobRun
	err := s.db.GetContext(ctx, &run, `SELECT `+jobRunColumns+` FROM job_runs
		WHERE status = 'succeeded' AND report_path <> ''
		ORDER BY finished_at DESC, id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return JobRun{}, fmt.Errorf("store: latest report: %w", ErrNotFound)
	}
	if err != nil {
		return JobRun{}, fmt.Errorf("store: latest report: %w", err)
	}
	return run, nil
}

// ViewWorkbook returns where job run jobRunID wrote the workbook of the
// view of federation alone (that federation first, its comments only),
// as it queued it for the federation's leads, or an error wrapping
// [ErrNotFound] when the run queued no such view: a run writes a view
// only for a federation that has a lead with something new to send. A
// view of several federations is never returned for one of them.
func (s *Store) ViewWorkbook(ctx context.Context, jobRunID int64, federation string) (string, error) {
	var path string
	err := s.db.GetContext(ctx, &path, `SELECT o.attachment_path
		FROM reports r JOIN email_outbox o ON o.report_id = r.id
		WHERE r.job_run_id = $1 AND r.kind = $2 AND r.federations = ARRAY[$3::text]
			AND o.attachment_path <> ''
		ORDER BY o.id LIMIT 1`, jobRunID, ReportRanking, federation)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: view workbook of %s in run %d: %w", federation, jobRunID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: view workbook of %s in run %d: %w", federation, jobRunID, err)
	}
	return path, nil
}

// sessionKeySetting is the settings row holding the web interface's
// session key.
const sessionKeySetting = "web_session_key"

// SessionKey returns the web interface's session key kept in the
// database's settings, keeping candidate as that key first when none is
// kept yet; created reports whether it was. Every process sharing the
// database so signs and checks session cookies and CSRF tokens with one
// key: of several offering a key at once, one is kept and each gets it.
// The key signs cookies; it says nothing of respondents.
func (s *Store) SessionKey(ctx context.Context, candidate string) (key string, created bool, err error) {
	if candidate == "" {
		return "", false, errors.New("store: session key: no candidate key")
	}
	var row struct {
		Value   string `db:"value"`
		Created bool   `db:"created"`
	}
	// A first key committed by another process while this statement ran
	// is not in its snapshot: it finds no row, and the second try sees it.
	for try := 0; try < 2; try++ {
		err = s.db.GetContext(ctx, &row, `WITH ins AS (
				INSERT INTO settings (name, value, set_at) VALUES ($1, $2, $3)
				ON CONFLICT (name) DO NOTHING RETURNING value)
			SELECT value, true AS created FROM ins UNION ALL
			SELECT value, false FROM settings WHERE name = $1 LIMIT 1`, sessionKeySetting, candidate, s.Now())
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return "", false, fmt.Errorf("store: session key: %w", err)
	}
	return row.Value, row.Created, nil
}
