// Package store owns surveyworker's PostgreSQL database: the schema and its
// migrations, every SQL statement, bulk loading with COPY, and the private
// PostgreSQL server started when no DATABASE_URL is given.
//
// Each exported method of [Store] is one transaction boundary; no other
// package writes SQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is a handle on the surveyworker database. It is safe for concurrent
// use.
type Store struct {
	db *sqlx.DB
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// DBNow, when set, stands in for the database's clock, now(), in the
	// leases of inbox file claims and outbox e-mail; nil, the default,
	// uses the database's. Leases are timed by the database so that
	// replicas whose clocks disagree still agree on when one ends; tests
	// set DBNow to move them by hand.
	DBNow func() time.Time
	// workerKey is the worker lock job runs are started under; 0 for none.
	workerKey atomic.Int64
}

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or a
// key=value string) and waits up to 10 seconds for it to answer. It does not
// migrate; call [Store.Migrate].
//
// The DSN, the PG* environment variables and a service file are read as
// lib/pq reads them, except that sslmode defaults to prefer, as in psql,
// rather than lib/pq's require, so a URL that works in psql works here; a
// connection attempt gives up after 10 seconds unless connect_timeout says
// otherwise.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := connConfig(dsn)
	if err != nil {
		return nil, redactError(dsn, fmt.Errorf("store: open %s: %w", Redact(dsn), err))
	}
	conn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, redactError(dsn, fmt.Errorf("store: open %s: %w", Redact(dsn), err))
	}
	db := sqlx.NewDb(sql.OpenDB(conn), "postgres")
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
			return nil, redactError(dsn, fmt.Errorf("store: connect to %s: %w", Redact(dsn), err))
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

// connConfig parses dsn, the PG* environment variables and any service file
// with lib/pq, then fills in two settings that none of them gave:
//
//   - sslmode=prefer, psql's default, where lib/pq's is require: a URL
//     that works in psql (postgres://user@host/db against a server without
//     SSL) works here too. Unix sockets never use SSL, and with
//     sslnegotiation=direct lib/pq's own default (require) stays.
//   - connect_timeout=10 seconds: lib/pq otherwise waits forever for an
//     unreachable server. A timeout of 0 counts as not given.
//
// A value from the DSN, PGSSLMODE or PGCONNECT_TIMEOUT is kept as it is.
func connConfig(dsn string) (pq.Config, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return pq.Config{}, err
	}
	if cfg.SSLMode == "" && cfg.SSLNegotiation != pq.SSLNegotiationDirect {
		cfg.SSLMode = pq.SSLModePrefer
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	return cfg, nil
}

// dbNow returns the time DBNow gives, or nil for the database's own
// clock, as the value of a coalesce($n::timestamptz, now()) parameter.
func (s *Store) dbNow() *time.Time {
	if s.DBNow == nil {
		return nil
	}
	t := s.DBNow()
	return &t
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
