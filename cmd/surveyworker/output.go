package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/schedules"
	"github.com/surveyworker/surveyworker/survey"
)

// printRanking writes the ranking as an aligned table: each row's score
// with its 90% interval, rank range, tier probability and rank change
// since the previous stored run, after a caution when too few practices
// answered for the ranges to mean much.
func printRanking(a *app, r survey.Ranking) {
	run := "what-if ranking (not stored)"
	if r.RunID != 0 {
		run = fmt.Sprintf("Ranking run %d", r.RunID)
	}
	fmt.Fprintf(a.stdout, "%s: %d respondents from %d practices in %d files\n",
		run, r.Respondents, r.Practices, r.Files)
	if r.Previous != nil {
		fmt.Fprintf(a.stdout, "Compared with run %d: %+d respondents\n", r.Previous.RunID, r.NewResponses)
	}
	fmt.Fprintf(a.stdout, "Intervals: 90%%; rank ranges from %d bootstrap resamples over practices (seed %d)\n",
		r.Params.Resamples, r.Params.Seed)
	printCaution(a, r)
	fmt.Fprintln(a.stdout)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tRANGE\tTIER\tP(TIER)\tSCORE\t90% INTERVAL\tPRIORITY\tPRACTICES\tCHANGE\tWORKSTREAM")
	for _, w := range r.Rows {
		fmt.Fprintf(tw, "%d\t%d-%d\t%s\t%.0f%%\t%.2f\t%.2f-%.2f\t%.2f\t%d\t%s\t%s\n",
			w.Rank, w.RankLow, w.RankHigh, w.Tier, 100*w.TierProbability, w.Score, w.CILow, w.CIHigh,
			w.PracticePriority, w.Practices, rankChange(w, r.Previous != nil), w.Workstream)
	}
	tw.Flush()
	printMargins(a, r.Sensitivity)
}

// printCaution says when the survey is too small for the ranges and tier
// probabilities to carry meaning, for the whole ranking or for the
// workstreams few practices answered.
func printCaution(a *app, r survey.Ranking) {
	if c := analysis.IntervalCaution(r); c != "" {
		fmt.Fprintf(a.stdout, "Caution: %s\n", c)
		return
	}
	var few []string
	for _, w := range r.Rows {
		if analysis.FewPractices(w) {
			few = append(few, w.Workstream)
		}
	}
	if len(few) > 0 {
		fmt.Fprintf(a.stdout, "Caution: fewer than %d practices answered for %s, so their ranges could be far off.\n",
			analysis.MinIntervalPractices, strings.Join(few, "; "))
	}
}

// printMargins lists, per weight, the smallest move up and down that
// changes a tier.
func printMargins(a *app, ms []survey.WeightMargin) {
	if len(ms) == 0 {
		return
	}
	fmt.Fprintln(a.stdout, "\nWeight margins (smallest change that moves any workstream's tier):")
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, m := range ms {
		fmt.Fprintf(tw, "  %s %.2f\tup: %s\tdown: %s\n", m.Criterion, m.Weight, shift(m.Up), shift(m.Down))
	}
	tw.Flush()
}

func shift(s *survey.TierShift) string {
	if s == nil {
		return "none within range"
	}
	return fmt.Sprintf("%.3f to %.3f, %s %s -> %s", s.Delta, s.Weight, s.Workstream, s.From, s.To)
}

// rankChange shows a row's movement: "+2" up two places, "-1" down one,
// "=" unchanged, "new" when the previous run did not rank it and "" when
// there is no previous run.
func rankChange(w survey.RankedWorkstream, hasPrevious bool) string {
	switch {
	case !hasPrevious:
		return ""
	case w.RankChange == nil:
		return "new"
	case *w.RankChange == 0:
		return "="
	default:
		return fmt.Sprintf("%+d", *w.RankChange)
	}
}

// printFiles lists ingest results, one line per file.
func printFiles(a *app, files []ingest.Result) {
	if len(files) == 0 {
		fmt.Fprintln(a.stdout, "no new files")
		return
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tPLATFORM\tRESPONDENTS\tWARNINGS\tFILE")
	for _, f := range files {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", f.Status, f.Platform, f.Respondents, f.Warnings, f.File)
	}
	tw.Flush()
	for _, f := range files {
		if f.Reason != "" {
			fmt.Fprintf(a.stdout, "  %s\n", f.Reason)
		}
		if f.Partial > 0 {
			fmt.Fprintf(a.stdout, "  %s: %d partial responses, %d of them left out (SURVEYWORKER_PARTIAL)\n", f.File, f.Partial, f.PartialExcluded)
		}
		if f.MovedTo != "" && f.Status == "rejected" {
			fmt.Fprintf(a.stdout, "  quarantined: %s (reason beside it)\n", f.MovedTo)
		}
	}
}

// printDeliveries says where each lead's e-mail stands, one line each.
func printDeliveries(a *app, ds []report.Delivery) {
	loc := a.cfg.Location()
	for _, d := range ds {
		line := fmt.Sprintf("e-mail to %s: %s", d.Recipient, d.Status)
		switch {
		case d.EMLPath != "" && d.Status == report.StatusSent:
			line = fmt.Sprintf("e-mail to %s: written to %s (no SMTP host configured)", d.Recipient, d.EMLPath)
		case d.Status == report.StatusSent && d.SentAt != nil:
			line = fmt.Sprintf("e-mail to %s: sent %s", d.Recipient, d.SentAt.In(loc).Format("2 Jan 2006 15:04:05"))
			if d.Reply != "" {
				line += " (" + d.Reply + ")"
			}
		case d.Status == report.StatusPending && d.Attempts > 0:
			line = fmt.Sprintf("e-mail to %s: pending, tried %d times, next attempt %s", d.Recipient, d.Attempts,
				d.NextAttempt.In(loc).Format("2 Jan 2006 15:04:05"))
		}
		if d.Err != nil {
			line += ": " + d.Err.Error()
		}
		fmt.Fprintln(a.stdout, line)
	}
}

// printCycle summarises a full cycle for the terminal.
func printCycle(a *app, res schedules.CycleResult) {
	if res.Practices > 0 {
		fmt.Fprintf(a.stdout, "practices: %d imported\n", res.Practices)
	}
	fmt.Fprintln(a.stdout, "files:")
	printFiles(a, res.Files)
	if res.Ranking.RunID != 0 {
		fmt.Fprintln(a.stdout)
		printRanking(a, res.Ranking)
	}
	if res.Workbook != "" {
		fmt.Fprintf(a.stdout, "\nworkbook: %s\n", res.Workbook)
	}
	if a.cfg.Leads == "" && res.Workbook != "" {
		fmt.Fprintln(a.stdout, "e-mail: no leads configured (--leads or SURVEYWORKER_LEADS)")
	}
	printMailing(a, res.Mailing)
}

// printMailing says what became of the leads' e-mail: why none was sent,
// where each queued one stands, and which leads were sent nothing.
func printMailing(a *app, m schedules.Mailing) {
	for _, p := range m.ViewWorkbooks {
		fmt.Fprintf(a.stdout, "view workbook: %s\n", p)
	}
	if m.NotSent != "" {
		fmt.Fprintf(a.stdout, "e-mail: %s\n", m.NotSent)
	}
	printDeliveries(a, m.Deliveries)
	for _, u := range m.Unchanged {
		fmt.Fprintf(a.stdout, "e-mail to %s: not sent: %s\n", u.Lead.Email, u.Reason(a.cfg.Location()))
	}
}
