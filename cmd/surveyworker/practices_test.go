package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// TestServeImportsPracticesFirstAndRematches starts serve on a fresh
// database with files already in the inbox: the registry is imported
// before any is read, so no respondent of a registered practice is left
// unmatched. An alias added to the registry file then matches the one
// answer that matched nothing, without loading anything again.
func TestServeImportsPracticesFirstAndRematches(t *testing.T) {
	h := newHarness(t)
	registry := filepath.Join(h.dir, "practices.csv")
	h.copyFile("../../examples/practices.csv", registry)
	h.env["SURVEYWORKER_PRACTICES"] = registry
	h.env["SURVEYWORKER_LEADS"] = ""
	export := "Timestamp,Which practice are you from?,What is your role?,Priority [Cyber Security]\n" +
		"24/11/2026 09:00:00,Jericho Canal Surgery,GP Partner,High priority\n" +
		"24/11/2026 09:01:00,K84502,Practice Manager,Low priority\n" +
		"24/11/2026 09:02:00,The Canal Practice,Nurse,Medium priority\n"
	putFile(t, filepath.Join(h.inbox, "early.csv"), []byte(export))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var code int
	var stderr string
	wg.Add(1)
	go func() {
		defer wg.Done()
		code, _, stderr = h.run(ctx, "serve", "--schedule", "0 2 1 1 *", "--settle", "100ms", "--catch-up", "0")
	}()
	st := storetest.Open(t, h.url)
	waitFor(t, hangGuard, "early.csv archived", func() bool {
		_, err := os.Stat(filepath.Join(h.inbox, "archive", "early.csv"))
		return err == nil
	})
	if n, err := st.UnmatchedRespondents(ctx); err != nil || n != 1 {
		t.Fatalf("unmatched respondents %d, %v; want only the answer naming no registered practice", n, err)
	}

	b, err := os.ReadFile(registry)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "OX2 6AB,Jericho Surgery", "OX2 6AB,Jericho Surgery;The Canal Practice", 1)
	if edited == string(b) {
		t.Fatal("registry line of K84501 not found")
	}
	putFile(t, registry, []byte(edited))
	waitFor(t, hangGuard, "the answer re-matched", func() bool {
		n, err := st.UnmatchedRespondents(ctx)
		return err == nil && n == 0
	})
	// The run is finished after the re-match commits: wait for that too.
	var runs []store.JobRun
	waitFor(t, hangGuard, "the practices run finished", func() bool {
		var err error
		runs, err = st.JobRuns(ctx, "practices", 10)
		return err == nil && len(runs) > 0 && runs[0].FinishedAt != nil
	})
	if len(runs) < 2 || !strings.Contains(runs[0].Notes, "re-matched 1 respondents") {
		t.Errorf("practices runs %+v; want the start-up import and one noting 1 re-matched", runs)
	}
	if c := h.counts(); c["respondents"] != 3 || c["source_files"] != 1 {
		t.Errorf("counts %v, want the file loaded once", c)
	}
	cancel()
	wg.Wait()
	if code != 0 {
		t.Errorf("serve exit %d; stderr:\n%s", code, stderr)
	}
}
