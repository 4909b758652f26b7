package store

import (
	"context"

	"github.com/lib/pq"
)

// MigrateTo applies the migrations up to version v, for tests of a
// migration against data written by the schema before it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrate(ctx, v) }

// ConnConfig is connConfig, for tests of how a DSN is read.
func ConnConfig(dsn string) (pq.Config, error) { return connConfig(dsn) }
