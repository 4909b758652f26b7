package main

import (
	"fmt"
	"text/tabwriter"

	"surveyworker/ingest"
	"surveyworker/report"
	"surveyworker/schedules"
	"surveyworker/survey"
)

// printRanking writes the ranking as an aligned table.
func printRanking(a *app, r survey.Ranking) {
	fmt.Fprintf(a.stdout, "Ranking run %d: %d respondents from %d practices in %d files\n\n",
		r.RunID, r.Respondents, r.Practices, r.Files)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tTIER\tSCORE\tPRIORITY\tPRACTICES\tWORKSTREAM")
	for _, w := range r.Rows {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%d\t%s\n", w.Rank, w.Tier, w.Score, w.PracticePriority, w.Practices, w.Workstream)
	}
	tw.Flush()
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
		if f.MovedTo != "" && f.Status == "rejected" {
			fmt.Fprintf(a.stdout, "  quarantined: %s (reason beside it)\n", f.MovedTo)
		}
	}
}

func printDeliveries(a *app, ds []report.Delivery) {
	for _, d := range ds {
		line := fmt.Sprintf("e-mail to %s: %s", d.Recipient, d.Status)
		switch {
		case d.Status == report.StatusAlreadySent:
			line = fmt.Sprintf("e-mail to %s: already sent for this ranking run; not sent again", d.Recipient)
		case d.EMLPath != "":
			line = fmt.Sprintf("e-mail to %s: written to %s (no SMTP host configured)", d.Recipient, d.EMLPath)
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
	if len(res.Deliveries) == 0 && res.Workbook != "" {
		fmt.Fprintln(a.stdout, "e-mail: no leads configured (--leads or SURVEYWORKER_LEADS)")
	}
	printDeliveries(a, res.Deliveries)
}
