package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/store"
)

// FailureAlert describes a failed job run to tell the operator about with
// [QueueFailureAlert].
type FailureAlert struct {
	// Operator is the address to tell. Required.
	Operator string
	// Job is the job that failed, such as "cycle". Required.
	Job string
	// JobRunID is the failed run. Required.
	JobRunID int64
	// Err is why it failed.
	Err error
	// From is the sender address; its domain ends the Message-ID. Required.
	From string
	// Location is the time zone of the times in the message; nil means
	// Europe/London.
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// QueueFailureAlert queues an e-mail to the operator saying that run
// JobRunID of Job failed, once per failure streak: the e-mail's report key
// names the first failed run since the job last succeeded, so the later
// failures of the same streak, in this process or another, queue nothing.
// It reports whether it queued the e-mail. Like the leads' reports, the
// alert is sent by [Sender.DeliverPending].
func QueueFailureAlert(ctx context.Context, st *store.Store, a FailureAlert) (bool, error) {
	if a.Operator == "" || a.Job == "" || a.JobRunID == 0 {
		return false, errors.New("report: failure alert: operator, job and run are required")
	}
	start, err := st.FailureStreakStart(ctx, a.Job, a.JobRunID)
	if err != nil {
		return false, fmt.Errorf("report: failure alert: %w", err)
	}
	now := nowFunc(a.Now)()
	key := fmt.Sprintf("alert-%s-failed-%d", a.Job, start)
	r := store.Report{Key: key, Kind: store.ReportAlert, JobRunID: a.JobRunID, CreatedAt: now,
		Subject: fmt.Sprintf("surveyworker: %s run %d failed", a.Job, a.JobRunID),
		Body:    alertBody(a, now)}
	to := recipientsOf(key, a.From, []Lead{{Name: "surveyworker operator", Email: a.Operator}})
	n, err := st.QueueReport(ctx, r, to)
	if err != nil {
		return false, fmt.Errorf("report: failure alert: %w", err)
	}
	return n > 0, nil
}

func alertBody(a FailureAlert, now time.Time) string {
	loc := cmp.Or(a.Location, defaultLocation())
	host, _ := os.Hostname()
	var b strings.Builder
	fmt.Fprintf(&b, "The %s job failed at %s on %s (run %d):\n\n", a.Job, now.In(loc).Format(displayTime), cmp.Or(host, "an unknown host"), a.JobRunID)
	if a.Err != nil {
		fmt.Fprintf(&b, "    %s\n\n", oneLine(a.Err.Error()))
	}
	b.WriteString("The leads get no new report until a run succeeds. 'surveyworker runs' and the\n")
	b.WriteString("worker's log say more; docs/OPERATIONS.md says how to recover.\n\n")
	b.WriteString("This is the only e-mail about this run of failures: the next is sent when\n")
	b.WriteString("the job fails again after succeeding.\n")
	return b.String()
}
