package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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
	broken := func() { writeFile(t, registry, "ods_code,name\nK84001\n") }
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

	broken()
	for range 3 {
		run(exitFailure)
	}
	if got := operatorMail(); len(got) != 1 || !strings.Contains(got[0], "cycle run 1 failed") {
		t.Fatalf("after three failed runs the operator got %q, want one e-mail about run 1", got)
	}
	mended()
	run(exitOK)
	broken()
	run(exitFailure)
	run(exitFailure)
	if got := operatorMail(); len(got) != 2 || !strings.Contains(got[1], "cycle run 5 failed") {
		t.Errorf("after a success and two more failures the operator got %q, want a second e-mail about run 5", got)
	}
}
