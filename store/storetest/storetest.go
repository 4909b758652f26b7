// Package storetest starts a real PostgreSQL for tests and hands each test a
// fresh, migrated database.
//
// A package whose tests need the database calls [Main] from TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
// With TEST_DATABASE_URL set, databases are created on that server instead.
// When no server can be had, tests are skipped, except under CI=true, where
// that is a failure.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

const templateDB = "sw_template"

var (
	adminURL    func(db string) string // URL of a database on the test server
	unavailable string                 // why no server is available
	counter     atomic.Int64
)

// Main starts one private PostgreSQL server for the test binary, prepares a
// migrated template database, runs the tests and stops the server.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is [Main] returning the exit code instead of exiting, for a TestMain
// that has more to clean up.
func Run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	stop, err := setup(ctx)
	cancel()
	if err != nil {
		if os.Getenv("CI") == "true" {
			log.Printf("storetest: no PostgreSQL for tests (CI=true makes this a failure): %v", err)
			return 1
		}
		unavailable = err.Error()
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

func setup(ctx context.Context) (stop func(), err error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		adminURL = func(db string) string { return withDB(u, db) }
		return nil, prepareTemplate(ctx)
	}
	dir, err := os.MkdirTemp("", "surveyworker-test-pg-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	srv, err := store.StartServer(ctx, store.ServerConfig{DataDir: dir, Fast: true, Database: "postgres"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// The cluster may have been kept outside dir (when TMPDIR is out of the
	// postgres user's reach); remove it from there too.
	stop = func() { srv.Stop(); os.RemoveAll(srv.Dir()); os.RemoveAll(dir) }
	adminURL = srv.URL
	if err := prepareTemplate(ctx); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// prepareTemplate creates the template database with the schema and the
// default catalogue.
func prepareTemplate(ctx context.Context) error {
	admin, err := store.Open(ctx, adminURL("postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	name := fmt.Sprintf("%s_%d", templateDB, os.Getpid())
	if err := admin.CreateDatabase(ctx, name, ""); err != nil {
		return err
	}
	st, err := store.Open(ctx, adminURL(name))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	return st.SyncCatalogue(ctx, survey.DefaultCatalogue())
}

// URL returns the connection string of a fresh database with the schema
// and the default catalogue. It skips the test when no server is available.
func URL(tb testing.TB) string {
	tb.Helper()
	return createDB(tb, fmt.Sprintf("%s_%d", templateDB, os.Getpid()))
}

// EmptyURL returns the connection string of a fresh, empty database, with
// no schema: for tests of the migrations themselves. It skips the test
// when no server is available.
func EmptyURL(tb testing.TB) string {
	tb.Helper()
	return createDB(tb, "template0")
}

// createDB creates a database from template and returns its URL.
func createDB(tb testing.TB, template string) string {
	tb.Helper()
	if adminURL == nil {
		if unavailable == "" {
			unavailable = "storetest.Main was not called from TestMain"
		}
		tb.Skipf("no PostgreSQL for tests: %s", unavailable)
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, adminURL("postgres"))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), counter.Add(1))
	if err := admin.CreateDatabase(ctx, name, template); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return adminURL(name)
}

// NewStore returns a [store.Store] on a fresh database (see [URL]), closed
// when the test ends.
func NewStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), URL(tb))
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// withDB replaces the database name in a URL or key=value DSN.
func withDB(dsn, db string) string {
	if strings.Contains(dsn, "://") {
		i := strings.LastIndex(dsn, "/")
		rest := ""
		if q := strings.Index(dsn[i:], "?"); q >= 0 {
			rest = dsn[i+q:]
		}
		return dsn[:i+1] + db + rest
	}
	var out []string
	for _, f := range strings.Fields(dsn) {
		if !strings.HasPrefix(f, "dbname=") {
			out = append(out, f)
		}
	}
	return strings.Join(append(out, "dbname="+db), " ")
}

// Open opens a [store.Store] on the database at url, closed when the test
// ends. Use it for a second handle on a database from [URL].
func Open(tb testing.TB, url string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// EndSession ends the database session whose backend process id is pid,
// as a database restart or a dropped connection would, and waits until it
// is gone. The session's advisory locks are released with it.
func EndSession(tb testing.TB, url string, pid int) {
	tb.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	defer db.Close()
	var ended bool
	// With a timeout, pg_terminate_backend returns once the session has
	// exited, so the caller never sees it half gone.
	if err := db.QueryRowContext(context.Background(), `SELECT pg_terminate_backend($1, 30000)`, pid).Scan(&ended); err != nil {
		tb.Fatalf("storetest: end session %d: %v", pid, err)
	}
	if !ended {
		tb.Fatalf("storetest: end session %d: not ended", pid)
	}
}
