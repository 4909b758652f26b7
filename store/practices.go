package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/survey"
)

// UpsertPractices inserts or updates practices by ODS code, creating their
// federations as needed, in one transaction. Importing the same registry
// twice changes nothing. It returns the number of practices written.
func (s *Store) UpsertPractices(ctx context.Context, ps []survey.Practice) (int, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range ps {
			if err := upsertPractice(ctx, tx, p); err != nil {
				return fmt.Errorf("practice %s: %w", p.ODSCode, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: upsert practices: %w", err)
	}
	return len(ps), nil
}

func upsertPractice(ctx context.Context, tx *sqlx.Tx, p survey.Practice) error {
	var fedID *int64
	if p.Federation != "" {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO federations (name) VALUES ($1)
			ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, p.Federation)
		if err != nil {
			return err
		}
		fedID = &id
	}
	var listSize *int
	if p.ListSize > 0 {
		listSize = &p.ListSize
	}
	aliases := p.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO practices (ods_code, name, federation_id, list_size, postcode, aliases)
		VALUES ($1, $2, $3, $4, nullif($5, ''), $6)
		ON CONFLICT (ods_code) DO UPDATE SET name = EXCLUDED.name, federation_id = EXCLUDED.federation_id,
			list_size = EXCLUDED.list_size, postcode = EXCLUDED.postcode, aliases = EXCLUDED.aliases,
			updated_at = now()
		WHERE (practices.name, practices.federation_id, practices.list_size, practices.postcode, practices.aliases)
			IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.federation_id, EXCLUDED.list_size, EXCLUDED.postcode, EXCLUDED.aliases)`,
		p.ODSCode, p.Name, fedID, listSize, p.Postcode, pq.Array(aliases))
	return err
}

// Practices returns the practice registry ordered by ODS code.
func (s *Store) Practices(ctx context.Context) ([]survey.Practice, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT p.ods_code, p.name, coalesce(f.name, ''), coalesce(p.list_size, 0),
			coalesce(p.postcode, ''), p.aliases
		FROM practices p LEFT JOIN federations f ON f.id = p.federation_id
		ORDER BY p.ods_code`)
	if err != nil {
		return nil, fmt.Errorf("store: practices: %w", err)
	}
	defer rows.Close()
	var out []survey.Practice
	for rows.Next() {
		var p survey.Practice
		var aliases pq.StringArray
		if err := rows.Scan(&p.ODSCode, &p.Name, &p.Federation, &p.ListSize, &p.Postcode, &aliases); err != nil {
			return nil, fmt.Errorf("store: practices: %w", err)
		}
		if len(aliases) > 0 {
			p.Aliases = aliases
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: practices: %w", err)
	}
	return out, nil
}

// Federations returns the names of the registry's federations, in name
// order.
func (s *Store) Federations(ctx context.Context) ([]string, error) {
	out := []string{}
	err := s.db.SelectContext(ctx, &out, `SELECT name FROM federations ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("store: federations: %w", err)
	}
	return out, nil
}
