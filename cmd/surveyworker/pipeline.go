package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/schedules"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// readFlags are the flags that say how exports are read: a mapping for
// every file, the worksheet to read and the text encoding forced.
type readFlags struct {
	mapping, sheet, encoding string
}

// register adds --mapping, --sheet, --encoding, --inbox and --mappings to
// fs.
func (r *readFlags) register(fs *flag.FlagSet, a *app) {
	fs.StringVar(&r.mapping, "mapping", "", "mapping `file` applied to every FILE")
	fs.StringVar(&r.sheet, "sheet", "", "read the worksheet `name`d from every workbook (default: the mapping's sheet, else the first with data)")
	fs.Func("encoding", "read every CSV without a byte order mark in `encoding` utf-8 or windows-1252, whatever its bytes (for a file valid in neither; default: detect)", func(s string) error {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "utf-8", "utf8":
			r.encoding = "utf-8"
		case "windows-1252", "cp1252":
			r.encoding = "windows-1252"
		default:
			return errors.New("want utf-8 or windows-1252")
		}
		return nil
	})
	fs.StringVar(&a.cfg.Inbox, "inbox", a.cfg.Inbox, "inbox `dir` whose mappings folder applies (SURVEYWORKER_INBOX)")
	a.cfg.mappingsFlag(fs)
	a.cfg.partialFlag(fs)
}

// ingestOptions returns the ingester's options from configuration and r,
// reading the mapping file r names against cat; the HMAC key is left to
// the caller.
func (a *app) ingestOptions(cat *survey.Catalogue, r readFlags) (ingest.Options, error) {
	var m *ingest.Mapping
	if r.mapping != "" {
		var err error
		if m, err = ingest.LoadMapping(r.mapping, cat); err != nil {
			return ingest.Options{}, err
		}
	}
	partial, err := ingest.ParsePartial(a.cfg.Partial)
	if err != nil {
		return ingest.Options{}, fmt.Errorf("partial %q: %w", a.cfg.Partial, err) // Validate has checked it
	}
	return ingest.Options{Catalogue: cat, Logger: a.log, Location: a.cfg.Location(),
		Mapping: m, MappingsDir: a.cfg.MappingsDir(), Sheet: r.sheet, Encoding: r.encoding, Partial: partial}, nil
}

// newReporter makes the reporters of progress; tests replace it to watch
// them.
var newReporter = progress.New

// progress returns where long work shows how far it has got: one line
// rewritten on stderr when stderr is a terminal, else a log line every few
// seconds. Either way stdout, which may be JSON, is left alone.
func (a *app) progress() *progress.Reporter {
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width, _, _ := term.GetSize(int(f.Fd()))
		return newReporter(progress.Config{Terminal: f, Width: width})
	}
	return a.progressLog()
}

// progressLog returns progress shown as log lines whatever stderr is.
func (a *app) progressLog() *progress.Reporter {
	return newReporter(progress.Config{Logger: a.log})
}

// ingester builds the file ingester on the database from configuration
// and r, showing each file's progress on p.
func (a *app) ingester(ctx context.Context, r readFlags, p *progress.Reporter) (*ingest.Ingester, error) {
	st, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	key, err := a.hmacKey()
	if err != nil {
		return nil, err
	}
	if err := a.checkHMACKey(ctx, key); err != nil {
		return nil, err
	}
	opts, err := a.ingestOptions(a.cat, r)
	if err != nil {
		return nil, err
	}
	opts.HMACKey, opts.Progress = key, p
	return ingest.New(st, opts), nil
}

// smtp maps configuration onto the mailer's settings.
func (a *app) smtp() report.SMTPConfig {
	return report.SMTPConfig{
		Host:     a.cfg.SMTPHost,
		Port:     a.cfg.SMTPPort,
		Username: a.cfg.SMTPUsername,
		Password: a.cfg.SMTPPassword,
		From:     a.cfg.SMTPFrom,
		TLS:      report.TLSPolicy(a.cfg.SMTPTLS),
		Timeout:  a.cfg.SMTPTimeout,
	}
}

// cycle builds the full pipeline cycle from configuration, showing the
// progress of its files and rankings on p.
func (a *app) cycle(ctx context.Context, p *progress.Reporter) (*schedules.Cycle, error) {
	in, err := a.ingester(ctx, readFlags{}, p)
	if err != nil {
		return nil, err
	}
	if err := mustExistDir(a.cfg.Inbox, true); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	rank := a.rankOptions()
	rank.Progress = p
	return &schedules.Cycle{
		Store:         a.st,
		Ingester:      in,
		Catalogue:     a.cat,
		Rank:          rank,
		PracticesFile: a.cfg.Practices,
		InboxDir:      a.cfg.Inbox,
		OutDir:        a.cfg.Out,
		LeadsFile:     a.cfg.Leads,
		SendUnchanged: a.cfg.SendUnchanged,
		SMTP:          a.smtp(),
		Location:      a.cfg.Location(),
		Logger:        a.log,
		Settle:        a.cfg.Settle,
		Parallel:      a.cfg.Parallel,
	}, nil
}

func pipelineFlags(fs *flag.FlagSet, a *app) {
	fs.StringVar(&a.cfg.Inbox, "inbox", a.cfg.Inbox, "watched `dir` of survey exports (SURVEYWORKER_INBOX)")
	fs.StringVar(&a.cfg.Out, "out", a.cfg.Out, "`dir` for workbooks and outbox/*.eml (SURVEYWORKER_OUT)")
	fs.StringVar(&a.cfg.Practices, "practices", a.cfg.Practices, "practice registry CSV `file` imported first (SURVEYWORKER_PRACTICES)")
	fs.StringVar(&a.cfg.Leads, "leads", a.cfg.Leads, "recipients `file`, CSV (name,email[,federations]) or YAML; none means no e-mail (SURVEYWORKER_LEADS)")
	a.cfg.sendUnchangedFlag(fs)
	fs.DurationVar(&a.cfg.Settle, "settle", a.cfg.Settle, "how long an inbox file must stop changing before it is read (SURVEYWORKER_SETTLE)")
	fs.IntVar(&a.cfg.Parallel, "parallel", a.cfg.Parallel, "inbox files read at once (SURVEYWORKER_PARALLEL)")
	fs.DurationVar(&a.cfg.Lease, "lease", a.cfg.Lease, "how long a claim on an inbox file lasts unless renewed (SURVEYWORKER_LEASE)")
	a.cfg.mappingsFlag(fs)
	a.cfg.partialFlag(fs)
}

func cmdRun() command {
	return command{
		name:    "run",
		summary: "one full cycle: ingest, rank, write the workbook, e-mail it",
		examples: []string{
			"surveyworker run",
			"surveyworker run --inbox /srv/surveys/inbox --out /srv/surveys/out",
			"surveyworker run --practices practices.csv --leads leads.csv",
		},
		help: `Every ready file in the inbox is ingested: loaded files move to INBOX/archive/,
rejected ones to INBOX/quarantine/ with a .reason.txt beside them. The ranking
is recomputed and stored, the workbook written to OUT/roadmap-DATE-runN.xlsx
and sent to every lead (or written to OUT/outbox/*.eml when no SMTP host is
configured). A lead of federations (the leads file's federations column) gets
their federation's view, written beside it as roadmap-DATE-runN-FEDERATION.xlsx.
A lead is sent nothing when nothing changed since the last report they
received (--send-unchanged sends anyway), and no one is sent a ranking that
rests on no matched practice. The exit status is 0 when the cycle completed,
even if some files were quarantined, and 1 when a file could not be read for
a reason that is not its content (it stays in the inbox). A file changed
within --settle is watched until it has stopped changing; one still being
written is left for the next run.`,
		flags: pipelineFlags,
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"run takes no arguments; did you mean 'surveyworker ingest FILE...'?"}
			}
			c, err := a.cycle(ctx, a.progress())
			if err != nil {
				return err
			}
			snd, err := a.sender()
			if err != nil {
				return err
			}
			var res schedules.CycleResult
			svc, err := schedules.NewService(schedules.ServiceConfig{
				Store: a.st, Logger: a.log, Location: a.cfg.Location(), Pipeline: c, Lease: a.cfg.Lease,
				Cycle:   a.runCycle(c, &res),
				Deliver: a.deliver(snd),
			})
			if err != nil {
				return err
			}
			err = svc.RunCycle(ctx, schedules.TriggerManual)
			if errors.Is(err, schedules.ErrSkipped) {
				return errors.New("another cycle is running against this database; try again when it has finished")
			}
			// RunCycle has sent what the cycle queued, and anything an
			// earlier run left pending, once the pipeline lock was released.
			if len(res.ReportKeys) > 0 {
				res.Deliveries, _ = report.Deliveries(ctx, a.st, res.ReportKeys...)
			}
			printCycle(a, res)
			return err
		},
	}
}

func cmdServe() command {
	return command{
		name:    "serve",
		summary: "the long-lived worker: nightly cycle and watched inbox",
		examples: []string{
			"surveyworker serve --http :8080",
			`surveyworker serve --schedule "30 6 * * 1-5" --time-zone Europe/London`,
			"surveyworker serve --inbox /data/inbox --out /data/out --catch-up 0",
		},
		help: `The full cycle (see 'surveyworker run --help') runs on the cron schedule in
the configured time zone; overlapping runs are skipped and recorded. Files
dropped into the inbox are ingested once they have stopped growing, and the
ranking is recomputed; the workbook and e-mail wait for the scheduled cycle.
SIGTERM or SIGINT finishes the files in hand and exits 0; a second signal
exits at once (a file's load rolls back and stays in the inbox). At
start-up, a scheduled cycle missed while serve was down (within --catch-up)
runs once.

Several serve processes may share the database and the inbox: each file is
claimed by one of them (a lease of --lease, renewed while it is read), and
each scheduled cycle runs on one. The practice registry (--practices) is
imported at start-up, before any file is read, and again when it changes;
answers stored without a practice are then matched again. New responses are
ranked once the inbox is quiet, at most once per --rerank-interval. --http
serves /healthz, /readyz and /metrics (see docs/OPERATIONS.md).

With a users file (--users; see 'surveyworker users add --help'), --http also
serves the web interface: sign in, upload exports into the inbox, the files,
the latest ranking and the runs. Serve it on loopback, or behind a proxy
that terminates TLS.

Schedules: 5 fields ("0 2 * * *", nightly at 02:00), 6 with leading seconds
("*/30 * * * * *"), or descriptors ("@daily", "@every 1h").`,
		flags: func(fs *flag.FlagSet, a *app) {
			pipelineFlags(fs, a)
			fs.StringVar(&a.cfg.Schedule, "schedule", a.cfg.Schedule, "cron `spec` of the full cycle (SURVEYWORKER_SCHEDULE)")
			fs.StringVar(&a.cfg.TimeZone, "time-zone", a.cfg.TimeZone, "IANA `zone` of the schedule (SURVEYWORKER_TIME_ZONE)")
			fs.StringVar(&a.cfg.HTTP, "http", a.cfg.HTTP, "listen `addr` for /healthz, /readyz, /metrics and the web interface, e.g. :8080 (SURVEYWORKER_HTTP)")
			fs.DurationVar(&a.cfg.RerankInterval, "rerank-interval", a.cfg.RerankInterval, "least time between two rankings of new responses (SURVEYWORKER_RERANK_INTERVAL)")
			fs.DurationVar(&a.cfg.CatchUp, "catch-up", a.cfg.CatchUp, "at start-up, run a scheduled cycle missed within this long; 0 turns it off (SURVEYWORKER_CATCH_UP)")
			webFlags(fs, a)
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"serve takes no arguments"}
			}
			err := serve(ctx, a)
			if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
				// Stopped while starting: nothing was in hand.
				a.log.Info("stopped before serving", slog.String("reason", err.Error()))
				return nil
			}
			return err
		},
	}
}

func serve(ctx context.Context, a *app) error {
	if err := a.checkWeb(); err != nil {
		return err
	}
	// A daemon's stderr is a log, and the lines its other goroutines log
	// would break into a line being rewritten, so progress is logged even
	// on a terminal.
	c, err := a.cycle(ctx, a.progressLog())
	if err != nil {
		return err
	}
	snd, err := a.sender()
	if err != nil {
		return err
	}
	// reg is what /metrics serves; other parts register their collectors
	// on it too.
	reg := schedules.NewRegistry()
	if err := a.deliveryMetrics().Register(reg); err != nil {
		return err
	}
	svc, err := schedules.NewService(schedules.ServiceConfig{
		Store: a.st, Logger: a.log, Spec: a.cfg.Schedule, Location: a.cfg.Location(),
		Pipeline:       c,
		Cycle:          a.runCycle(c, nil),
		Deliver:        a.deliver(snd),
		Settle:         a.cfg.Settle,
		Lease:          a.cfg.Lease,
		Parallel:       a.cfg.Parallel,
		RerankInterval: a.cfg.RerankInterval,
		HTTPAddr:       a.cfg.HTTP,
		Registry:       reg,
		CatchUp:        cmp.Or(a.cfg.CatchUp, -1),
	})
	if err != nil {
		return err
	}
	if err := a.mountWeb(svc.Mux(), svc.Next); err != nil {
		return err
	}
	a.log.Info("serving", slog.String("inbox", a.cfg.Inbox), slog.String("schedule", a.cfg.Schedule),
		slog.String("time_zone", a.cfg.TimeZone), slog.Time("next_run", svc.Next(time.Now())))
	return svc.Run(ctx)
}

func cmdIngest() command {
	var asJSON bool
	var read readFlags
	return command{
		name:    "ingest",
		args:    "FILE...",
		summary: "load survey exports into the database",
		examples: []string{
			"surveyworker ingest responses.csv",
			"surveyworker ingest --mapping autumn.yaml autumn-export.xlsx",
			"surveyworker ingest --encoding windows-1252 resaved.csv",
			`surveyworker ingest --json --sheet "Form responses 1" forms.xlsx`,
		},
		files: allArgs,
		help: `Each file is detected from its headers, loaded in one transaction or not at
all, and skipped when the same bytes were loaded before. A rejected file's
reason is printed on stderr with its file, row and column, and the exit
status is 1. Files are read where they are, never moved; 'run' and 'serve'
move inbox files to archive/ or quarantine/.

A mapping file (see 'surveyworker inspect --help') says what the columns of
one survey's export are. --mapping applies one to every file named; without
it, the mapping files of the mappings folder apply to the files they fit.

A CSV file valid in no supported encoding (often one re-saved twice by a
spreadsheet) is rejected with the offset of its first bad byte; after
looking at it with 'surveyworker inspect', --encoding utf-8 or
--encoding windows-1252 reads it so, a byte that fits no character
replaced, with an encoding_forced warning.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.BoolVar(&asJSON, "json", false, "print one JSON result per file")
			read.register(fs, a)
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) == 0 {
				return usageError{"name at least one FILE to ingest"}
			}
			in, err := a.ingester(ctx, read, a.progress())
			if err != nil {
				return err
			}
			var results []ingest.Result
			rejected := 0
			for _, p := range args {
				res, err := in.IngestFile(ctx, p)
				results = append(results, res)
				var rej *ingest.RejectError
				switch {
				case errors.As(err, &rej):
					rejected++
					fmt.Fprintf(a.stderr, "rejected: %s\n", err)
				case err != nil:
					return err
				}
			}
			if asJSON {
				if err := printJSON(a, results); err != nil {
					return err
				}
			} else {
				printFiles(a, results)
			}
			if rejected > 0 {
				return exitError{exitFailure, fmt.Errorf("%d of %d files rejected", rejected, len(args))}
			}
			return nil
		},
	}
}

func cmdPracticesImport() command {
	return command{
		name:    "practices import",
		args:    "FILE",
		summary: "load the practice registry (CSV or NHS epraccur.csv)",
		examples: []string{
			"surveyworker practices import practices.csv",
			"surveyworker practices import epraccur.csv",
		},
		files: allArgs,
		help: `The header names the columns, in any order: ods_code, name and federation are
required; list_size, postcode and aliases (separated by ';') are optional.
The NHS ODS file epraccur.csv (no header, 27 columns) is also accepted: only
active GP practices are imported, with their commissioner code as federation.
Practices are upserted by ODS code, so importing the same file twice changes
nothing. A bad row rejects the whole file with its line number. Respondents
stored without a practice (their answer matched none, or several) are then
matched again, so a new alias takes effect without loading anything again.`,
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) != 1 {
				return usageError{"name exactly one registry FILE"}
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			reg, err := ingest.ReadRegistry(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			st, err := a.open(ctx)
			if err != nil {
				return err
			}
			n, err := st.UpsertPractices(ctx, reg.Practices)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "imported %d practices from %s\n", n, filepath.Base(args[0]))
			rematched, err := ingest.RematchPractices(ctx, st)
			if err != nil {
				return err
			}
			if rematched > 0 {
				fmt.Fprintf(a.stdout, "matched %d stored respondents to their practice\n", rematched)
			}
			if reg.Inactive > 0 || reg.NotGP > 0 {
				fmt.Fprintf(a.stdout, "skipped %d inactive practices and %d that are not GP practices\n", reg.Inactive, reg.NotGP)
			}
			return nil
		},
	}
}

// recomputeTotals recomputes the survey totals from the stored answers
// and says what it found: on stderr when the ranking is printed as JSON.
func recomputeTotals(ctx context.Context, a *app, st *store.Store, asJSON bool) error {
	c, err := st.RecomputeTotals(ctx)
	if err != nil {
		return err
	}
	w := a.stdout
	if asJSON {
		w = a.stderr
	}
	if c.Equal() {
		fmt.Fprintf(w, "recomputed the survey totals from %d answers: all %d rows equal the stored ones\n", c.Answers, c.Rows)
		return nil
	}
	fmt.Fprintf(w, "recomputed the survey totals from %d answers: %d of %d rows differed from the stored ones and were replaced\n",
		c.Answers, c.Differing, c.Rows)
	return nil
}

// rankOptions returns the ranking options from configuration.
func (a *app) rankOptions() analysis.Options {
	opts := analysis.DefaultOptions()
	opts.WeightByListSize = a.cfg.WeightByListSize
	return opts
}

func cmdRank() command {
	var asJSON, save, recompute bool
	var weights, criteria string
	var resamples int
	var seed uint64
	return command{
		name:    "rank",
		summary: "recompute the workstream ranking and print it",
		examples: []string{
			"surveyworker rank",
			"surveyworker rank --weight-by-list-size --json",
			"surveyworker rank --weights survey=0.6,impact=0.2,dependencies=0.2",
			"surveyworker rank --recompute",
		},
		help: `The ranking is stored as a new ranking run unless --weights or --criteria
makes it a what-if run, which is only stored with --save. Each row shows the
90% bootstrap interval of its score, its rank range and the probability of its
tier, and its movement since the latest stored run. See docs/METHOD.md.

A criteria file (CSV with a header, or YAML) overrides the workshop criteria
of the workstreams it names: workstream (the ID), mandated and gpfv (yes/no),
impact (1-5) and optionally considered_with (IDs separated by ';').

The ranking reads the survey totals each load keeps per file, not the
answers. --recompute first computes the totals again from every stored
answer, says whether they equalled the stored ones (they should, exactly)
and replaces them if not; it reads every answer, so it takes as long as
the answers are many.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.BoolVar(&asJSON, "json", false, "print the rows as a JSON array")
			fs.StringVar(&weights, "weights", "", "what-if `weights`, e.g. survey=0.4,impact=0.25,gpfv=0.15,dependencies=0.2,mandated=0")
			fs.StringVar(&criteria, "criteria", "", "what-if workshop criteria `file` (CSV or YAML)")
			fs.BoolVar(&save, "save", false, "store a what-if ranking too")
			fs.BoolVar(&recompute, "recompute", false, "recompute the survey totals from the stored answers first, and check them")
			fs.IntVar(&resamples, "resamples", analysis.DefaultResamples, fmt.Sprintf("bootstrap resamples (at least %d)", analysis.MinResamples))
			fs.Uint64Var(&seed, "seed", analysis.DefaultSeed, "bootstrap `seed`")
			fs.BoolVar(&a.cfg.WeightByListSize, "weight-by-list-size", a.cfg.WeightByListSize,
				"weight practices by registered list size instead of one practice, one vote (SURVEYWORKER_WEIGHT_BY_LIST_SIZE)")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"rank takes no arguments"}
			}
			opts := a.rankOptions()
			opts.Resamples, opts.Seed = resamples, seed
			if resamples < analysis.MinResamples {
				return usageError{fmt.Sprintf("--resamples %d: want at least %d", resamples, analysis.MinResamples)}
			}
			if weights != "" {
				w, err := analysis.ParseWeights(weights)
				if err != nil {
					return usageError{err.Error()}
				}
				opts.Weights = w
			}
			if weights == "" && criteria == "" {
				save = true
			} else {
				opts.WhatIf = true
			}
			st, err := a.open(ctx)
			if err != nil {
				return err
			}
			if recompute {
				if err := recomputeTotals(ctx, a, st, asJSON); err != nil {
					return err
				}
			}
			cat := a.cat
			if criteria != "" {
				if cat, err = analysis.LoadCriteria(criteria, cat); err != nil {
					return usageError{err.Error()}
				}
				opts.Criteria = criteria
			}
			opts.Progress = a.progress()
			r, err := analysis.Run(ctx, st, cat, opts, save)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(a, r.Rows)
			}
			printRanking(a, r)
			return nil
		},
	}
}

func cmdReport() command {
	var out string
	var email bool
	return command{
		name:    "report",
		summary: "write the workbook from the latest ranking; --email sends it",
		examples: []string{
			"surveyworker report --out out/roadmap.xlsx",
			"surveyworker report --out out/roadmap.xlsx --email --leads leads.csv",
		},
		help: `Uses the latest stored ranking (computing one first if there is none). With
--email, each lead in the leads file receives the workbook at most once per
ranking run, however often the command is repeated: a lead of federations
their federation's view (written beside FILE), and nothing when nothing
changed since the last report they received, unless --send-unchanged.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.StringVar(&out, "out", "", "workbook `file` to write (required), e.g. out/roadmap.xlsx")
			fs.BoolVar(&email, "email", false, "send the workbook to the leads")
			fs.StringVar(&a.cfg.Leads, "leads", a.cfg.Leads, "recipients `file`, CSV or YAML (SURVEYWORKER_LEADS)")
			a.cfg.sendUnchangedFlag(fs)
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if out == "" || len(args) > 0 {
				return usageError{"--out FILE.xlsx is required"}
			}
			return writeReport(ctx, a, out, email)
		},
	}
}

func writeReport(ctx context.Context, a *app, out string, email bool) error {
	if email && a.cfg.Leads == "" {
		return usageError{"--email needs a leads file (--leads or SURVEYWORKER_LEADS)"}
	}
	st, err := a.open(ctx)
	if err != nil {
		return err
	}
	snd, err := a.sender()
	if err != nil {
		return err
	}
	c := &schedules.Cycle{Store: st, Catalogue: a.cat, Rank: a.rankOptions(), InboxDir: a.cfg.Inbox,
		OutDir: filepath.Dir(out), LeadsFile: a.cfg.Leads, SendUnchanged: a.cfg.SendUnchanged, SMTP: a.smtp(),
		Location: a.cfg.Location(), Logger: a.log, Sender: snd}
	p, err := c.Publish(ctx, out, email)
	if _, serr := os.Stat(out); serr == nil && p.Ranking.RunID != 0 {
		fmt.Fprintf(a.stdout, "workbook: %s\n", out)
	}
	if email {
		printMailing(a, p.Mailing)
	}
	return err
}
