package store

import "context"

// MigrateTo applies the migrations up to version v, for tests of a
// migration against data written by the schema before it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrate(ctx, v) }
