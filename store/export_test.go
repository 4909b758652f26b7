package store

import (
	"context"
	"log/slog"

	"github.com/lib/pq"
)

// MigrateTo applies the migrations up to version v, for tests of a
// migration against data written by the schema before it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrate(ctx, v) }

// ConnConfig is connConfig, for tests of how a DSN is read.
func ConnConfig(dsn string) (pq.Config, error) { return connConfig(dsn) }

// ClusterDir makes dataDir and returns where StartServer would keep its
// cluster, making that directory too when it is outside dataDir.
func ClusterDir(ctx context.Context, dataDir string, logger *slog.Logger) (string, error) {
	dir, err := makeDataDir(dataDir)
	if err != nil {
		return "", err
	}
	s := &Server{cfg: ServerConfig{DataDir: dir, Logger: logger}}
	err = s.place(ctx)
	return s.dir, err
}

// DatabaseExists reports whether the server has a database called name.
func (s *Store) DatabaseExists(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, name)
	return ok, err
}

// ReportAttachment returns the stored attachment of the report key, nil
// when it has none.
func (s *Store) ReportAttachment(ctx context.Context, key string) ([]byte, error) {
	var b []byte
	err := s.db.GetContext(ctx, &b, `SELECT attachment FROM reports WHERE report_key = $1`, key)
	return b, err
}
