package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/survey"
)

func cmdInspect() command {
	var asJSON bool
	var writeMapping string
	var read readFlags
	return command{
		name:    "inspect",
		args:    "FILE...",
		summary: "show how an export would be read, without loading it",
		examples: []string{
			"surveyworker inspect responses.csv",
			"surveyworker inspect --json responses.csv spring.xlsx",
			"surveyworker inspect --write-mapping autumn.yaml autumn-export.csv",
		},
		files: allArgs,
		help: `Detects each file as ingest would and prints the platform, encoding,
delimiter, header rows, number of respondents and what every column is taken
to be (workstream and its catalogue match, practice, role, personal data not
stored, comment, or ignored), with how sure that is. Any survey export is
described, including one that would be rejected, with the reason; a table of
no known platform is "generic". An empty or binary file, a workbook beyond
the limits, or text valid in no encoding (read as UTF-8 to show its header)
is described with the reason too. Nothing is stored and no database is
needed. The exit status is 0 whenever the files could be read.

--write-mapping OUT.yaml writes a starter mapping file for one FILE, naming
every column with the role it was taken to have. Edit it (for example, give a
workstream ID to a column headed "Q7_1") and use it with 'surveyworker ingest
--mapping OUT.yaml', or put it in the mappings folder (default INBOX/mappings)
to apply it to every export it fits.`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.BoolVar(&asJSON, "json", false, "print a JSON object for one FILE, an array of them for several")
			fs.StringVar(&writeMapping, "write-mapping", "", "write a starter mapping for FILE to `out.yaml`")
			read.register(fs, a)
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) == 0 {
				return usageError{"name at least one FILE to inspect"}
			}
			if writeMapping != "" && len(args) != 1 {
				return usageError{"--write-mapping takes exactly one FILE"}
			}
			cat, err := survey.LoadCatalogue(a.cfg.Catalogue)
			if err != nil {
				return err
			}
			opts, err := a.ingestOptions(cat, read)
			if err != nil {
				return err
			}
			opts.HMACKey = []byte("inspect") // nothing is stored: the key only has to exist
			in := ingest.New(nil, opts)
			var all []ingest.Inspection
			for _, p := range args {
				r, err := in.Inspect(p)
				if err != nil {
					return err
				}
				all = append(all, r)
			}
			if writeMapping != "" {
				if err := writeStarter(writeMapping, all[0], cat.IDs()); err != nil {
					return err
				}
			}
			if asJSON && len(all) == 1 {
				return printJSON(a, all[0])
			}
			if asJSON {
				return printJSON(a, all)
			}
			for _, r := range all {
				printInspection(a, r)
			}
			if writeMapping != "" {
				fmt.Fprintf(a.stdout, "starter mapping: %s\n", writeMapping)
			}
			return nil
		},
	}
}

// writeStarter writes the starter mapping of r to path, which must not
// exist yet: it may be a mapping already edited.
func writeStarter(path string, r ingest.Inspection, ids []string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write mapping: %w", err)
	}
	if err := r.WriteStarterMapping(f, ids); err != nil {
		f.Close()
		return fmt.Errorf("write mapping %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write mapping %s: %w", path, err)
	}
	return nil
}

func printInspection(a *app, r ingest.Inspection) {
	if r.Platform == "" {
		fmt.Fprintf(a.stdout, "%s\n  not read as a table: %s\n\n", r.File, r.Problem)
		return
	}
	fmt.Fprintf(a.stdout, "%s\n  platform %s, %s, encoding %s", r.File, r.Platform, r.Format, r.Encoding)
	if r.Delimiter != "" {
		fmt.Fprintf(a.stdout, ", delimiter %q", r.Delimiter)
	}
	fmt.Fprintf(a.stdout, ", %d header row(s), %d respondents", r.HeaderRows, r.Respondents)
	if r.Partial > 0 {
		how := "left out: --partial include loads them"
		if a.cfg.Partial == "include" {
			how = "included"
		}
		fmt.Fprintf(a.stdout, " (%d partial responses %s)", r.Partial, how)
	}
	fmt.Fprintln(a.stdout)
	if r.Mapping != "" {
		fmt.Fprintf(a.stdout, "  mapping %s\n", r.Mapping)
	}
	if r.InvalidByteOffset != nil {
		fmt.Fprintf(a.stdout, "  the text is valid in no supported encoding (first bad byte at offset %d); read as UTF-8 to describe it\n", *r.InvalidByteOffset)
	}
	if r.Problem != "" {
		fmt.Fprintf(a.stdout, "  would be rejected: %s\n", r.Problem)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  COL\tROLE\tSURE\tWORKSTREAM\tHEADER")
	for _, c := range r.Columns {
		fmt.Fprintf(tw, "  %s\t%s\t%.1f\t%s\t%s\n", c.Letter, c.Role, c.Confidence, c.Workstream, truncate(c.Header, 70))
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
