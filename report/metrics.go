package report

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/surveyworker/surveyworker/store"
)

// Metrics are the e-mail delivery's Prometheus metrics:
//
//   - surveyworker_outbox_messages{state}: e-mails in the outbox by state
//     (pending, sent, failed, superseded), read from the database at each
//     scrape, so every replica reports the same shared outbox;
//   - surveyworker_outbox_oldest_pending_age_seconds: how long the oldest
//     pending e-mail has waited, 0 when none does;
//   - surveyworker_emails_sent_total: e-mails this process delivered;
//   - surveyworker_emails_expired_total: e-mails this process gave up for
//     their age;
//   - surveyworker_smtp_errors_total{class}: failed send attempts of this
//     process by class (temporary, permanent, connection, relay; see
//     [ErrClassTemporary] and the others).
//
// Register them with [Metrics.Register] and hand them to the [Sender] in
// [SenderConfig].Metrics. A nil *Metrics counts nothing.
type Metrics struct {
	store   *store.Store
	now     func() time.Time
	outbox  *prometheus.Desc
	oldest  *prometheus.Desc
	sentN   prometheus.Counter
	expireN prometheus.Counter
	errors  *prometheus.CounterVec
}

var _ prometheus.Collector = (*Metrics)(nil)

// NewMetrics returns the delivery metrics of the outbox in st. now is the
// clock for the oldest pending e-mail's age; nil means time.Now.
func NewMetrics(st *store.Store, now func() time.Time) *Metrics {
	m := &Metrics{
		store: st,
		now:   nowFunc(now),
		outbox: prometheus.NewDesc("surveyworker_outbox_messages",
			"E-mails in the outbox by state: pending, sent, failed or superseded.", []string{"state"}, nil),
		oldest: prometheus.NewDesc("surveyworker_outbox_oldest_pending_age_seconds",
			"How long the oldest pending e-mail has waited since it was queued; 0 when none is pending.", nil, nil),
		sentN: prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyworker_emails_sent_total",
			Help: "E-mails this process handed to the SMTP relay or wrote as .eml files."}),
		expireN: prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyworker_emails_expired_total",
			Help: "E-mails this process gave up because they stayed undelivered for the maximum delivery age."}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyworker_smtp_errors_total",
			Help: "Failed SMTP send attempts of this process by class: temporary, permanent, connection or relay."},
			[]string{"class"}),
	}
	for _, c := range errorClasses {
		m.errors.WithLabelValues(c)
	}
	return m
}

// Register registers the metrics with r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	return r.Register(m)
}

// Describe implements [prometheus.Collector].
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.outbox
	ch <- m.oldest
	m.sentN.Describe(ch)
	m.expireN.Describe(ch)
	m.errors.Describe(ch)
}

// Collect implements [prometheus.Collector]. The outbox gauges are read
// from the database within a few seconds; when it does not answer they are
// reported as invalid, which fails the scrape of them rather than showing
// stale numbers.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.sentN.Collect(ch)
	m.expireN.Collect(ch)
	m.errors.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := m.store.OutboxState(ctx)
	if err != nil {
		err = errors.Join(errors.New("report: outbox metrics"), err)
		ch <- prometheus.NewInvalidMetric(m.outbox, err)
		ch <- prometheus.NewInvalidMetric(m.oldest, err)
		return
	}
	for state, n := range map[string]int{store.OutboxPending: st.Pending, store.OutboxSent: st.Sent,
		store.OutboxFailed: st.Failed, store.OutboxSuperseded: st.Superseded} {
		ch <- prometheus.MustNewConstMetric(m.outbox, prometheus.GaugeValue, float64(n), state)
	}
	age := 0.0
	if !st.OldestPending.IsZero() {
		age = max(m.now().Sub(st.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, age)
}

func (m *Metrics) sent(out store.SendOutcome) {
	if m != nil && out.Status == store.OutboxSent {
		m.sentN.Inc()
	}
}

func (m *Metrics) expired(n int) {
	if m != nil && n > 0 {
		m.expireN.Add(float64(n))
	}
}

func (m *Metrics) smtpError(class string) {
	if m != nil {
		m.errors.WithLabelValues(class).Inc()
	}
}
