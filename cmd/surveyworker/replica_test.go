package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store/storetest"
)

// serveArgs are the flags of the serve processes of these tests: a
// schedule that does not fire while they run, short settle period and
// lease, and no catching up.
var serveArgs = []string{"serve", "--schedule", "0 2 1 1 *", "--settle", "100ms", "--lease", "3s", "--catch-up", "0"}

// TestReplicasShareOneInbox runs three serve processes on one database and
// one inbox, drops 200 files at once, and kills one replica with SIGKILL
// once it has files in hand. Every file is loaded exactly once: the
// respondents are the sum of the files', every file is archived, none
// quarantined, and nothing is left in the inbox.
func TestReplicasShareOneInbox(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	const files, rows = 200, 2
	h := newHarness(t)
	h.mustRun("practices", "import", "../../examples/practices.csv")
	var replicas []*proc
	// A re-rank interval longer than the test leaves each replica one
	// ranking of new responses at most, however long the files take.
	args := append(slices.Clip(serveArgs), "--rerank-interval", "1h")
	for _, name := range []string{"a", "b", "c"} {
		p := start(t, name, h.procEnv(name), args...)
		replicas = append(replicas, p)
	}
	for _, p := range replicas {
		p.wait("serving", nil, 1)
	}
	began := time.Now()
	dropFiles(t, h.inbox, files, rows)

	// Kill the first replica seen with a file in hand.
	victim := waitAnyStarted(t, replicas)
	victim.signal(syscall.SIGKILL)
	victim.exit()
	h.waitCounts(t, files, files*rows)
	waitEmptyInbox(t, h.inbox)
	t.Logf("%d files of %d rows on 3 replicas, one killed: %s", files, rows, time.Since(began).Round(10*time.Millisecond))

	c := h.counts()
	if c["source_files"] != files || c["respondents"] != files*rows {
		t.Errorf("counts %v, want %d files and %d respondents", c, files, files*rows)
	}
	archived := slices.DeleteFunc(names(t, filepath.Join(h.inbox, "archive")), func(n string) bool {
		return strings.HasSuffix(n, ".rejects.csv")
	})
	if len(archived) != files {
		t.Errorf("%d files archived, want %d: %v", len(archived), files, archived)
	}
	if q := names(t, filepath.Join(h.inbox, "quarantine")); len(q) != 0 {
		t.Errorf("files quarantined: %v", q)
	}
	if p := names(t, filepath.Join(h.inbox, "processing")); len(p) != 0 {
		t.Errorf("files left in processing/: %v", p)
	}
	for _, p := range replicas {
		if p == victim {
			continue
		}
		p.signal(syscall.SIGTERM)
		if code := p.exit(); code != 0 {
			t.Errorf("%s: exit %d after SIGTERM, want 0", p.name, code)
		}
	}
	ranks, loads := 0, 0
	for _, p := range replicas {
		ranks += p.count("job started", map[string]any{"job": "rank"})
		loads += p.count("ingested file", nil)
	}
	t.Logf("%d files loaded or found duplicate across replicas, %d rankings of new responses", loads, ranks)
	if ranks > len(replicas) {
		t.Errorf("%d rankings of new responses for one drop of files, want at most one per replica", ranks)
	}
	if n := len(inboxFiles(t, h.inbox)); n != 0 {
		t.Errorf("%d files left in the inbox", n)
	}
	// The survivors released every claim they took. The killed replica's
	// claims outlive it until their lease runs out, by design: one on a
	// file it had finished but not yet released is never taken over.
	st := storetest.Open(t, h.url)
	live, err := st.LiveClaims(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dead := fmt.Sprintf(":%d:", victim.cmd.Process.Pid)
	for name, owner := range live {
		if !strings.Contains(owner, dead) {
			t.Errorf("claim on %s left by %s, a replica that exited cleanly", name, owner)
		}
	}
}

// waitAnyStarted waits until one of ps has started handling a file and
// returns it.
func waitAnyStarted(t *testing.T, ps []*proc) *proc {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		for _, p := range ps {
			if p.count("job started", map[string]any{"job": "ingest"}) > 0 {
				return p
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no replica started a file within %s", hangGuard)
	return nil
}

// waitEmptyInbox waits until no regular file is left in the inbox.
func waitEmptyInbox(t *testing.T, dir string) {
	t.Helper()
	waitFor(t, hangGuard, "an empty inbox", func() bool { return len(inboxFiles(t, dir)) == 0 })
}
