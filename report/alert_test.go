package report

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/internal/smtptest"
	"github.com/surveyworker/surveyworker/store"
)

// TestFailureAlertOncePerStreak fails the cycle three times, succeeds,
// then fails again, delivering after each run: the operator gets two
// e-mails, one for each run of failures.
func TestFailureAlertOncePerStreak(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	ctx := context.Background()
	run := func(status string) int64 {
		t.Helper()
		id, err := b.st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if status == store.JobFailed {
			alert := FailureAlert{Operator: "ops@example.org", Job: "cycle", JobRunID: id,
				Err: errors.New("cycle: rank: database gone"), From: testFrom, Location: london, Now: b.clock.Now}
			if _, err := QueueFailureAlert(ctx, b.st, alert); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.st.FinishJobRun(ctx, id, status, store.JobCounts{}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := b.sender(t).DeliverPending(ctx); err != nil {
			t.Fatal(err)
		}
		b.clock.Advance(time.Minute)
		return id
	}
	first := run(store.JobFailed)
	run(store.JobFailed)
	run(store.JobFailed)
	run(store.JobSucceeded)
	fourth := run(store.JobFailed)

	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("operator got %d e-mails, want 2 (one per run of failures)", len(msgs))
	}
	for i, want := range []int64{first, fourth} {
		p, err := msgs[i].Parse()
		if err != nil {
			t.Fatal(err)
		}
		if msgs[i].To[0] != "ops@example.org" || !strings.Contains(p.Subject, "cycle run") {
			t.Errorf("e-mail %d: to %v, subject %q", i, msgs[i].To, p.Subject)
		}
		if !strings.Contains(p.Text, "database gone") || !strings.Contains(p.Text, "run "+itoa(want)) {
			t.Errorf("e-mail %d body lacks the error or run %d:\n%s", i, want, p.Text)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
