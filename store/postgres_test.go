package store_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store"
)

// postgresUser returns the postgres system user when this process runs as
// root, the only case in which the server runs as another user and a data
// directory can be out of its reach.
func postgresUser() (*user.User, bool) {
	if os.Geteuid() != 0 {
		return nil, false
	}
	u, err := user.Lookup("postgres")
	return u, err == nil
}

// openTempDir returns a new directory that every user may enter, removed
// when the test ends. It is made in /tmp rather than TMPDIR, which may be
// out of the postgres user's reach; t.TempDir's directories are mode 0700.
func openTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/tmp", "surveyworker-store-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestClusterDir(t *testing.T) {
	pg, asPostgres := postgresUser()
	gid := func(s string) int { n, _ := strconv.Atoi(s); return n }
	primary, other := -1, -1
	if asPostgres {
		primary = gid(pg.Gid)
		groups, _ := pg.GroupIds()
		for _, g := range groups {
			if gid(g) != primary {
				other = gid(g)
			}
		}
	}
	tests := []struct {
		name  string
		modes [2]os.FileMode // of the two directories above the data directory
		group int            // group of the inner one; -1 leaves root's
		// away says whether the postgres user cannot reach the data
		// directory, so that its cluster is kept elsewhere when root.
		away          bool
		supplementary bool // needs a supplementary group of postgres
	}{
		{name: "every parent open", modes: [2]os.FileMode{0o755, 0o755}, group: -1},
		{name: "parents searchable, not listable", modes: [2]os.FileMode{0o711, 0o711}, group: -1},
		{name: "outer parent 0700, like /root", modes: [2]os.FileMode{0o700, 0o755}, group: -1, away: true},
		{name: "inner parent 0700", modes: [2]os.FileMode{0o755, 0o700}, group: -1, away: true},
		{name: "inner parent 0750, postgres's group", modes: [2]os.FileMode{0o755, 0o750}, group: primary},
		{name: "inner parent 0750, another group", modes: [2]os.FileMode{0o755, 0o750}, group: 0, away: true},
		// The server runs without supplementary groups, so they must not count.
		{name: "inner parent 0750, a supplementary group of postgres", modes: [2]os.FileMode{0o755, 0o750}, group: other, away: true, supplementary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if asPostgres && tt.supplementary && other < 0 {
				t.Skip("the postgres user has no supplementary group here")
			}
			outer := filepath.Join(openTempDir(t), "outer")
			inner := filepath.Join(outer, "inner")
			data := filepath.Join(inner, "postgres")
			if err := os.MkdirAll(inner, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.group >= 0 {
				if err := os.Chown(inner, 0, tt.group); err != nil {
					t.Fatal(err)
				}
			}
			for i, d := range []string{outer, inner} {
				if err := os.Chmod(d, tt.modes[i]); err != nil {
					t.Fatal(err)
				}
			}
			got, err := store.ClusterDir(context.Background(), data, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if got != data {
				t.Cleanup(func() { os.RemoveAll(got) })
			}
			want := asPostgres && tt.away
			if away := got != data; away != want {
				t.Fatalf("ClusterDir(%s) = %s: kept elsewhere %v, want %v", data, got, away, want)
			}
			if !want {
				return
			}
			if !strings.HasPrefix(got, "/var/lib/surveyworker/") {
				t.Errorf("cluster kept in %s, want a directory under /var/lib/surveyworker", got)
			}
			if link, err := os.Readlink(filepath.Join(data, "cluster")); link != got {
				t.Errorf("link %s/cluster = %q (%v), want %s", data, link, err, got)
			}
			fi, err := os.Lstat(got)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("%s has mode %v, want 0700", got, fi.Mode().Perm())
			}
			again, err := store.ClusterDir(context.Background(), data, slog.New(slog.DiscardHandler))
			if err != nil || again != got {
				t.Errorf("second ClusterDir = %s, %v; want %s again", again, err, got)
			}
		})
	}
}

// TestStartServerOutOfPostgresReach starts the private server for a data
// directory below a mode-0700 directory, as a clone under /root is: as root,
// its cluster must be kept where the postgres user can reach it, live on
// across restarts, and be set aside (never deleted) once the data directory
// is gone.
func TestStartServerOutOfPostgresReach(t *testing.T) {
	t.Parallel()
	_, asPostgres := postgresUser()
	home := filepath.Join(openTempDir(t), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(home, "clone", ".surveyworker", "postgres")
	ctx := context.Background()
	var logs bytes.Buffer
	start := func(db string) *store.Server {
		t.Helper()
		logs.Reset()
		srv, err := store.StartServer(ctx, store.ServerConfig{DataDir: data, Fast: true, Database: db,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop(); os.RemoveAll(srv.Dir()) })
		return srv
	}
	exists := func(srv *store.Server, name string) bool {
		t.Helper()
		st, err := store.Open(ctx, srv.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ok, err := st.DatabaseExists(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	srv := start("kept")
	dir := srv.Dir()
	if away := dir != data; away != asPostgres {
		t.Fatalf("cluster in %s for data directory %s: kept elsewhere %v, want %v", dir, data, away, asPostgres)
	}
	if asPostgres {
		if n := strings.Count(logs.String(), "kept outside the data directory"); n != 1 {
			t.Errorf("got %d log lines saying where the cluster is, want 1:\n%s", n, logs.String())
		}
		if !strings.Contains(logs.String(), "cluster_dir="+dir) || !strings.Contains(logs.String(), home+" is not searchable by the postgres user") {
			t.Errorf("log does not say where the cluster is and why:\n%s", logs.String())
		}
	}
	if !exists(srv, "kept") {
		t.Fatal("database kept was not created")
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv = start("postgres")
	if srv.Dir() != dir {
		t.Errorf("restarted cluster in %s, want %s", srv.Dir(), dir)
	}
	if !exists(srv, "kept") {
		t.Error("database kept is gone after a restart")
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	// Removing the data directory leaves its cluster unused, wherever it
	// is: the next start finds no cluster to reuse, and one kept elsewhere
	// is set aside, not deleted.
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	again, err := store.ClusterDir(ctx, data, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if again != dir {
		t.Errorf("cluster of the new data directory in %s, want %s", again, dir)
	}
	if _, err := os.Lstat(filepath.Join(dir, "pgdata")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s/pgdata survived removing the data directory (%v)", dir, err)
	}
	if asPostgres {
		aside, _ := filepath.Glob(dir + ".set-aside-*")
		if len(aside) != 1 || !strings.Contains(logs.String(), "set aside the private PostgreSQL cluster") ||
			!strings.Contains(logs.String(), "cluster_dir="+aside[0]) {
			t.Errorf("earlier cluster set aside as %v; log:\n%s", aside, logs.String())
		}
		for _, d := range aside {
			if _, err := os.Stat(filepath.Join(d, "pgdata", "PG_VERSION")); err != nil {
				t.Errorf("the cluster set aside lost its data: %v", err)
			}
			os.RemoveAll(d)
		}
	}
}

// TestStartServerLongPath starts the private server for a data directory
// whose path is too long for a Unix socket beside the cluster.
func TestStartServerLongPath(t *testing.T) {
	t.Parallel()
	data := filepath.Join(openTempDir(t), strings.Repeat("long", 25), "postgres")
	ctx := context.Background()
	srv, err := store.StartServer(ctx, store.ServerConfig{DataDir: data, Fast: true, Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	cfg, err := pq.NewConfig(srv.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	if sock := filepath.Join(cfg.Host, ".s.PGSQL."+strconv.Itoa(int(cfg.Port))); len(sock) > 107 {
		t.Errorf("socket path %s is %d bytes, longer than a Unix socket allows", sock, len(sock))
	}
	st, err := store.Open(ctx, srv.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(cfg.Host); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket directory %s left behind after Stop (%v)", cfg.Host, err)
	}
}
