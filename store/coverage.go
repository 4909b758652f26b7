package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// FederationCoverage says how much of one federation the survey reached.
type FederationCoverage struct {
	// Federation is the federation's name; empty for the practices of the
	// registry that belong to none.
	Federation string `db:"federation"`
	// Practices is the number of the federation's practices in the
	// registry.
	Practices int `db:"practices"`
	// Responding is the number of them with at least one respondent.
	Responding int `db:"responding"`
	// Respondents is the number of respondents matched to them.
	Respondents int `db:"respondents"`
}

// Coverage returns, per federation of the registry, its practices, how
// many responded and their respondents, by federation name; the practices
// in no federation come first, under an empty name, when there are any.
// Respondents whose practice was not matched belong to no federation and
// are not counted.
func (s *Store) Coverage(ctx context.Context) ([]FederationCoverage, error) {
	out := []FederationCoverage{}
	err := s.db.SelectContext(ctx, &out, `SELECT coalesce(fed.name, '') AS federation,
			count(*) AS practices, count(rc.practice_ods) AS responding,
			coalesce(sum(rc.n), 0) AS respondents
		FROM practices p
		LEFT JOIN federations fed ON fed.id = p.federation_id
		LEFT JOIN (SELECT practice_ods, count(*) AS n FROM respondents
			WHERE practice_ods IS NOT NULL GROUP BY practice_ods) rc ON rc.practice_ods = p.ods_code
		GROUP BY 1
		ORDER BY coalesce(fed.name, '') COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("store: coverage: %w", err)
	}
	return out, nil
}

// ResponsePeriod returns the first and last submission times of the stored
// respondents, both zero when no respondent has one.
func (s *Store) ResponsePeriod(ctx context.Context) (first, last time.Time, err error) {
	var lo, hi sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT min(submitted_at), max(submitted_at) FROM respondents`).Scan(&lo, &hi)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("store: response period: %w", err)
	}
	return lo.Time, hi.Time, nil
}
