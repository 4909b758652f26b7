package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/survey"
)

// SyncCatalogue makes the workstreams tables match cat: workstreams are
// inserted or updated, links replaced, and workstreams no longer in the
// catalogue marked inactive (their answers are kept).
func (s *Store) SyncCatalogue(ctx context.Context, cat *survey.Catalogue) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE workstreams SET active = false`); err != nil {
			return err
		}
		for i, w := range cat.Workstreams {
			if err := upsertWorkstream(ctx, tx, i, w); err != nil {
				return fmt.Errorf("workstream %s: %w", w.ID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM workstream_links`); err != nil {
			return err
		}
		for _, w := range cat.Workstreams {
			for _, o := range w.ConsideredWith {
				if _, err := tx.ExecContext(ctx, `INSERT INTO workstream_links (workstream_id, considered_with)
					VALUES ($1, $2) ON CONFLICT DO NOTHING`, w.ID, o); err != nil {
					return fmt.Errorf("link %s-%s: %w", w.ID, o, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sync catalogue: %w", err)
	}
	return nil
}

func upsertWorkstream(ctx context.Context, tx *sqlx.Tx, pos int, w survey.Workstream) error {
	aliases := w.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO workstreams (id, name, position, doc_tier, mandated, gpfv, impact, aliases, active)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position,
			doc_tier = EXCLUDED.doc_tier, mandated = EXCLUDED.mandated, gpfv = EXCLUDED.gpfv,
			impact = EXCLUDED.impact, aliases = EXCLUDED.aliases, active = true`,
		w.ID, w.Name, pos, string(w.DocTier), w.Mandated, w.GPFV, w.Impact, pq.Array(aliases))
	return err
}
