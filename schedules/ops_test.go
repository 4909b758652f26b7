package schedules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/logctx"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// get returns the status and body of url.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestReadyzAndMetrics: /readyz is green with the database, its schema
// and the inbox in order, and red naming the inbox once it is gone;
// /metrics serves the worker's metrics in Prometheus text format.
func TestReadyzAndMetrics(t *testing.T) {
	st := storetest.NewStore(t)
	inbox := t.TempDir()
	logger, logs := testLogger(t)
	r := startService(t, ServiceConfig{Store: st, Logger: logger, HTTPAddr: "127.0.0.1:0", InboxDir: inbox,
		OnFile: func(context.Context, string) error { return nil }, Cycle: func(context.Context, string) error { return nil }})
	logs.waitLine(t, "http listening")
	logs.waitLine(t, "schedule started")
	base := "http://" + r.svc.Addr().String()
	if code, body := get(t, base+"/readyz"); code != http.StatusOK ||
		!strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"migrations":"ok"`) || !strings.Contains(body, `"inbox":"ok"`) {
		t.Errorf("/readyz: %d %s; want 200 with every check ok", code, body)
	}
	if err := r.svc.RunCycle(context.Background(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, base+"/metrics")
	for _, want := range []string{
		`surveyworker_files_total{outcome="loaded"} 0`,
		`surveyworker_job_runs_total{job="cycle",outcome="succeeded"} 1`,
		`surveyworker_job_duration_seconds_count{job="cycle",outcome="succeeded"} 1`,
		`surveyworker_job_last_success_timestamp_seconds{job="cycle"}`,
		`surveyworker_job_next_run_timestamp_seconds{job="cycle"}`,
		`surveyworker_claim_conflicts_total 0`,
		`surveyworker_unmatched_respondents 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	if code != http.StatusOK {
		t.Errorf("/metrics: status %d", code)
	}
	if err := os.RemoveAll(inbox); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"inbox":"not_readable"`) {
		t.Errorf("/readyz without the inbox: %d %s; want 503 naming the inbox", code, body)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}

// jsonLogger returns a logger writing JSON lines, with the attributes of
// the context, to buf.
func jsonLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(logctx.NewHandler(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// testCycle returns a cycle on st over a fresh inbox, logging to logger.
func testCycle(t *testing.T, st *store.Store, logger *slog.Logger) *Cycle {
	t.Helper()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	return &Cycle{Store: st, Ingester: ingest.New(st, ingest.Options{HMACKey: []byte("test"), Logger: logger,
		MappingsDir: filepath.Join(inbox, ingest.MappingsDir)}),
		Catalogue: survey.DefaultCatalogue(), Rank: analysis.DefaultOptions(),
		InboxDir: inbox, OutDir: filepath.Join(dir, "out"), Logger: logger}
}

const smallExport = "Timestamp,Which practice?,Priority [Cyber Security]\r\n24/11/2026 10:00:00,Somewhere,High\r\n"

// TestEveryLineOfARunCarriesItsRunID runs a cycle that loads a file: each
// line logged between the run's start and end carries its run_id, and
// each line about the file its name and sha256.
func TestEveryLineOfARunCarriesItsRunID(t *testing.T) {
	st := storetest.NewStore(t)
	var buf bytes.Buffer
	logger := jsonLogger(&buf)
	c := testCycle(t, st, logger)
	if err := os.WriteFile(filepath.Join(c.InboxDir, "a.csv"), []byte(smallExport), 0o644); err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(ServiceConfig{Store: st, Logger: logger, Pipeline: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RunCycle(context.Background(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	digest, err := ingest.FileSHA256(filepath.Join(c.InboxDir, "archive", "a.csv"))
	if err != nil {
		t.Fatal(err)
	}
	in, lines, fileLines := false, 0, 0
	for line := range strings.Lines(buf.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l["msg"] == "job started" && l["job"] == JobCycle {
			in = true
		}
		if !in {
			continue
		}
		lines++
		if l["run_id"] == nil {
			t.Errorf("line without run_id: %s", line)
		}
		if l["file"] == "a.csv" {
			fileLines++
			if l["sha256"] != digest {
				t.Errorf("file line without its sha256: %s", line)
			}
		}
		if l["msg"] == "job finished" {
			in = false
		}
	}
	if lines < 4 || fileLines == 0 {
		t.Errorf("%d lines in the run, %d about the file; want a few of each:\n%s", lines, fileLines, buf.String())
	}
}

// TestCycleFailsWhenNoFileCanBeRead: a mapping file that does not parse
// makes every file fail for a reason that is not its own. The cycle fails
// before ranking, its record says so, the files stay in the inbox, and a
// symbolic link and a rejects file left by a killed worker are dealt with.
func TestCycleFailsWhenNoFileCanBeRead(t *testing.T) {
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	c := testCycle(t, st, logger)
	mappings := filepath.Join(c.InboxDir, ingest.MappingsDir)
	if err := os.MkdirAll(mappings, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(mappings, "bad.yaml"), "bogus_key: 1\n")
	write(filepath.Join(c.InboxDir, "a.csv"), smallExport)
	write(filepath.Join(c.InboxDir, "b.csv"), smallExport+"24/11/2026 11:00:00,Elsewhere,Low\r\n")
	leftover := filepath.Join(c.InboxDir, ".gone.csv.1234.rejects.tmp")
	write(leftover, "x")
	if err := os.Symlink(filepath.Join(c.InboxDir, "a.csv"), filepath.Join(c.InboxDir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(ServiceConfig{Store: st, Logger: logger, Pipeline: c})
	if err != nil {
		t.Fatal(err)
	}
	err = svc.RunCycle(context.Background(), TriggerManual)
	if err == nil || !strings.Contains(err.Error(), "2 of 2 inbox files could not be read") {
		t.Fatalf("RunCycle: %v; want the cycle failed naming the files", err)
	}
	runs := runsOf(t, st, JobCycle)
	if len(runs) != 1 || runs[0].Status != store.JobFailed || !strings.Contains(runs[0].Notes, "link.csv: a symbolic link") {
		t.Errorf("runs %+v; want one failed run noting the symbolic link", runs)
	}
	for _, n := range []string{"a.csv", "b.csv"} {
		if _, err := os.Stat(filepath.Join(c.InboxDir, n)); err != nil {
			t.Errorf("%s not left in the inbox: %v", n, err)
		}
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover rejects file still there: %v", err)
	}
	if _, err := st.LatestRanking(context.Background()); err == nil {
		t.Error("a ranking was stored by the failed cycle")
	}
}

// TestCycleWaitsForQuietFiles: with a settle period, the cycle reads a
// file changed within it only once it has stopped changing, and leaves
// one that keeps changing for the next run, saying so in its notes.
func TestCycleWaitsForQuietFiles(t *testing.T) {
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	c := testCycle(t, st, logger)
	t0 := at(12, 0)
	clk := newFakeClock(t0)
	c.clock, c.Settle = clk, testSettle
	steady, growing := filepath.Join(c.InboxDir, "steady.csv"), filepath.Join(c.InboxDir, "growing.csv")
	for _, p := range []string{steady, growing} {
		if err := os.WriteFile(p, []byte(smallExport), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, t0, t0); err != nil {
			t.Fatal(err)
		}
	}
	type outcome struct {
		res CycleResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.Run(context.Background(), TriggerManual)
		done <- outcome{res, err}
	}()
	for round := 1; round <= quietObservations; round++ {
		clk.waitSleeping(t)
		mtime := t0.Add(time.Duration(round) * testSettle)
		grow := []string{growing}
		if round == 1 {
			grow = append(grow, steady)
		}
		for i, p := range grow {
			appendFile(t, p, fmt.Sprintf("24/11/2026 1%d:0%d:00,Elsewhere,Low\r\n", round, i))
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		clk.AdvanceTo(mtime)
	}
	o := receive(t, done, "end of the cycle")
	if o.err != nil {
		t.Fatal(o.err)
	}
	if len(o.res.Files) != 1 || o.res.Files[0].File != "steady.csv" || o.res.Files[0].Respondents != 2 {
		t.Errorf("files %+v; want steady.csv loaded whole, 2 respondents", o.res.Files)
	}
	if got := strings.Join(o.res.Passed, "; "); !strings.Contains(got, "growing.csv: still being written") {
		t.Errorf("passed over: %q; want growing.csv named", got)
	}
	if _, err := os.Stat(growing); err != nil {
		t.Errorf("growing.csv not left in the inbox: %v", err)
	}
}
