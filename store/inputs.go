package store

import (
	"context"
	"fmt"
)

// ReportInputs describe the data a report rests on, so that two reports
// can be told apart by what went into them rather than by when they were
// made. Loading a file raises MaxFileID; forgetting one lowers Files and
// Respondents; importing a changed registry, or matching respondents to
// it again, changes Registry or Matched.
type ReportInputs struct {
	// MaxFileID is the highest id of the loaded files, 0 when none.
	MaxFileID int64 `db:"max_file_id"`
	// Files and Respondents count the loaded files and respondents.
	Files       int `db:"files"`
	Respondents int `db:"respondents"`
	// Matched counts the respondents matched to a practice of the
	// registry.
	Matched int `db:"matched"`
	// Registry is a digest of the registry's practices with their
	// federations and list sizes; empty when the registry is empty.
	Registry string `db:"registry"`
}

// ReportInputs returns what the stored data a report would rest on looks
// like now.
func (s *Store) ReportInputs(ctx context.Context) (ReportInputs, error) {
	var in ReportInputs
	err := s.db.GetContext(ctx, &in, `SELECT
			(SELECT coalesce(max(id), 0) FROM source_files) AS max_file_id,
			(SELECT count(*) FROM source_files) AS files,
			(SELECT count(*) FROM respondents) AS respondents,
			(SELECT count(*) FROM respondents WHERE practice_ods IS NOT NULL) AS matched,
			(SELECT coalesce(md5(string_agg(p.ods_code || '|' || coalesce(f.name, '') || '|' ||
					coalesce(p.list_size::text, ''), E'\n' ORDER BY p.ods_code COLLATE "C")), '')
				FROM practices p LEFT JOIN federations f ON f.id = p.federation_id) AS registry`)
	if err != nil {
		return ReportInputs{}, fmt.Errorf("store: report inputs: %w", err)
	}
	return in, nil
}
