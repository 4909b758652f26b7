package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

func outboxRows(key string, emails ...string) []store.OutboxEmail {
	var out []store.OutboxEmail
	for _, e := range emails {
		out = append(out, store.OutboxEmail{ReportKey: key, RecipientEmail: e, Subject: "Ranking", AttachmentPath: "out/r.xlsx"})
	}
	return out
}

func TestEnqueueEmailsIdempotent(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	rows := outboxRows("run-1", "a@example.org", "b@example.org")
	for i, want := range []int{2, 0} {
		got, err := st.EnqueueEmails(ctx, rows)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("enqueue %d: added %d, want %d", i+1, got, want)
		}
	}
	added, err := st.EnqueueEmails(ctx, outboxRows("run-2", "a@example.org"))
	if err != nil || added != 1 {
		t.Errorf("another report key: added %d, %v; want 1, nil", added, err)
	}
	got, err := st.OutboxEmails(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Status != store.OutboxPending || got[1].JobRunID != 0 {
		t.Errorf("rows = %+v, want b@example.org's row pending, without job run", got)
	}
	// run-2 superseded run-1 for a@example.org, which is never sent the
	// older report now.
	if got[0].Status != store.OutboxFailed || !strings.Contains(got[0].LastError, "superseded: the newer report run-2") {
		t.Errorf("a@example.org's run-1 row = %+v, want failed as superseded by run-2", got[0])
	}
}

// scriptedSend returns a SendFunc that answers for each recipient from
// outcomes (success when absent) and counts calls per recipient.
func scriptedSend(outcomes map[string]store.SendOutcome, calls map[string]int) store.SendFunc {
	var mu sync.Mutex
	return func(_ context.Context, e store.OutboxEmail) store.SendOutcome {
		mu.Lock()
		defer mu.Unlock()
		calls[e.RecipientEmail]++
		out := outcomes[e.RecipientEmail]
		out.MessageID = "<" + e.RecipientEmail + ">"
		return out
	}
}

func TestSendPendingEmailsOutcomes(t *testing.T) {
	st := storetest.NewStore(t)
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := st.EnqueueEmails(ctx, outboxRows("k", "ok@example.org", "busy@example.org", "gone@example.org")); err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]store.SendOutcome{
		"busy@example.org": {Err: errors.New("451 try later"), Temporary: true},
		"gone@example.org": {Err: errors.New("550 no such user")},
	}
	calls := map[string]int{}
	send := scriptedSend(outcomes, calls)

	type state struct {
		Status   string
		Attempts int
		Error    string
	}
	tests := []struct {
		name string
		want map[string]state
	}{
		{"first", map[string]state{
			"ok@example.org":   {store.OutboxSent, 1, ""},
			"busy@example.org": {store.OutboxPending, 1, "451 try later"},
			"gone@example.org": {store.OutboxFailed, 1, "550 no such user"},
		}},
		{"second retries only the temporary failure", map[string]state{
			"ok@example.org":   {store.OutboxSent, 1, ""},
			"busy@example.org": {store.OutboxPending, 2, "451 try later"},
			"gone@example.org": {store.OutboxFailed, 1, "550 no such user"},
		}},
		{"third exhausts the attempts", map[string]state{
			"ok@example.org":   {store.OutboxSent, 1, ""},
			"busy@example.org": {store.OutboxFailed, 3, "451 try later"},
			"gone@example.org": {store.OutboxFailed, 1, "550 no such user"},
		}},
	}
	for _, tt := range tests {
		if _, err := st.SendPendingEmails(ctx, "k", 3, send); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		rows, err := st.OutboxEmails(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]state{}
		for _, r := range rows {
			got[r.RecipientEmail] = state{r.Status, r.Attempts, r.LastError}
			if r.Status == store.OutboxSent && (r.SentAt == nil || !r.SentAt.Equal(now) || r.MessageID == "") {
				t.Errorf("%s: sent row %+v lacks sent_at or message_id", tt.name, r)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: outbox (-want +got):\n%s", tt.name, diff)
		}
	}
	wantCalls := map[string]int{"ok@example.org": 1, "busy@example.org": 3, "gone@example.org": 1}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("send calls (-want +got):\n%s", diff)
	}
}

func TestSendPendingEmailsConcurrentCallersSendOnce(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	emails := []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org"}
	if _, err := st.EnqueueEmails(ctx, outboxRows("k", emails...)); err != nil {
		t.Fatal(err)
	}
	var total atomic.Int64
	calls := map[string]int{}
	inner := scriptedSend(nil, calls)
	send := func(ctx context.Context, e store.OutboxEmail) store.SendOutcome {
		total.Add(1)
		time.Sleep(20 * time.Millisecond)
		return inner(ctx, e)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.SendPendingEmails(ctx, "k", 3, send); err != nil {
				t.Error(err)
			}
		}()
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
