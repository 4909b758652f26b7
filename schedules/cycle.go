package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Cycle is one full pass of the pipeline: import the practice registry (when
// configured), ingest every ready file in the inbox, rank, write the
// workbook and deliver it to the leads.
type Cycle struct {
	// Store is the database. Required.
	Store *store.Store
	// Ingester reads inbox files. Required.
	Ingester *ingest.Ingester
	// Catalogue is the workstream catalogue being ranked. Required.
	Catalogue *survey.Catalogue
	// Rank configures the ranking.
	Rank analysis.Options
	// PracticesFile, when set, is a registry CSV imported first, so edits to
	// it take effect at the next cycle.
	PracticesFile string
	// InboxDir is the folder of survey exports. Required.
	InboxDir string
	// OutDir receives workbooks and, with no SMTP host, outbox/*.eml. Required.
	OutDir string
	// LeadsFile is the recipients file (CSV or YAML, see
	// [report.ReadLeads]); empty means no e-mail is sent.
	LeadsFile string
	// SendUnchanged sends a lead the report even when nothing changed
	// since the last report they received.
	SendUnchanged bool
	// SMTP configures the mail relay; the cycle uses only From, the sender
	// of the e-mail it queues.
	SMTP report.SMTPConfig
	// Location is the time zone used in the workbook and e-mail.
	Location *time.Location
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Sender sends the e-mail [Cycle.Publish] queues; nil leaves it queued
	// for the next delivery pass. [Cycle.Run] never sends: the service does,
	// once the pipeline lock is released.
	Sender *report.Sender
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Settle is the quiet period: a file changed within it is watched
	// until it has stayed unchanged that long before it is read; zero
	// reads every file at once.
	Settle time.Duration
	// Parallel is how many inbox files are read at once; zero means
	// [DefaultParallel].
	Parallel int

	// files claims and reads inbox files; a [Service] built with this
	// cycle as its Pipeline shares its own, else Run makes one.
	files *fileWorker
	// clock paces the quiet period; nil means the real clock.
	clock clock
}

// CycleResult is what one cycle did.
type CycleResult struct {
	// Practices is the number of registry rows imported.
	Practices int
	// Files holds one result per inbox file, in name order.
	Files []ingest.Result
	// Rematched is the number of stored respondents matched to a practice
	// after the registry was imported.
	Rematched int
	// Passed lists the inbox entries not read, each with the reason: a
	// symbolic link, a file still being written.
	Passed []string
	// Ranking is the stored ranking.
	Ranking survey.Ranking
	// Workbook is the path of the workbook written.
	Workbook string
	// Mailing is what became of the e-mail to the leads.
	Mailing
}

// Mailing is what a cycle did about the leads' e-mail.
type Mailing struct {
	// Deliveries holds one entry per lead queued, as queued; empty when
	// no leads file is set or nothing was queued.
	Deliveries []report.Delivery
	// ReportKeys are the reports queued, one per federation view.
	ReportKeys []string
	// ViewWorkbooks are the workbooks written for the federation views
	// queued, beside the full one, in the order of ReportKeys.
	ViewWorkbooks []string
	// Unchanged are the leads sent nothing because nothing changed since
	// the last report they received.
	Unchanged []report.UnchangedLead
	// NotSent, when set, says why no e-mail was queued at all.
	NotSent string
}

// NoPracticesNotSent is why a ranking of no matched practice is not
// e-mailed: it would rank the workshop's criteria alone.
const NoPracticesNotSent = "not sent: the ranking rests on no matched practice; " +
	"import the practice registry (--practices) or add aliases"

// Run performs the cycle. Quarantined files do not fail it; an error means
// a step could not complete (database, disk, configuration), including a
// file that could not be read for a reason other than its content: the
// cycle then stops before ranking, so that no lead is sent a ranking that
// leaves out data waiting in the inbox. The e-mail to the leads is queued,
// not sent: sending is left to [report.Sender.DeliverPending], outside the
// pipeline lock.
func (c *Cycle) Run(ctx context.Context, trigger string) (CycleResult, error) {
	var res CycleResult
	log := c.logger()
	if err := c.importPractices(ctx, &res); err != nil {
		return res, err
	}
	err := c.ingestInbox(ctx, &res)
	counts := fileCounts(res.Files)
	counts.Notes = c.notes(res)
	if r := RunFromContext(ctx); r != nil {
		r.SetCounts(counts)
	}
	if err != nil {
		return res, err
	}
	log.InfoContext(ctx, "ingested inbox", slog.Int("loaded", counts.FilesLoaded),
		slog.Int("skipped", counts.FilesSkipped), slog.Int("rejected", counts.FilesRejected))

	if res.Ranking, err = c.Recompute(ctx); err != nil {
		return res, err
	}
	counts.RankingRunID = res.Ranking.RunID
	res.Workbook = c.workbookPath(res.Ranking)
	if err := c.WriteWorkbook(ctx, res.Ranking, res.Workbook); err != nil {
		return res, err
	}
	counts.ReportPath = res.Workbook
	if r := RunFromContext(ctx); r != nil {
		r.SetCounts(counts)
	}
	log.InfoContext(ctx, "wrote workbook", slog.String("path", res.Workbook), slog.Int64("ranking_run", res.Ranking.RunID))
	res.Mailing, err = c.Queue(ctx, res.Ranking, res.Workbook)
	mail := res.NotSent
	if mail == "" {
		mail = report.UnchangedNote(res.Unchanged, c.location())
	}
	if mail != "" {
		counts.Notes = strings.Join(slices.DeleteFunc([]string{counts.Notes, mail}, func(s string) bool { return s == "" }), "; ")
	}
	if r := RunFromContext(ctx); r != nil {
		r.SetCounts(counts)
	}
	return res, err
}

// Recompute computes and stores the ranking of the data stored now. It
// first matches again the stored answers that matched no practice: a
// load that began before the registry last changed matched against the
// registry it read then, and may commit after the re-match that followed
// the change, so its respondents are matched here, before any ranking
// leaves them out. With nothing unmatched this costs one index lookup.
// Run as a job under a lock, it stores nothing once the lock is lost (see
// [ActiveRun.CheckLock]): another process may be ranking meanwhile.
func (c *Cycle) Recompute(ctx context.Context) (survey.Ranking, error) {
	n, err := ingest.RematchPractices(ctx, c.Store)
	if err != nil {
		return survey.Ranking{}, fmt.Errorf("cycle: rank: %w", err)
	}
	if n > 0 {
		c.logger().InfoContext(ctx, "re-matched stored answers to practices", slog.Int("respondents", n))
	}
	r, err := analysis.Run(ctx, c.Store, c.Catalogue, c.Rank, false)
	if err != nil {
		return r, fmt.Errorf("cycle: rank: %w", err)
	}
	if err := RunFromContext(ctx).CheckLock(ctx); err != nil {
		return survey.Ranking{}, fmt.Errorf("cycle: rank: not saved: %w", err)
	}
	if _, err := c.Store.SaveRanking(ctx, &r); err != nil {
		return survey.Ranking{}, fmt.Errorf("cycle: rank: %w", err)
	}
	return r, nil
}

// notes summarises for the run's record what the cycle passed over and
// re-matched.
func (c *Cycle) notes(res CycleResult) string {
	var parts []string
	if res.Rematched > 0 {
		parts = append(parts, fmt.Sprintf("re-matched %d respondents to practices", res.Rematched))
	}
	parts = append(parts, res.Passed...)
	return strings.Join(parts, "; ")
}

func (c *Cycle) importPractices(ctx context.Context, res *CycleResult) error {
	if c.PracticesFile == "" {
		return nil
	}
	f, err := os.Open(c.PracticesFile)
	if err != nil {
		return fmt.Errorf("cycle: practices: %w", err)
	}
	defer f.Close()
	reg, err := ingest.ReadRegistry(f)
	if err != nil {
		return fmt.Errorf("cycle: practices %s: %w", c.PracticesFile, err)
	}
	if reg.Inactive > 0 || reg.NotGP > 0 {
		c.logger().InfoContext(ctx, "practices skipped", slog.String("file", c.PracticesFile),
			slog.String("format", reg.Format), slog.Int("inactive", reg.Inactive), slog.Int("not_gp", reg.NotGP))
	}
	if res.Practices, err = c.Store.UpsertPractices(ctx, reg.Practices); err != nil {
		return fmt.Errorf("cycle: practices %s: %w", c.PracticesFile, err)
	}
	if res.Rematched, err = ingest.RematchPractices(ctx, c.Store); err != nil {
		return fmt.Errorf("cycle: practices %s: %w", c.PracticesFile, err)
	}
	if res.Rematched > 0 {
		c.logger().InfoContext(ctx, "re-matched stored answers to practices", slog.String("file", c.PracticesFile),
			slog.Int("respondents", res.Rematched))
	}
	return nil
}

// ImportPractices imports the practice registry file, when one is
// configured, and matches again the stored answers that matched no
// practice. It returns what it imported and re-matched.
func (c *Cycle) ImportPractices(ctx context.Context) (CycleResult, error) {
	var res CycleResult
	err := c.importPractices(ctx, &res)
	return res, err
}

// workbookPath is OUT/roadmap-YYYY-MM-DD-runN.xlsx.
func (c *Cycle) workbookPath(r survey.Ranking) string {
	name := fmt.Sprintf("roadmap-%s-run%d.xlsx", r.CreatedAt.In(c.location()).Format("2006-01-02"), r.RunID)
	return filepath.Join(c.OutDir, name)
}

// WriteWorkbook writes the workbook of r to path, creating its directory.
// Its comments, data quality and coverage are read from the store, and
// the rejected files from the inbox's quarantine folder.
func (c *Cycle) WriteWorkbook(ctx context.Context, r survey.Ranking, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cycle: %w", err)
	}
	in, err := c.workbookInput(ctx, r)
	if err == nil {
		err = report.WriteWorkbook(path, in)
	}
	if err != nil {
		return fmt.Errorf("cycle: workbook: %w", err)
	}
	return nil
}

// workbookInput returns the full workbook's input for r, loaded.
func (c *Cycle) workbookInput(ctx context.Context, r survey.Ranking) (report.WorkbookInput, error) {
	in := report.WorkbookInput{
		Ranking:     r,
		GeneratedAt: c.now(),
		Location:    c.location(),
		TierRules:   TierRules(c.Rank.Thresholds),
		Catalogue:   c.Catalogue,
		Rank:        c.Rank,
	}
	err := in.Load(ctx, c.Store)
	if err == nil {
		in.Quality.Rejected, err = ingest.QuarantinedFiles(c.InboxDir)
	}
	return in, err
}

// Queue queues the report of r, whose full workbook is written at
// workbook, for every lead in LeadsFile: each lead gets their view, at
// most once per ranking run, and nothing when nothing changed since the
// last report they received (unless SendUnchanged); see
// [report.QueueLeadReports]. A ranking of no matched practice is never
// queued: Queue logs why and says so in NotSent. It sends nothing; with no
// leads file it queues nothing. Run as a job under a lock, it queues
// nothing once the lock is lost.
func (c *Cycle) Queue(ctx context.Context, r survey.Ranking, workbook string) (Mailing, error) {
	var m Mailing
	if c.LeadsFile == "" {
		c.logger().InfoContext(ctx, "no leads file configured; not sending e-mail")
		return m, nil
	}
	if r.Practices == 0 {
		m.NotSent = NoPracticesNotSent
		c.logger().WarnContext(ctx, "e-mail not queued", slog.Int64("ranking_run", r.RunID), slog.String("reason", m.NotSent))
		return m, nil
	}
	leads, err := report.LoadLeads(c.LeadsFile)
	if err != nil {
		return m, fmt.Errorf("cycle: %w", err)
	}
	in, err := c.workbookInput(ctx, r)
	if err != nil {
		return m, fmt.Errorf("cycle: e-mail: %w", err)
	}
	var jobID int64
	if run := RunFromContext(ctx); run != nil {
		jobID = run.ID
	}
	if err := RunFromContext(ctx).CheckLock(ctx); err != nil {
		return m, fmt.Errorf("cycle: e-mail not queued: %w", err)
	}
	q, err := report.QueueLeadReports(ctx, c.Store, report.LeadReports{Workbook: in, WorkbookPath: workbook,
		Leads: leads, From: c.SMTP.From, JobRunID: jobID, SendUnchanged: c.SendUnchanged, Logger: c.logger(), Now: c.Now})
	if err != nil {
		return m, fmt.Errorf("cycle: %w", err)
	}
	m.ReportKeys, m.Unchanged = q.ReportKeys, q.Unchanged
	for _, k := range q.ReportKeys {
		if p, ok := q.Workbooks[k]; ok {
			m.ViewWorkbooks = append(m.ViewWorkbooks, p)
		}
	}
	m.Deliveries, err = report.Deliveries(ctx, c.Store, q.ReportKeys...)
	if err != nil && !errors.Is(err, report.ErrUndelivered) {
		return m, fmt.Errorf("cycle: %w", err)
	}
	return m, nil
}

// TierRules describes the tier thresholds for the workbook.
func TierRules(t analysis.Thresholds) []string {
	if t == (analysis.Thresholds{}) {
		t = analysis.DefaultThresholds()
	}
	return []string{
		fmt.Sprintf("%s: score ≥ %.2f", survey.TierVeryHigh, t.VeryHigh),
		fmt.Sprintf("%s: centrally mandated and below Very high", survey.TierMandated),
		fmt.Sprintf("%s: score ≥ %.2f", survey.TierHigh, t.High),
		fmt.Sprintf("%s: below %.2f", survey.TierMedium, t.High),
	}
}

func fileCounts(files []ingest.Result) store.JobCounts {
	var c store.JobCounts
	for _, f := range files {
		switch f.Status {
		case ingest.StatusLoaded:
			c.FilesLoaded++
		case ingest.StatusRejected:
			c.FilesRejected++
		default:
			c.FilesSkipped++
		}
	}
	return c
}

func (c *Cycle) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

func (c *Cycle) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func (c *Cycle) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}
