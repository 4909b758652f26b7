// Package store owns surveyworker's PostgreSQL database: the schema and its
// migrations, every SQL statement, bulk loading with COPY, and the private
// PostgreSQL server started when no DATABASE_URL is given.
//
// Each exported method of [Store] is one transaction boundary; no other
// package writes SQL.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is a handle on the surveyworker database. It is safe for concurrent
// use.
type Store struct {
	db *sqlx.DB
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or a
// lib/pq key=value string) and waits up to 10 seconds for it to answer. It
// does not migrate; call [Store.Migrate].
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sqlx.Open("postgres", withConnectTimeout(dsn))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			return &Store{db: db, Now: time.Now}, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect to %s: %w", Redact(dsn), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Close closes the connection pool.
func (s *Store) Close() error {
	return s.db.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// withConnectTimeout adds connect_timeout=10 unless the DSN sets one: lib/pq
// otherwise waits forever for an unreachable server.
func withConnectTimeout(dsn string) string {
	if strings.Contains(dsn, "connect_timeout") {
		return dsn
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if strings.Contains(dsn, "?") {
			return dsn + "&connect_timeout=10"
		}
		return dsn + "?connect_timeout=10"
	}
	return dsn + " connect_timeout=10"
}

// Redact returns dsn with any password replaced by "xxxxx", for logs and
// error messages.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	var out []string
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(f, "password=") {
			f = "password=xxxxx"
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// inTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
