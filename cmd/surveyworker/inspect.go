package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"surveyworker/ingest"
	"surveyworker/survey"
)

func cmdInspect() command {
	var asJSON bool
	return command{
		name:    "inspect",
		args:    "FILE...",
		summary: "show what would be read from an export (platform, encoding, columns) without loading it",
		help: `Detects each file as ingest would and prints the platform, encoding,
delimiter, header rows, number of respondents and what every column is taken
to be (workstream and its catalogue match, practice, role, personal data not
stored, comment, or ignored). Nothing is stored and no database is needed.
Exit status 1 when any file would be rejected.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.BoolVar(&asJSON, "json", false, "print one JSON object per file (an array)")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) == 0 {
				return usageError{"name at least one FILE to inspect"}
			}
			cat, err := survey.LoadCatalogue(a.cfg.Catalogue)
			if err != nil {
				return err
			}
			// Nothing is stored, so the key only has to exist.
			in := ingest.New(nil, ingest.Options{Catalogue: cat, HMACKey: []byte("inspect"), Logger: a.log, Location: a.cfg.Location()})
			var all []ingest.Inspection
			bad := 0
			for _, p := range args {
				r, err := in.Inspect(p)
				if err != nil {
					return err
				}
				if r.Problem != "" {
					bad++
				}
				all = append(all, r)
			}
			if asJSON {
				err = printJSON(a, all)
			} else {
				for _, r := range all {
					printInspection(a, r)
				}
			}
			if err == nil && bad > 0 {
				err = exitError{exitFailure, errors.New("some files would be rejected")}
			}
			return err
		},
	}
}

func printInspection(a *app, r ingest.Inspection) {
	fmt.Fprintf(a.stdout, "%s\n  platform %s, %s, encoding %s", r.File, r.Platform, r.Format, r.Encoding)
	if r.Delimiter != "" {
		fmt.Fprintf(a.stdout, ", delimiter %q", r.Delimiter)
	}
	fmt.Fprintf(a.stdout, ", %d header row(s), %d respondents\n", r.HeaderRows, r.Respondents)
	if r.Problem != "" {
		fmt.Fprintf(a.stdout, "  would be rejected: %s\n", r.Problem)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  COL\tROLE\tWORKSTREAM\tHEADER")
	for _, c := range r.Columns {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Letter, c.Role, c.Workstream, truncate(c.Header, 70))
	}
	tw.Flush()
	fmt.Fprintln(a.stdout)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
