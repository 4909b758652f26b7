// Package schedules runs surveyworker as a long-lived service: a cron
// schedule that runs the full cycle (ingest, rank, report, e-mail), a
// watcher that hands each new inbox file to a handler once it has stopped
// growing, the job-run records in the database, and an HTTP health check.
//
// The cycle and the file handler are plain functions, so this package runs
// them without knowing what they do. They never run at the same time: one
// in-process slot and a PostgreSQL advisory lock serialise them within a
// process and across replicas. A run that finds the other replica busy is
// recorded as skipped.
//
// Schedules are standard five-field cron specs (an optional leading seconds
// field is accepted), descriptors such as @daily or "@every 30s", in an
// explicit time zone. Fixed-time schedules are daylight-saving aware: a
// slot that falls in the spring-forward gap runs once, at the end of the
// gap, and a slot in the repeated autumn hour runs once, the first time.
package schedules
