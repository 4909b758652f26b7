package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

var outboxT0 = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

func testReport(key, kind string) store.Report {
	return store.Report{Key: key, Kind: kind, Subject: "Ranking " + key, Body: "body of " + key,
		AttachmentName: "r.xlsx", Attachment: []byte("workbook " + key), AttachmentPath: "out/r.xlsx",
		CreatedAt: outboxT0}
}

func recipients(emails ...string) []store.Recipient {
	var out []store.Recipient
	for _, e := range emails {
		out = append(out, store.Recipient{Email: e, MessageID: "<" + e + ">"})
	}
	return out
}

// statusOf maps each recipient of key to its status.
func statusOf(t *testing.T, st *store.Store, key string) map[string]string {
	t.Helper()
	rows, err := st.OutboxEmails(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.RecipientEmail] = r.Status
	}
	return out
}

func TestQueueReportIdempotentAndSupersedes(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	for i, want := range []int{2, 0} {
		got, err := st.QueueReport(ctx, testReport("run-1", store.ReportRanking), recipients("a@example.org", "b@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("queue %d: added %d, want %d", i+1, got, want)
		}
	}
	if _, err := st.QueueReport(ctx, testReport("alert-1", store.ReportAlert), recipients("a@example.org")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"a@example.org": "pending", "b@example.org": "pending"}, statusOf(t, st, "run-1")); diff != "" {
		t.Errorf("an alert superseded a ranking (-want +got):\n%s", diff)
	}
	added, err := st.QueueReport(ctx, testReport("run-2", store.ReportRanking), recipients("A@example.org"))
	if err != nil || added != 1 {
		t.Fatalf("another report key: added %d, %v; want 1, nil", added, err)
	}
	want := map[string]string{"a@example.org": store.OutboxSuperseded, "b@example.org": store.OutboxPending}
	if diff := cmp.Diff(want, statusOf(t, st, "run-1")); diff != "" {
		t.Errorf("run-1 after run-2 was queued (-want +got):\n%s", diff)
	}
	rows, _ := st.OutboxEmails(ctx, "run-2")
	if len(rows) != 1 || rows[0].MessageID != "<A@example.org>" || rows[0].Kind != store.ReportRanking ||
		!rows[0].NextAttemptAt.Equal(outboxT0) || rows[0].JobRunID != 0 {
		t.Errorf("run-2 rows = %+v, want one ranking row due at once with its Message-ID", rows)
	}
}

// scriptedSend returns a SendFunc that answers for each recipient from
// outcomes (sent when absent), records what it was handed and counts calls
// per recipient.
func scriptedSend(outcomes map[string]store.SendOutcome, calls map[string]int, seen *[]store.DueEmail) store.SendFunc {
	var mu sync.Mutex
	return func(_ context.Context, e store.DueEmail) store.SendOutcome {
		mu.Lock()
		defer mu.Unlock()
		calls[e.RecipientEmail]++
		if seen != nil {
			*seen = append(*seen, e)
		}
		out, ok := outcomes[e.RecipientEmail]
		if !ok {
			out = store.SendOutcome{Status: store.OutboxSent, Reply: "250 2.0.0 OK"}
		}
		return out
	}
}

func TestSendDueEmailsOutcomes(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.QueueReport(ctx, testReport("k", store.ReportRanking), recipients("ok@example.org", "busy@example.org", "gone@example.org", "down@example.org")); err != nil {
		t.Fatal(err)
	}
	retry := outboxT0.Add(10 * time.Minute)
	outcomes := map[string]store.SendOutcome{
		"busy@example.org": {Status: store.OutboxPending, RetryAt: retry, Reply: "451 4.2.1 try later", Error: "451 try later"},
		"gone@example.org": {Status: store.OutboxFailed, Reply: "550 5.1.1 no such user", Error: "550 no such user"},
	}
	calls := map[string]int{}
	var seen []store.DueEmail
	done, err := st.SendDueEmails(ctx, outboxT0, 0, scriptedSend(outcomes, calls, &seen))
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 4 || len(seen) != 4 {
		t.Fatalf("attempted %d rows (send saw %d), want 4", len(done), len(seen))
	}
	if e := seen[0]; e.Body != "body of k" || string(e.Attachment) != "workbook k" || e.AttachmentName != "r.xlsx" || e.Subject != "Ranking k" {
		t.Errorf("send was handed %+v, want the report's text and attachment", e)
	}
	type state struct {
		Status, Reply, Error string
		Next                 time.Time
	}
	got := map[string]state{}
	for _, r := range done {
		got[r.RecipientEmail] = state{r.Status, r.SMTPReply, r.LastError, r.NextAttemptAt}
		if r.Attempts != 1 {
			t.Errorf("%s: attempts %d, want 1", r.RecipientEmail, r.Attempts)
		}
		if (r.Status == store.OutboxSent) != (r.SentAt != nil && r.SentAt.Equal(outboxT0)) {
			t.Errorf("%s: status %s with sent_at %v", r.RecipientEmail, r.Status, r.SentAt)
		}
	}
	want := map[string]state{
		"ok@example.org":   {store.OutboxSent, "250 2.0.0 OK", "", outboxT0},
		"down@example.org": {store.OutboxSent, "250 2.0.0 OK", "", outboxT0},
		"busy@example.org": {store.OutboxPending, "451 4.2.1 try later", "451 try later", retry},
		"gone@example.org": {store.OutboxFailed, "550 5.1.1 no such user", "550 no such user", outboxT0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}

	// Nothing is due before the retry time; at it, only busy@ is tried.
	if done, _ := st.SendDueEmails(ctx, retry.Add(-time.Second), 0, scriptedSend(nil, calls, nil)); len(done) != 0 {
		t.Errorf("before the retry time %d rows were attempted", len(done))
	}
	if _, err := st.SendDueEmails(ctx, retry, 0, scriptedSend(nil, calls, nil)); err != nil {
		t.Fatal(err)
	}
	wantCalls := map[string]int{"ok@example.org": 1, "busy@example.org": 2, "gone@example.org": 1, "down@example.org": 1}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("send calls (-want +got):\n%s", diff)
	}
	ob, err := st.OutboxState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.EmailCounts{Sent: 3, Failed: 1}); ob.EmailCounts != want || !ob.OldestPending.IsZero() {
		t.Errorf("outbox state %+v, want %+v and nothing pending", ob, want)
	}
}

func TestSendDueEmailsStopEndsThePass(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.QueueReport(ctx, testReport("k", store.ReportRanking), recipients("a@example.org", "b@example.org")); err != nil {
		t.Fatal(err)
	}
	calls := 0
	done, err := st.SendDueEmails(ctx, outboxT0, 0, func(context.Context, store.DueEmail) store.SendOutcome {
		calls++
		return store.SendOutcome{Status: store.OutboxPending, RetryAt: outboxT0.Add(time.Minute), Error: "connection refused", Stop: true}
	})
	if err != nil || len(done) != 1 || calls != 1 {
		t.Fatalf("attempted %d rows in %d calls (%v), want the pass to stop after 1", len(done), calls, err)
	}
	state, _ := st.OutboxState(ctx)
	if state.Pending != 2 || !state.OldestPending.Equal(outboxT0) {
		t.Errorf("state %+v, want 2 pending queued at %v", state, outboxT0)
	}
}

func TestExpireEmails(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	old := testReport("old", store.ReportRanking)
	young := testReport("young", store.ReportRanking)
	young.CreatedAt = outboxT0.Add(time.Hour)
	for _, r := range []store.Report{old, young} {
		if _, err := st.QueueReport(ctx, r, recipients(r.Key+"@example.org")); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.ExpireEmails(ctx, outboxT0.Add(time.Minute), "expired")
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v; want 1", n, err)
	}
	rows, _ := st.OutboxEmails(ctx, "old")
	if rows[0].Status != store.OutboxFailed || rows[0].LastError != "expired" {
		t.Errorf("old row %+v, want failed as expired", rows[0])
	}
	if got := statusOf(t, st, "young")["young@example.org"]; got != store.OutboxPending {
		t.Errorf("young row %s, want pending", got)
	}
}

func TestSendDueEmailsConcurrentCallersSendOnce(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	emails := []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org"}
	if _, err := st.QueueReport(ctx, testReport("k", store.ReportRanking), recipients(emails...)); err != nil {
		t.Fatal(err)
	}
	var total atomic.Int64
	calls := map[string]int{}
	inner := scriptedSend(nil, calls, nil)
	// Each send waits until every caller has started, so the four callers
	// really overlap while rows are claimed.
	var started sync.WaitGroup
	started.Add(4)
	send := func(ctx context.Context, e store.DueEmail) store.SendOutcome {
		total.Add(1)
		return inner(ctx, e)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			started.Done()
			started.Wait()
			if _, err := st.SendDueEmails(ctx, outboxT0, 0, send); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if total.Load() != int64(len(emails)) {
		t.Errorf("sent %d messages, want %d (calls %v)", total.Load(), len(emails), calls)
	}
	for _, e := range emails {
		if calls[e] != 1 {
			t.Errorf("%s sent %d times, want 1", e, calls[e])
		}
	}
}

func TestEmailCountsByJobRun(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	run, err := st.StartJobRun(ctx, "cycle", "manual", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r := testReport("k", store.ReportRanking)
	r.JobRunID = run
	if _, err := st.QueueReport(ctx, r, recipients("a@example.org", "b@example.org")); err != nil {
		t.Fatal(err)
	}
	fail := map[string]store.SendOutcome{"b@example.org": {Status: store.OutboxFailed, Error: "550"}}
	if _, err := st.SendDueEmails(ctx, outboxT0, 0, scriptedSend(fail, map[string]int{}, nil)); err != nil {
		t.Fatal(err)
	}
	got, err := st.EmailCountsByJobRun(ctx, []int64{run, run + 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64]store.EmailCounts{run: {Sent: 1, Failed: 1}}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestFailureStreakStart(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	run := func(status string) int64 {
		t.Helper()
		id, err := st.StartJobRun(ctx, "cycle", "schedule", time.Time{})
		if err == nil {
			err = st.FinishJobRun(ctx, id, status, store.JobCounts{}, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := run(store.JobFailed)
	if got, _ := st.FailureStreakStart(ctx, "cycle", first); got != first {
		t.Errorf("first failure ever: streak starts at %d, want %d", got, first)
	}
	if _, err := st.RecordSkippedJobRun(ctx, "cycle", "schedule", time.Time{}, "busy"); err != nil {
		t.Fatal(err)
	}
	second := run(store.JobFailed)
	if got, _ := st.FailureStreakStart(ctx, "cycle", second); got != first {
		t.Errorf("second failure after a skip: streak starts at %d, want %d", got, first)
	}
	run(store.JobSucceeded)
	third := run(store.JobFailed)
	if got, _ := st.FailureStreakStart(ctx, "cycle", third); got != third {
		t.Errorf("failure after a success: streak starts at %d, want %d", got, third)
	}
}

// TestSendDueEmailsRecordsAcceptedMessageAfterCancel cancels the pass's
// context while the first message is being sent, as SIGTERM would just
// after the relay's 250: the message is recorded as sent, not left
// pending to be sent again, and no other message is claimed.
func TestSendDueEmailsRecordsAcceptedMessageAfterCancel(t *testing.T) {
	st := storetest.NewStore(t)
	if _, err := st.QueueReport(context.Background(), testReport("k", store.ReportRanking),
		recipients("a@example.org", "b@example.org")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	done, err := st.SendDueEmails(ctx, outboxT0, 0, func(context.Context, store.DueEmail) store.SendOutcome {
		calls++
		cancel()
		return store.SendOutcome{Status: store.OutboxSent, Reply: "250 2.0.0 OK"}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("SendDueEmails after cancel: got %v, want context.Canceled", err)
	}
	if calls != 1 || len(done) != 1 || done[0].Status != store.OutboxSent {
		t.Fatalf("%d sends, done %+v; want one, recorded as sent", calls, done)
	}
	want := map[string]string{done[0].RecipientEmail: store.OutboxSent}
	for _, e := range []string{"a@example.org", "b@example.org"} {
		if e != done[0].RecipientEmail {
			want[e] = store.OutboxPending
		}
	}
	if diff := cmp.Diff(want, statusOf(t, st, "k")); diff != "" {
		t.Errorf("outbox after the cancelled pass (-want +got):\n%s", diff)
	}
}

// TestSendDueEmailsLocksNothingWhileSending: while a message is with the
// relay, a newer report for its recipient can be queued and old e-mail
// expired without waiting for it, and another caller does not take it;
// the message, sent, is then recorded as sent although it was superseded
// meanwhile.
func TestSendDueEmailsLocksNothingWhileSending(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.QueueReport(ctx, testReport("old", store.ReportRanking), recipients("a@example.org")); err != nil {
		t.Fatal(err)
	}
	var inSend []string
	done, err := st.SendDueEmails(ctx, outboxT0, 0, func(context.Context, store.DueEmail) store.SendOutcome {
		// A lock held on the row would make these wait: each gets 10
		// seconds rather than hanging the test.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		other, err := st.SendDueEmails(wctx, outboxT0, 0, func(_ context.Context, e store.DueEmail) store.SendOutcome {
			inSend = append(inSend, e.ReportKey)
			return store.SendOutcome{Status: store.OutboxSent}
		})
		if err != nil || len(other) != 0 {
			t.Errorf("another caller while the message is in hand: %+v, %v; want nothing to send", other, err)
		}
		if n, err := st.ExpireEmails(wctx, outboxT0.Add(time.Hour), "expired"); err != nil || n != 0 {
			t.Errorf("ExpireEmails while the message is in hand: %d, %v; want it left alone", n, err)
		}
		newer := testReport("new", store.ReportRanking)
		newer.CreatedAt = outboxT0.Add(time.Minute)
		if _, err := st.QueueReport(wctx, newer, recipients("a@example.org")); err != nil {
			t.Errorf("queueing a newer report while the old one is in hand: %v", err)
		}
		return store.SendOutcome{Status: store.OutboxSent, Reply: "250 2.0.0 OK"}
	})
	if err != nil || len(done) != 1 {
		t.Fatalf("SendDueEmails: %+v, %v; want the old message attempted", done, err)
	}
	if len(inSend) != 0 {
		t.Errorf("the other caller sent %v", inSend)
	}
	if diff := cmp.Diff(map[string]string{"a@example.org": store.OutboxSent}, statusOf(t, st, "old")); diff != "" {
		t.Errorf("old report, sent while superseded (-want +got):\n%s", diff)
	}
	if got := statusOf(t, st, "new")["a@example.org"]; got != store.OutboxPending {
		t.Errorf("new report %s, want pending (due a minute later)", got)
	}
}

// TestSendDueEmailsLeaseRunsOut: a message whose sender stopped mid-send
// is taken by no one while its lease lasts and by the next caller once it
// has run out; the first sender, back late, cannot overwrite what the
// second recorded.
func TestSendDueEmailsLeaseRunsOut(t *testing.T) {
	st := storetest.NewStore(t)
	dbNow := outboxT0
	st.DBNow = func() time.Time { return dbNow }
	ctx := context.Background()
	if _, err := st.QueueReport(ctx, testReport("k", store.ReportRanking), recipients("a@example.org")); err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	var nested []store.OutboxEmail
	done, err := st.SendDueEmails(ctx, outboxT0, time.Minute, func(context.Context, store.DueEmail) store.SendOutcome {
		if n, _ := st.SendDueEmails(ctx, outboxT0, time.Minute, scriptedSend(nil, calls, nil)); len(n) != 0 {
			t.Errorf("a caller within the lease sent %+v", n)
		}
		dbNow = dbNow.Add(time.Minute) // the first sender stalls past its lease
		var err error
		if nested, err = st.SendDueEmails(ctx, outboxT0, time.Minute, scriptedSend(nil, calls, nil)); err != nil {
			t.Error(err)
		}
		return store.SendOutcome{Status: store.OutboxPending, RetryAt: outboxT0.Add(time.Hour), Error: "timeout"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(nested) != 1 || nested[0].Status != store.OutboxSent || calls["a@example.org"] != 1 {
		t.Fatalf("caller after the lease ran out: %+v (calls %v), want it sent once", nested, calls)
	}
	if len(done) != 1 || done[0].Status != store.OutboxSent || done[0].Attempts != 1 || done[0].LastError != "" {
		t.Errorf("late outcome of the first sender: %+v, want the row as the second recorded it", done)
	}
}

// TestAttachmentKeptOnlyWhileAnEmailIsPending: a report's workbook, which
// quotes respondents' comments, stays in the database while one of its
// e-mails may still be sent, and is deleted once every one is sent,
// failed or superseded. A report key queued again for a new recipient
// gets its attachment back for them.
func TestAttachmentKeptOnlyWhileAnEmailIsPending(t *testing.T) {
	retry := outboxT0.Add(10 * time.Minute)
	tests := []struct {
		name string
		// act works the outbox after report "k" is queued for a@ and b@.
		act      func(t *testing.T, st *store.Store)
		wantKept bool
	}{
		{name: "nothing sent yet", act: func(*testing.T, *store.Store) {}, wantKept: true},
		{name: "one of two sent, the other to retry", wantKept: true, act: func(t *testing.T, st *store.Store) {
			send(t, st, outboxT0, map[string]store.SendOutcome{"b@example.org": {Status: store.OutboxPending, RetryAt: retry}})
		}},
		{name: "both sent", act: func(t *testing.T, st *store.Store) { send(t, st, outboxT0, nil) }},
		{name: "one sent, one failed permanently", act: func(t *testing.T, st *store.Store) {
			send(t, st, outboxT0, map[string]store.SendOutcome{"b@example.org": {Status: store.OutboxFailed, Error: "550"}})
		}},
		{name: "one sent, one expired", act: func(t *testing.T, st *store.Store) {
			send(t, st, outboxT0, map[string]store.SendOutcome{"b@example.org": {Status: store.OutboxPending, RetryAt: retry}})
			if n, err := st.ExpireEmails(context.Background(), outboxT0.Add(time.Minute), "expired"); err != nil || n != 1 {
				t.Fatalf("ExpireEmails: %d, %v; want 1", n, err)
			}
		}},
		{name: "both superseded", act: func(t *testing.T, st *store.Store) {
			newer := testReport("newer", store.ReportRanking)
			newer.CreatedAt = outboxT0.Add(time.Minute)
			if _, err := st.QueueReport(context.Background(), newer, recipients("a@example.org", "b@example.org")); err != nil {
				t.Fatal(err)
			}
			if got, err := st.ReportAttachment(context.Background(), "newer"); err != nil || string(got) != "workbook newer" {
				t.Errorf("newer report's attachment %q, %v; want it kept", got, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.NewStore(t)
			ctx := context.Background()
			if _, err := st.QueueReport(ctx, testReport("k", store.ReportRanking), recipients("a@example.org", "b@example.org")); err != nil {
				t.Fatal(err)
			}
			tt.act(t, st)
			got, err := st.ReportAttachment(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if kept := got != nil; kept != tt.wantKept {
				t.Errorf("attachment %q stored; want kept %v", got, tt.wantKept)
			}
			if n, err := st.PurgeAttachments(ctx); err != nil || n != 0 {
				t.Errorf("PurgeAttachments afterwards: %d, %v; want nothing left to purge", n, err)
			}
		})
	}

	t.Run("queued again for a new recipient", func(t *testing.T) {
		st := storetest.NewStore(t)
		ctx := context.Background()
		r := testReport("k", store.ReportRanking)
		if _, err := st.QueueReport(ctx, r, recipients("a@example.org")); err != nil {
			t.Fatal(err)
		}
		send(t, st, outboxT0, nil)
		if got, _ := st.ReportAttachment(ctx, "k"); got != nil {
			t.Fatalf("attachment %q kept after the only e-mail was sent", got)
		}
		if n, err := st.QueueReport(ctx, r, recipients("a@example.org", "c@example.org")); err != nil || n != 1 {
			t.Fatalf("queueing again: %d, %v; want c@ added", n, err)
		}
		var seen []store.DueEmail
		if _, err := st.SendDueEmails(ctx, outboxT0, 0, scriptedSend(nil, map[string]int{}, &seen)); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0].RecipientEmail != "c@example.org" || string(seen[0].Attachment) != "workbook k" {
			t.Errorf("sent %+v; want c@ sent the workbook", seen)
		}
		if got, _ := st.ReportAttachment(ctx, "k"); got != nil {
			t.Errorf("attachment %q kept after c@ was sent it", got)
		}
	})
}

// send runs one delivery pass at now, with outcomes by recipient (sent
// for the others).
func send(t *testing.T, st *store.Store, now time.Time, outcomes map[string]store.SendOutcome) {
	t.Helper()
	if _, err := st.SendDueEmails(context.Background(), now, 0, scriptedSend(outcomes, map[string]int{}, nil)); err != nil {
		t.Fatal(err)
	}
}
