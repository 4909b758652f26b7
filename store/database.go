package store

import (
	"context"
	"fmt"
	"regexp"

	"github.com/lib/pq"
)

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase creates database name, optionally from template, unless it
// already exists. Names are restricted to lower-case identifiers.
func (s *Store) CreateDatabase(ctx context.Context, name, template string) error {
	if !dbName.MatchString(name) || (template != "" && !dbName.MatchString(template)) {
		return fmt.Errorf("store: invalid database name %q", name)
	}
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return fmt.Errorf("store: create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		q += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		if e, ok := err.(*pq.Error); ok && e.Code == "42P04" { // created concurrently
			return nil
		}
		return fmt.Errorf("store: create database %s: %w", name, err)
	}
	return nil
}
