package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/surveyworker/surveyworker/schedules"
	"github.com/surveyworker/surveyworker/store"
)

// runView is one job run as 'runs --json' prints it.
type runView struct {
	ID           int64      `json:"id"`
	Job          string     `json:"job"`
	Trigger      string     `json:"trigger"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	StartedAt    time.Time  `json:"started_at"`
	// DurationSeconds is empty while the run is in progress.
	DurationSeconds *float64 `json:"duration_seconds"`
	Status          string   `json:"status"`
	FilesLoaded     int      `json:"files_loaded"`
	FilesSkipped    int      `json:"files_skipped"`
	FilesRejected   int      `json:"files_rejected"`
	RankingRunID    int64    `json:"ranking_run_id,omitempty"`
	ReportPath      string   `json:"report_path,omitempty"`
	Notes           string   `json:"notes,omitempty"`
	Error           string   `json:"error,omitempty"`
}

func viewRun(r store.JobRun) runView {
	v := runView{ID: r.ID, Job: r.Job, Trigger: r.Trigger, ScheduledFor: r.ScheduledFor, StartedAt: r.StartedAt,
		Status: r.Status, FilesLoaded: r.FilesLoaded, FilesSkipped: r.FilesSkipped, FilesRejected: r.FilesRejected,
		RankingRunID: r.RankingRunID, ReportPath: r.ReportPath, Notes: r.Notes, Error: r.Error}
	if r.FinishedAt != nil {
		d := r.FinishedAt.Sub(r.StartedAt).Seconds()
		v.DurationSeconds = &d
	}
	return v
}

func cmdRuns() command {
	var asJSON bool
	var limit int
	var job string
	return command{
		name:    "runs",
		summary: "list the last job runs: cycles, files, rankings",
		examples: []string{
			"surveyworker runs",
			"surveyworker runs --limit 50 --job cycle",
			"surveyworker runs --json",
		},
		help: `Every run of every replica is recorded in the database: the nightly cycle
(job cycle), each watched inbox file (ingest), each ranking of new responses
(rank) and each import of the practice registry (practices). Each line shows
the job, what started it (schedule, catch-up, watch, manual, start), when it
started, how long it took, how it ended (succeeded, failed, skipped, or
running), the files loaded, skipped and rejected, and the error, or notes on
what else it did: entries of the inbox it did not read (symbolic links,
files still being written) and answers re-matched to practices.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.BoolVar(&asJSON, "json", false, "print the runs as a JSON array")
			fs.IntVar(&limit, "limit", 20, "show the last `n` runs")
			fs.StringVar(&job, "job", "", "show only the runs of `job` (cycle, ingest, rank, practices)")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"runs takes no arguments"}
			}
			if limit < 1 {
				return usageError{fmt.Sprintf("--limit %d: want at least 1", limit)}
			}
			st, err := a.open(ctx)
			if err != nil {
				return err
			}
			runs, err := st.JobRuns(ctx, job, limit)
			if err != nil {
				return err
			}
			views := make([]runView, 0, len(runs))
			for _, r := range runs {
				views = append(views, viewRun(r))
			}
			if asJSON {
				return printJSON(a, views)
			}
			printRuns(a, views)
			return nil
		},
	}
}

// printRuns writes runs as an aligned table, newest first.
func printRuns(a *app, runs []runView) {
	if len(runs) == 0 {
		fmt.Fprintln(a.stdout, "no runs recorded yet")
		return
	}
	loc := a.cfg.Location()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJOB\tTRIGGER\tSTARTED\tDURATION\tSTATUS\tFILES\tERROR / NOTES")
	for _, r := range runs {
		took := "-"
		if r.DurationSeconds != nil {
			took = (time.Duration(*r.DurationSeconds * float64(time.Second))).Round(time.Millisecond).String()
		}
		files := fmt.Sprintf("%d loaded, %d skipped, %d rejected", r.FilesLoaded, r.FilesSkipped, r.FilesRejected)
		text := r.Error
		if r.Notes != "" {
			text = strings.TrimPrefix(text+"; "+r.Notes, "; ")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, r.Trigger,
			r.StartedAt.In(loc).Format("2006-01-02 15:04:05 MST"), took, r.Status, files, oneLine(text))
	}
	tw.Flush()
}

// oneLine keeps the first line of s, for a table cell.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func cmdSchedules() command {
	var count int
	return command{
		name:    "schedules",
		summary: "show each job, its schedule and its next fire times",
		examples: []string{
			"surveyworker schedules",
			`surveyworker schedules --schedule "30 1 * * *" --time-zone Europe/London`,
		},
		help: `For each job serve runs: its schedule (a cron spec for the cycle, the event
that starts the others), the time zone, whether it is enabled with the
configuration given, and for the cycle its next fire times. Nothing is
started: no database is needed. Daylight saving is applied as serve applies
it: a slot in the spring-forward gap fires once at the end of the gap, and a
slot in the repeated autumn hour fires once.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.StringVar(&a.cfg.Schedule, "schedule", a.cfg.Schedule, "cron `spec` of the full cycle (SURVEYWORKER_SCHEDULE)")
			fs.StringVar(&a.cfg.TimeZone, "time-zone", a.cfg.TimeZone, "IANA `zone` of the schedule (SURVEYWORKER_TIME_ZONE)")
			fs.StringVar(&a.cfg.Practices, "practices", a.cfg.Practices, "practice registry `file` (SURVEYWORKER_PRACTICES)")
			fs.IntVar(&count, "next", 5, "show the next `n` fire times")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"schedules takes no arguments"}
			}
			sched, err := schedules.ParseSchedule(a.cfg.Schedule, a.cfg.Location())
			if err != nil {
				return err
			}
			printSchedules(a, sched, count)
			return nil
		},
	}
}

// printSchedules lists the jobs of serve with when each runs.
func printSchedules(a *app, sched *schedules.Schedule, count int) {
	zone := sched.Location().String()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tZONE\tENABLED\tNEXT")
	var next []string
	t := time.Now()
	for range count {
		if t = sched.Next(t); t.IsZero() {
			break
		}
		next = append(next, t.Format("2006-01-02 15:04:05 MST"))
	}
	first := "-"
	if len(next) > 0 {
		first = next[0]
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", schedules.JobCycle, a.cfg.Schedule, zone, "yes", first)
	for _, n := range next[min(1, len(next)):] {
		fmt.Fprintf(tw, "\t\t\t\t%s\n", n)
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", schedules.JobIngest,
		fmt.Sprintf("each inbox file, once unchanged for %s", a.cfg.Settle), "-", "yes", "-")
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", schedules.JobRank,
		fmt.Sprintf("after new responses, at most every %s", a.cfg.RerankInterval), "-", "yes", "-")
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", schedules.JobPractices,
		"at start-up and when the registry file changes", "-", yesNo(a.cfg.Practices != ""), "-")
	tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
