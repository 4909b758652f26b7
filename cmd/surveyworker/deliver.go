package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/schedules"
)

// sender returns the outbox sender from configuration, made once: the one
// way run, serve and report --email send e-mail. It needs the database
// open.
func (a *app) sender() (*report.Sender, error) {
	if a.snd != nil {
		return a.snd, nil
	}
	s, err := report.NewSender(report.SenderConfig{
		Store:     a.st,
		SMTP:      a.smtp(),
		OutboxDir: filepath.Join(a.cfg.Out, "outbox"),
		MaxAge:    a.cfg.DeliveryMaxAge,
		Metrics:   a.deliveryMetrics(),
		Logger:    a.log,
	})
	if err != nil {
		return nil, err
	}
	a.snd = s
	return s, nil
}

// deliveryMetrics returns the metrics of e-mail delivery, made once, for
// the sender to count on and a metrics registry to serve.
func (a *app) deliveryMetrics() *report.Metrics {
	if a.mailMetrics == nil {
		a.mailMetrics = report.NewMetrics(a.st, nil)
	}
	return a.mailMetrics
}

// deliver returns the service's delivery pass: the due e-mail sent once
// through s, outside the pipeline lock.
func (a *app) deliver(s *report.Sender) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := s.DeliverPending(ctx)
		return err
	}
}

// runCycle returns the cycle as the service runs it: c.Run, whose result
// goes to *res when res is set, then, when it failed, a message queued
// for the operator (once per run of failures). The e-mail it queues is
// sent by the caller, once the pipeline lock is released.
func (a *app) runCycle(c *schedules.Cycle, res *schedules.CycleResult) func(ctx context.Context, trigger string) error {
	return func(ctx context.Context, trigger string) error {
		r, err := c.Run(ctx, trigger)
		if res != nil {
			*res = r
		}
		if err != nil {
			a.alertOperator(ctx, err)
		}
		return err
	}
}

// alertOperator queues the e-mail telling the operator that the cycle run
// of ctx failed with err, unless one was queued for the same run of
// failures or no operator is configured.
func (a *app) alertOperator(ctx context.Context, err error) {
	run := schedules.RunFromContext(ctx)
	if a.cfg.Operator == "" || run == nil {
		return
	}
	// The run may have failed because its context ended; the alert is
	// still queued.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	queued, qerr := report.QueueFailureAlert(actx, a.st, report.FailureAlert{
		Operator: a.cfg.Operator, Job: run.Job, JobRunID: run.ID, Err: err,
		From: a.cfg.SMTPFrom, Location: a.cfg.Location(),
	})
	switch {
	case qerr != nil:
		a.log.ErrorContext(ctx, "queueing the operator's failure e-mail", slog.String("error", qerr.Error()))
	case queued:
		a.log.InfoContext(ctx, "queued a failure e-mail for the operator", slog.String("operator", a.cfg.Operator),
			slog.Int64("run_id", run.ID))
	}
}
