package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store/storetest"
)

// TestFailedRunsAlertTheOperatorOncePerStreak breaks the practice
// registry so that every cycle fails, runs three cycles, mends it, runs
// one, and breaks it again: the operator is e-mailed at the first failure
// and again after the success, never for the failures in between.
func TestFailedRunsAlertTheOperatorOncePerStreak(t *testing.T) {
	h := newHarness(t)
	registry := filepath.Join(h.dir, "practices.csv")
	h.env["SURVEYWORKER_PRACTICES"] = registry
	h.env["SURVEYWORKER_OPERATOR"] = "night-duty@example.org"
	h.env["SURVEYWORKER_LEADS"] = ""
	broken := func() { putFile(t, registry, []byte("ods_code,name\nK84001\n")) }
	mended := func() { h.copyFile("../../examples/practices.csv", registry) }
	operatorMail := func() []string {
		var subjects []string
		for _, m := range h.smtp.Messages() {
			p, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			if m.To[0] == "night-duty@example.org" {
				subjects = append(subjects, p.Subject)
			}
		}
		return subjects
	}
	run := func(wantCode int) {
		t.Helper()
		if code, out, errOut := h.run(context.Background(), "run"); code != wantCode {
			t.Fatalf("run: exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
		}
	}

	// cycleRuns returns the ids of the cycle runs so far, oldest first:
	// other jobs (the practices import, delivery passes) take ids too.
	cycleRuns := func() []int64 {
		runs, err := storetest.Open(t, h.url).JobRuns(context.Background(), "cycle", 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range slices.Backward(runs) {
			ids = append(ids, r.ID)
		}
		return ids
	}
	about := func(id int64) string { return fmt.Sprintf("cycle run %d failed", id) }

	broken()
	for range 3 {
		run(exitFailure)
	}
	first := cycleRuns()[0]
	if got := operatorMail(); len(got) != 1 || !strings.Contains(got[0], about(first)) {
		t.Fatalf("after three failed runs the operator got %q, want one e-mail about run %d", got, first)
	}
	mended()
	run(exitOK)
	broken()
	run(exitFailure)
	run(exitFailure)
	// The fifth cycle is the first failure after the success.
	if ids := cycleRuns(); len(ids) != 6 {
		t.Fatalf("cycle runs %v, want 6", ids)
	} else if got := operatorMail(); len(got) != 2 || !strings.Contains(got[1], about(ids[4])) {
		t.Errorf("after a success and two more failures the operator got %q, want a second e-mail about run %d", got, ids[4])
	}
}

// TestHMACKeyMustMatchTheDatabase ingests with one key and then, as a
// second replica with a key of its own would, with another: the second
// is refused before anything is loaded, naming SURVEYWORKER_HMAC_KEY.
func TestHMACKeyMustMatchTheDatabase(t *testing.T) {
	h := newHarness(t)
	file := filepath.Join(h.inbox, h.copyExamples()[0])
	h.mustRun("ingest", file)
	before := h.counts()

	h.env["SURVEYWORKER_HMAC_KEY"] = "another-replica-key-0123456789abcdef"
	code, _, errOut := h.run(context.Background(), "run")
	if code != exitUsage || !strings.Contains(errOut, "SURVEYWORKER_HMAC_KEY (fingerprint ") ||
		!strings.Contains(errOut, "docs/OPERATIONS.md") {
		t.Errorf("run with another key: exit %d, stderr:\n%s\nwant 2, naming SURVEYWORKER_HMAC_KEY", code, errOut)
	}
	delete(h.env, "SURVEYWORKER_HMAC_KEY")
	code, _, errOut = h.run(context.Background(), "ingest", filepath.Join(h.inbox, h.copyExamples()[1]))
	if code != exitUsage || !strings.Contains(errOut, "SURVEYWORKER_HMAC_KEY is not set, and the key generated in") {
		t.Errorf("ingest with a generated key: exit %d, stderr:\n%s", code, errOut)
	}
	if diff := cmp.Diff(before, h.counts()); diff != "" {
		t.Errorf("refused ingests changed data (-before +after):\n%s", diff)
	}
}
