package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// TestReportInputs checks that what a report rests on changes when a file
// is loaded or forgotten, or the registry changes, and only then.
func TestReportInputs(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	inputs := func() store.ReportInputs {
		t.Helper()
		in, err := st.ReportInputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	if diff := cmp.Diff(store.ReportInputs{}, inputs()); diff != "" {
		t.Errorf("empty database (-want +got):\n%s", diff)
	}
	loadViewFile(t, st)
	loaded := inputs()
	if loaded.Files != 1 || loaded.Respondents != 4 || loaded.Matched != 3 || loaded.MaxFileID == 0 || loaded.Registry == "" {
		t.Errorf("after a load: %+v", loaded)
	}
	if again := inputs(); again != loaded {
		t.Errorf("nothing changed, but %+v became %+v", loaded, again)
	}
	moved := viewPractices[2]
	moved.Federation = "North"
	if _, err := st.UpsertPractices(ctx, []survey.Practice{moved}); err != nil {
		t.Fatal(err)
	}
	regrouped := inputs()
	if regrouped.Registry == loaded.Registry {
		t.Errorf("a practice moved federation, but the registry digest stayed %s", loaded.Registry)
	}
	sum := sha256.Sum256([]byte("views.csv"))
	if _, err := st.ForgetFile(ctx, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	if forgot := inputs(); forgot.Files != 0 || forgot.Respondents != 0 || forgot.Registry != regrouped.Registry {
		t.Errorf("after forgetting the file: %+v", forgot)
	}
}

// TestLastSentReports finds the ranking report each lead received last,
// with its change key, passing over pending e-mail and alerts.
func TestLastSentReports(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	queue := func(key, kind string, at time.Time, to ...store.Recipient) {
		t.Helper()
		r := testReport(key, kind)
		r.CreatedAt = at
		if _, err := st.QueueReport(ctx, r, to); err != nil {
			t.Fatal(err)
		}
	}
	send := func(at time.Time) {
		t.Helper()
		if _, err := st.SendDueEmails(ctx, at, 0, scriptedSend(nil, map[string]int{}, nil)); err != nil {
			t.Fatal(err)
		}
	}
	day2 := outboxT0.AddDate(0, 0, 1)
	queue("run-1", store.ReportRanking, outboxT0,
		store.Recipient{Email: "a@example.org", ChangeKey: "k1"}, store.Recipient{Email: "b@example.org", ChangeKey: "k1"})
	send(outboxT0)
	queue("run-2", store.ReportRanking, day2, store.Recipient{Email: "A@example.org", ChangeKey: "k2"})
	send(day2)
	queue("run-3", store.ReportRanking, day2.Add(time.Hour), store.Recipient{Email: "b@example.org", ChangeKey: "k3"})
	queue("alert-1", store.ReportAlert, day2, store.Recipient{Email: "c@example.org"})
	send(day2.Add(-time.Hour)) // run-3 not yet due: b@ keeps k1

	got, err := st.LastSentReports(ctx, []string{"a@example.org", "B@example.org", "c@example.org", "d@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]store.SentReport{
		"a@example.org": {ReportKey: "run-2", ChangeKey: "k2", CreatedAt: day2, SentAt: day2},
		"b@example.org": {ReportKey: "run-1", ChangeKey: "k1", CreatedAt: outboxT0, SentAt: outboxT0},
	}
	if diff := cmp.Diff(want, got, timeEqual); diff != "" {
		t.Errorf("LastSentReports (-want +got):\n%s", diff)
	}
	rows, err := st.OutboxEmails(ctx, "run-3")
	if err != nil || len(rows) != 1 || rows[0].ChangeKey != "k3" {
		t.Errorf("run-3 outbox rows %+v, %v; want its change key k3", rows, err)
	}
}

// TestQueueReportKeepsHTML stores a report's HTML part, with its view,
// and hands the HTML part to the sender.
func TestQueueReportKeepsHTML(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	r := testReport("run-1-north", store.ReportRanking)
	r.HTMLBody, r.Federations = "<p>html of run-1</p>", []string{"North"}
	if _, err := st.QueueReport(ctx, r, recipients("a@example.org")); err != nil {
		t.Fatal(err)
	}
	var seen []store.DueEmail
	if _, err := st.SendDueEmails(ctx, outboxT0, 0, scriptedSend(nil, map[string]int{}, &seen)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].HTMLBody != r.HTMLBody || seen[0].Body != r.Body {
		t.Fatalf("send was handed %+v, want the text and HTML parts", seen)
	}
}
