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
}

// ForgetFile deletes the loaded file with the given SHA-256 and
// everything loaded from it (its respondents, their answers and
// comments, its warnings) in one transaction, so that the same bytes can
// be loaded again (after a fix to how they are read) and so that a
// file's personal data can be erased on request. Stored ranking runs are
// snapshots and keep their figures. It returns an error wrapping
// [ErrNotFound] when no file with that digest was loaded.
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
		return nil
	})
	if err != nil {
		return ForgotFile{}, fmt.Errorf("store: forget file: %w", err)
	}
	return out, nil
}
