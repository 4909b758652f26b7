package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/surveyworker/surveyworker/store"
)

// lifeRows is the size of the file the life-cycle tests load: enough rows
// that a signal may well arrive during its load, though nothing depends
// on whether it does.
const lifeRows = 3000

// field returns the value of key on the first log line with msg.
func (p *proc) field(msg, key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if matches(l, msg, nil) {
			s, _ := l[key].(string)
			return s
		}
	}
	return ""
}

// loadedOrUntouched checks that the file called name is either loaded
// whole and archived, or not loaded at all and still in the inbox (or
// both loaded and still there, for the next load to find a duplicate).
func (h *harness) loadedOrUntouched(t *testing.T, name string, rows int64) {
	t.Helper()
	c := h.counts()
	_, inInbox := os.Stat(filepath.Join(h.inbox, name))
	_, archived := os.Stat(filepath.Join(h.inbox, "archive", name))
	switch {
	case c["respondents"] == rows && (archived == nil || inInbox == nil):
	case c["respondents"] == 0 && inInbox == nil:
	default:
		t.Fatalf("after the signal: %d respondents (want 0 or %d), in inbox: %v, archived: %v",
			c["respondents"], rows, inInbox == nil, archived == nil)
	}
	if live, _ := os.ReadDir(h.inbox); len(live) > 0 {
		for _, e := range live {
			if n := e.Name(); len(n) > 0 && n[0] == '.' {
				t.Errorf("hidden file left in the inbox: %s", n)
			}
		}
	}
}

// TestServeSignals sends serve SIGTERM while it reads a file, then in a
// second run two signals in a row. The first exits 0 having finished or
// rolled back the file; the second exits at once. Either way the file is
// loaded whole or not at all, and the next start loads what is missing.
func TestServeSignals(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	write := func(name string) {
		putFile(t, filepath.Join(h.inbox, name), []byte(tinyExport(1, lifeRows)))
	}

	write("one.csv")
	p := start(t, "first", h.procEnv("a"), serveArgs...)
	p.wait("job started", map[string]any{"job": "ingest"}, 1)
	p.signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	h.loadedOrUntouched(t, "one.csv", lifeRows)

	p = start(t, "second", h.procEnv("a"), serveArgs...)
	p.wait("serving", nil, 1)
	waitEmptyInbox(t, h.inbox)
	h.waitCounts(t, 1, lifeRows)
	write("two.csv") // the same respondents: a duplicate file of no new rows
	p.wait("job started", map[string]any{"job": "ingest", "file": "two.csv"}, 1)
	p.signal(syscall.SIGTERM)
	p.signal(syscall.SIGTERM)
	if code := p.exit(); code == 0 {
		t.Logf("second signal came after the file was done; exit 0")
	}
	h.loadedOrUntouched(t, "one.csv", lifeRows)

	p = start(t, "third", h.procEnv("a"), serveArgs...)
	p.wait("serving", nil, 1)
	waitEmptyInbox(t, h.inbox)
	if c := h.counts(); c["respondents"] != lifeRows {
		t.Errorf("respondents %d, want %d", c["respondents"], lifeRows)
	}
	p.signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestPostgresRestart restarts PostgreSQL under a running serve: /readyz
// turns red while the database is down and green once it is back, files
// dropped meanwhile wait and are then loaded, and nothing is lost or
// loaded twice.
func TestPostgresRestart(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "swpg-restart-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := store.ServerConfig{DataDir: dir, Fast: true}
	srv, err := store.StartServer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(); os.RemoveAll(srv.Dir()); os.RemoveAll(dir) })
	cfg.Port = portOf(t, srv.URL(""))

	h := newHarness(t)
	h.url = srv.URL("")
	h.env["DATABASE_URL"] = h.url
	h.mustRun("practices", "import", "../../examples/practices.csv")
	p := start(t, "serve", h.procEnv("a"), append(serveArgs, "--http", "127.0.0.1:0")...)
	p.wait("http listening", nil, 1)
	readyz := "http://" + p.field("http listening", "addr") + "/readyz"
	waitStatus(t, readyz, http.StatusOK)

	dropFiles(t, h.inbox, 20, 2)
	h.waitCounts(t, 20, 40)
	waitEmptyInbox(t, h.inbox)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, readyz, http.StatusServiceUnavailable)
	for i := 20; i < 40; i++ {
		path := filepath.Join(h.inbox, fmt.Sprintf("export-%03d.csv", i))
		putFile(t, path, []byte(tinyExport(i, 2)))
	}
	p.wait("inbox file not claimed; will retry", nil, 1)
	if srv, err = store.StartServer(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, readyz, http.StatusOK)
	h.waitCounts(t, 40, 80)
	waitEmptyInbox(t, h.inbox)
	if c := h.counts(); c["source_files"] != 40 || c["respondents"] != 80 {
		t.Errorf("counts %v, want 40 files and 80 respondents", c)
	}
	p.signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	runs, err := store.Open(ctx, h.url)
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	rs, err := runs.JobRuns(ctx, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status == store.JobRunning {
			t.Errorf("run %d (%s) left running", r.ID, r.Job)
		}
	}
}

// portOf returns the port of a key=value connection string.
func portOf(t *testing.T, dsn string) int {
	t.Helper()
	var host string
	var port int
	if _, err := fmt.Sscanf(dsn, "host=%s port=%d", &host, &port); err != nil {
		t.Fatalf("port of %q: %v", dsn, err)
	}
	return port
}

// waitStatus polls url until it answers with code.
func waitStatus(t *testing.T, url string, code int) {
	t.Helper()
	waitFor(t, hangGuard, fmt.Sprintf("%s to answer %d", url, code), func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == code
	})
}
