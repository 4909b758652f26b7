package report

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/surveyworker/surveyworker/internal/smtptest"
)

// gather registers m on a new registry and returns what a scrape gets.
func gather(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// checkGauges checks surveyworker_outbox_messages by state.
func checkGauges(t *testing.T, m *Metrics, want map[string]float64) {
	t.Helper()
	got := map[string]float64{}
	for _, mt := range gather(t, m)["surveyworker_outbox_messages"].GetMetric() {
		got[mt.GetLabel()[0].GetValue()] = mt.GetGauge().GetValue()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("surveyworker_outbox_messages (-want +got):\n%s", diff)
	}
}

// counterValue returns the counter name, with the single label value
// label ("" for none).
func counterValue(t *testing.T, m *Metrics, name, label string) float64 {
	t.Helper()
	for _, mt := range gather(t, m)[name].GetMetric() {
		if len(mt.GetLabel()) == 0 || mt.GetLabel()[0].GetValue() == label {
			return mt.GetCounter().GetValue()
		}
	}
	t.Fatalf("no %s{%q}", name, label)
	return 0
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RejectRecipient("roadmap@example.org", 550)
	srv.RejectRecipient("practice-manager@example.nhs.uk", 452)
	b := setupDeliver(t, plainSMTP(srv))
	m := NewMetrics(b.st, b.clock.Now)
	b.cfg.Metrics = m
	ctx := context.Background()
	if _, err := Queue(ctx, b.st, b.queue); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(90 * time.Second)
	if _, err := b.sender(t).DeliverPending(ctx); err != nil {
		t.Fatal(err)
	}
	checkGauges(t, m, map[string]float64{"pending": 1, "sent": 1, "failed": 1, "superseded": 0})
	if got := gather(t, m)["surveyworker_outbox_oldest_pending_age_seconds"].GetMetric()[0].GetGauge().GetValue(); got != 90 {
		t.Errorf("oldest pending age %v, want 90", got)
	}
	for class, want := range map[string]float64{"permanent": 1, "temporary": 1, "connection": 0, "relay": 0} {
		if got := counterValue(t, m, "surveyworker_smtp_errors_total", class); got != want {
			t.Errorf("smtp errors %s = %v, want %v", class, got, want)
		}
	}
	if got := counterValue(t, m, "surveyworker_emails_sent_total", ""); got != 1 {
		t.Errorf("sent = %v, want 1", got)
	}
}

func TestMetricsDatabaseDown(t *testing.T) {
	t.Parallel()
	b := setupDeliver(t, SMTPConfig{})
	m := NewMetrics(b.st, nil)
	b.st.Close()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err == nil {
		t.Error("scrape with the database closed succeeded, want the outbox gauges to fail it")
	}
}
