package report

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// LeadReports describe the reports of one ranking to queue for the leads
// with [QueueLeadReports].
type LeadReports struct {
	// Workbook is the full workbook's input, as [WriteWorkbook] takes it,
	// loaded. A federation view's input is this one with its federations,
	// loaded again. Required.
	Workbook WorkbookInput
	// WorkbookPath is the full workbook, already written from Workbook. A
	// view's workbook is written beside it, its name ending in the view's
	// slug. Required.
	WorkbookPath string
	// Leads are the recipients; their federations are matched to the
	// registry's with [ResolveFederations].
	Leads []Lead
	// From is the sender address; its domain ends each Message-ID.
	// Required.
	From string
	// JobRunID is the job run queueing the reports; 0 when none.
	JobRunID int64
	// SendUnchanged queues a lead's report even when it rests on the same
	// inputs as the last report the lead received.
	SendUnchanged bool
	// Logger receives a line for each federation the registry does not
	// hold and each lead not sent to; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// QueuedReports is what [QueueLeadReports] did.
type QueuedReports struct {
	// ReportKeys are the reports queued, one per view with a lead to send
	// to: the full report first, then the views by name.
	ReportKeys []string
	// Workbooks are the workbooks of the federation views written, by
	// report key.
	Workbooks map[string]string
	// Queued counts the e-mails queued.
	Queued int
	// Unchanged are the leads sent nothing, because nothing changed since
	// the last report they received.
	Unchanged []UnchangedLead
	// UnknownFederations are the federations of the leads file the
	// registry does not hold.
	UnknownFederations []UnknownFederation
}

// UnchangedLead is a lead whose report would rest on the same inputs as
// the last one they received.
type UnchangedLead struct {
	Lead Lead
	// Last is the report the lead received last.
	Last store.SentReport
}

// Reason says why the lead was sent nothing: "unchanged since the report
// of 1 Dec 2026", the date in loc (nil means Europe/London).
func (u UnchangedLead) Reason(loc *time.Location) string {
	return "unchanged since the report of " + u.Last.CreatedAt.In(cmp.Or(loc, defaultLocation())).Format(displayDate)
}

// noteLeads is how many leads [UnchangedNote] names.
const noteLeads = 10

// UnchangedNote says, for a job run's record, which leads were sent
// nothing and why: "not sent to a@example.org (unchanged since the report
// of 1 Dec 2026), ...", naming at most ten; "" for none.
func UnchangedNote(us []UnchangedLead, loc *time.Location) string {
	if len(us) == 0 {
		return ""
	}
	var items []string
	for _, u := range us[:min(noteLeads, len(us))] {
		items = append(items, u.Lead.Email+" ("+u.Reason(loc)+")")
	}
	if len(us) > noteLeads {
		items = append(items, fmt.Sprintf("%d more", len(us)-noteLeads))
	}
	return "not sent to " + strings.Join(items, ", ")
}

// QueueLeadReports queues the report of in.Workbook's ranking for every
// lead: the full workbook for a lead of no federation, and for a lead of
// federations the workbook of their view (see [WorkbookInput].Federations),
// written once per distinct set of federations and shared by the leads of
// that set. Each view is a report of its own, keyed [ReportKey] and the
// view's slug, its workbook attached as roadmap-DATE.xlsx or
// roadmap-DATE-SLUG.xlsx.
//
// A lead whose report would rest on the same inputs ([ChangeKey]) as the
// last report they received is sent nothing, unless SendUnchanged is set,
// and is listed in Unchanged; a view with no lead to send to is not
// written. Federations of the leads file that the registry does not hold
// are logged, not refused: the registry may be imported later.
func QueueLeadReports(ctx context.Context, st *store.Store, o LeadReports) (QueuedReports, error) {
	var res QueuedReports
	in := o.Workbook.withDefaults()
	log := cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
	leads, err := o.resolveLeads(ctx, st, log, &res)
	if err != nil {
		return res, err
	}
	inputs, err := st.ReportInputs(ctx)
	if err != nil {
		return res, fmt.Errorf("report: lead reports: %w", err)
	}
	emails := make([]string, len(leads))
	for i, l := range leads {
		emails[i] = l.Email
	}
	last, err := st.LastSentReports(ctx, emails)
	if err != nil {
		return res, fmt.Errorf("report: lead reports: %w", err)
	}
	res.Workbooks = map[string]string{}
	for _, v := range groupViews(leads) {
		key := ChangeKey(in.Ranking, in.Rank, inputs, v.federations)
		var send []Lead
		for _, l := range v.leads {
			prev, ok := last[strings.ToLower(l.Email)]
			if ok && prev.ChangeKey == key && !o.SendUnchanged {
				u := UnchangedLead{Lead: l, Last: prev}
				res.Unchanged = append(res.Unchanged, u)
				log.InfoContext(ctx, "e-mail not queued: "+u.Reason(in.Location),
					slog.String("recipient", l.Email), slog.String("last_report", prev.ReportKey))
				continue
			}
			send = append(send, l)
		}
		if len(send) == 0 {
			continue
		}
		n, err := o.queueView(ctx, st, in, v, key, send, &res)
		if err != nil {
			return res, err
		}
		res.Queued += n
	}
	return res, nil
}

// resolveLeads spells the leads' federations as the registry does, and
// logs the ones it does not hold.
func (o LeadReports) resolveLeads(ctx context.Context, st *store.Store, log *slog.Logger, res *QueuedReports) ([]Lead, error) {
	registry, err := st.Federations(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: lead reports: %w", err)
	}
	leads, unknown := ResolveFederations(o.Leads, registry)
	for _, u := range unknown {
		log.WarnContext(ctx, "leads file names a federation the practice registry does not hold; "+
			"the lead's view shows none of its practices until the registry has it",
			slog.String("federation", u.Name), slog.String("recipient", u.Lead.Email), slog.Int("line", u.Lead.Line))
	}
	res.UnknownFederations = unknown
	return leads, nil
}

// queueView writes the workbook of view v, unless it is the full one,
// composes its message and queues it for leads.
func (o LeadReports) queueView(ctx context.Context, st *store.Store, in WorkbookInput, v view, changeKey string,
	leads []Lead, res *QueuedReports) (int, error) {
	reportKey, path := ReportKey(in.Ranking), o.WorkbookPath
	if len(v.federations) > 0 {
		reportKey += "-" + v.slug
		path = strings.TrimSuffix(o.WorkbookPath, ".xlsx") + "-" + v.slug + ".xlsx"
		in.Federations = v.federations
		if err := in.Load(ctx, st); err != nil {
			return 0, fmt.Errorf("report: view %s: %w", v.slug, err)
		}
		if err := WriteWorkbook(path, in); err != nil {
			return 0, fmt.Errorf("report: view %s: %w", v.slug, err)
		}
		res.Workbooks[reportKey] = path
	}
	name := AttachmentName(in.Ranking, in.Location, v.federations)
	msg, err := ComposeMessage(in, name)
	if err != nil {
		return 0, err
	}
	n, err := Queue(ctx, st, QueueOptions{ReportKey: reportKey, JobRunID: o.JobRunID, Subject: msg.Subject,
		Body: msg.Text, HTMLBody: msg.HTML, AttachmentPath: path, AttachmentName: name,
		Federations: v.federations, ChangeKey: changeKey, Leads: leads, From: o.From, Now: o.Now})
	if err != nil {
		return 0, err
	}
	res.ReportKeys = append(res.ReportKeys, reportKey)
	return n, nil
}

// AttachmentName is the file name a lead receives the workbook of ranking
// r under: roadmap-YYYY-MM-DD.xlsx, the date of the ranking in loc, with
// the slug of the view's federations before the extension when there are
// any (roadmap-2026-12-01-north-oxfordshire.xlsx).
func AttachmentName(r survey.Ranking, loc *time.Location, federations []string) string {
	name := "roadmap-" + r.CreatedAt.In(cmp.Or(loc, defaultLocation())).Format("2006-01-02")
	if len(federations) > 0 {
		name += "-" + viewSlug(federations)
	}
	return name + ".xlsx"
}

// view is the leads sharing one set of federations.
type view struct {
	federations []string
	slug        string
	leads       []Lead
}

// groupViews groups leads by their set of federations: the full view
// first, then the views by slug. A lead's federations are sorted, so the
// order a lead names them in does not matter.
func groupViews(leads []Lead) []view {
	byKey := map[string]*view{}
	var out []*view
	for _, l := range leads {
		feds := slices.Clone(l.Federations)
		slices.Sort(feds)
		feds = slices.Compact(feds)
		k := strings.Join(feds, "\x00")
		v, ok := byKey[k]
		if !ok {
			v = &view{federations: feds, slug: viewSlug(feds)}
			byKey[k] = v
			out = append(out, v)
		}
		v.leads = append(v.leads, l)
	}
	slices.SortStableFunc(out, func(a, b *view) int { return cmp.Compare(a.slug, b.slug) })
	// Two sets of names could give one slug ("A-B" and "A B"): the
	// later ones get a digest too, so that each view has its own report.
	seen := map[string]bool{}
	views := make([]view, len(out))
	for i, v := range out {
		if seen[v.slug] {
			v.slug += "-" + digest(strings.Join(v.federations, "\x00"))[:8]
		}
		seen[v.slug] = true
		views[i] = *v
	}
	return views
}

// viewSlug is [ViewSlug], or a digest of the names for names with no
// letter or digit.
func viewSlug(federations []string) string {
	if s := ViewSlug(federations); s != "" || len(federations) == 0 {
		return s
	}
	return "view-" + digest(strings.Join(federations, "\x00"))[:8]
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// changeInputs is what a report rests on, as [ChangeKey] digests it.
type changeInputs struct {
	Version       int
	Method        string
	Intervals     string
	Resamples     int
	Seed          uint64
	ListSize      bool
	Criteria      string
	Weights       survey.Weights
	Thresholds    analysis.Thresholds
	DependencyCap int
	MandateFloor  bool
	Workstreams   []changeWorkstream
	Data          store.ReportInputs
	View          []string
}

// changeWorkstream is one workstream with the workshop criteria it was
// ranked with.
type changeWorkstream struct {
	ID, Name   string
	Mandated   bool
	GPFV       bool
	Impact     int
	Dependents int
}

// ChangeKey returns a digest of what a report of ranking r, ranked with
// opts, rests on for a lead of the view federations (none for the full
// report): the method and its version, the bootstrap, the source of the
// workshop criteria and the criteria of every workstream, the weights and
// tier rules, the stored data (data: files loaded or forgotten,
// respondents, matches, the registry) and the view. Two reports with the
// same key tell a lead nothing new; the time of the ranking is not part of
// it.
func ChangeKey(r survey.Ranking, opts analysis.Options, data store.ReportInputs, federations []string) string {
	c := changeInputs{Version: 1, Method: r.Method, Intervals: r.Params.Intervals, Resamples: r.Params.Resamples,
		Seed: r.Params.Seed, ListSize: r.Params.WeightByListSize, Criteria: r.Params.Criteria, Weights: r.Weights,
		Thresholds: opts.Thresholds, DependencyCap: opts.DependencyCap, MandateFloor: !opts.NoMandateFloor,
		Data: data, View: slices.Sorted(slices.Values(federations))}
	for _, w := range r.Rows {
		c.Workstreams = append(c.Workstreams, changeWorkstream{ID: w.WorkstreamID, Name: w.Workstream,
			Mandated: w.Mandated, GPFV: w.GPFV, Impact: w.Impact, Dependents: w.Dependents})
	}
	slices.SortFunc(c.Workstreams, func(a, b changeWorkstream) int { return cmp.Compare(a.ID, b.ID) })
	// %#v of plain values (no maps or pointers) is the same for the same
	// values, on every run.
	return "v1-" + digest(fmt.Sprintf("%#v", c))[:32]
}
