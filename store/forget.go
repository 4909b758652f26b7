package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ForgotFile reports what [Store.ForgetFile] deleted.
type ForgotFile struct {
	// FileID and Name identify the file that was loaded.
	FileID int64  `db:"id"`
	Name   string `db:"name"`
	// Respondents and Warnings are the rows deleted with it.
	Respondents int
	Warnings    int
	// Withdrawn is the number of pending e-mails given up on because
	// their attachment could hold the file's comments, and Purged the
	// number of reports whose stored attachment was deleted.
	Withdrawn, Purged int
}

// ForgetWithdrawn is the last_error of an e-mail [Store.ForgetFile]
// withdrew.
const ForgetWithdrawn = "withdrawn: a file was forgotten and the attachment could hold its respondents' comments; the next report replaces it"

// ForgetFile deletes the loaded file with the given SHA-256 and
// everything loaded from it (its respondents, their answers and
// comments, its warnings, its survey totals) in one transaction, so that the same bytes can
// be loaded again (after a fix to how they are read) and so that a
// file's personal data can be erased on request. Stored ranking runs are
// snapshots and keep their figures.
//
// Reports in the outbox keep no copy of the comments either: every
// pending e-mail with an attachment is withdrawn (failed, with
// [ForgetWithdrawn]), since its workbook may quote the file's
// respondents and the next cycle queues a fresh one, and every stored
// attachment is then deleted (see [Store.PurgeAttachments]). Report
// bodies quote no respondent and are kept. Workbooks written to disk are
// not the store's to delete.
//
// It returns an error wrapping [ErrNotFound] when no file with that
// digest was loaded.
func (s *Store) ForgetFile(ctx context.Context, sha256 string) (ForgotFile, error) {
	var out ForgotFile
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, loadLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		err := tx.GetContext(ctx, &out, `SELECT id, name FROM source_files WHERE sha256 = $1 FOR UPDATE`, sha256)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no file with SHA-256 %s was loaded: %w", sha256, ErrNotFound)
		}
		if err != nil {
			return err
		}
		steps := []struct {
			query string
			count *int
		}{
			{`DELETE FROM respondents WHERE file_id = $1`, &out.Respondents},
			{`DELETE FROM file_warnings WHERE file_id = $1`, &out.Warnings},
			{`DELETE FROM source_files WHERE id = $1`, nil},
		}
		if err := deleteFileTotals(ctx, tx, out.FileID); err != nil {
			return err
		}
		for _, st := range steps {
			r, err := tx.ExecContext(ctx, st.query, out.FileID)
			if err != nil {
				return err
			}
			if st.count != nil {
				n, _ := r.RowsAffected()
				*st.count = int(n)
			}
		}
		r, err := tx.ExecContext(ctx, `UPDATE email_outbox o SET status = 'failed', last_error = $1
			FROM reports r WHERE r.id = o.report_id AND o.status = 'pending' AND r.attachment IS NOT NULL`, ForgetWithdrawn)
		if err != nil {
			return fmt.Errorf("withdraw e-mail: %w", err)
		}
		n, _ := r.RowsAffected()
		out.Withdrawn = int(n)
		purged, err := purgeAttachments(ctx, tx, 0)
		out.Purged = int(purged)
		return err
	})
	if err != nil {
		return ForgotFile{}, fmt.Errorf("store: forget file: %w", err)
	}
	return out, nil
}
