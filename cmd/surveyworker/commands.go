package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/words"
)

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		cmdRun(), cmdServe(), cmdHealth(), cmdIngest(), cmdInspect(), cmdRank(), cmdReport(),
		cmdPracticesImport(), cmdForget(), cmdRuns(), cmdSchedules(), cmdUsersAdd(), cmdUsersList(),
		cmdMigrate(), cmdConfig(), cmdVersion(),
	}
}

// allArgs returns every argument: each names a file.
func allArgs(args []string) []string { return args }

// notDigests returns the arguments that are not SHA-256 digests (forget
// takes either).
func notDigests(args []string) []string {
	return slices.DeleteFunc(slices.Clone(args), func(s string) bool { return sha256Hex.MatchString(strings.ToLower(s)) })
}

func cmdForget() command {
	return command{
		name:    "forget",
		args:    "FILE|SHA256...",
		summary: "delete a loaded file and everything loaded from it",
		examples: []string{
			"surveyworker forget inbox/archive/responses.csv",
			"surveyworker forget 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		},
		files: notDigests,
		help: `Each argument is a file (its bytes are hashed) or the SHA-256 of one, as
'ingest --json' and the archive report it. The file's respondents, answers,
comments and warnings are deleted in one transaction; stored rankings keep
their figures until the next ranking run. E-mail still pending with a
workbook attached is withdrawn, and the workbooks kept for e-mail are
deleted, as they may quote the file's comments; the next cycle queues a
fresh report. Workbooks written to the out folder stay: delete them by hand.
Use it to load a file again after a fix to how it is read (the same bytes are
otherwise skipped), or to erase a file's data on request.`,
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) == 0 {
				return usageError{"name at least one FILE or SHA-256 to forget"}
			}
			st, err := a.open(ctx)
			if err != nil {
				return err
			}
			for _, arg := range args {
				digest := strings.ToLower(arg)
				if !sha256Hex.MatchString(digest) {
					if digest, err = ingest.FileSHA256(arg); err != nil {
						return fmt.Errorf("forget %s: %w", arg, err)
					}
				}
				f, err := st.ForgetFile(ctx, digest)
				if err != nil {
					return fmt.Errorf("forget %s: %w", arg, err)
				}
				fmt.Fprintf(a.stdout, "forgot %s (file %d): %s, %s; %s withdrawn, %s deleted\n",
					f.Name, f.FileID, words.Count(f.Respondents, "respondent", ""), words.Count(f.Warnings, "warning", ""),
					words.Count(f.Withdrawn, "pending e-mail", ""), words.Count(f.Purged, "stored attachment", ""))
			}
			return nil
		},
	}
}

// sha256Hex matches a SHA-256 digest written in hex.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func cmdMigrate() command {
	return command{
		name:    "migrate",
		summary: "bring the database schema up to date",
		examples: []string{
			"surveyworker migrate",
			"surveyworker migrate --data-dir /var/lib/surveyworker",
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"migrate takes no arguments"}
			}
			st, err := a.open(ctx)
			if err != nil {
				return err
			}
			applied, latest, err := st.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "schema at version %d of %d\n", applied, latest)
			return nil
		},
	}
}

func cmdConfig() command {
	return command{
		name:    "config",
		summary: "print the effective configuration with secrets masked",
		examples: []string{
			"surveyworker config",
			"surveyworker config --config /etc/surveyworker.yaml",
		},
		help: configHelp(),
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"config takes no arguments"}
			}
			a.cfg.Dump(a.stdout)
			return nil
		},
	}
}

// configHelp explains where configuration comes from and lists every key
// with its variable and flag.
func configHelp() string {
	var b strings.Builder
	b.WriteString(`Each value comes from the first of: a flag on the command line, its
environment variable, its key in the YAML file named by --config or
SURVEYWORKER_CONFIG, and the default. The output is such a file, which
--config reads back (masked secrets aside). Booleans are true or false
(also yes/no, 1/0), durations are written 90s, 5m or 24h. Not every key has
a flag: secrets do not belong on a command line, which ps and shell history
show, and the SMTP relay is set once per deployment. An invalid value stops
every command but help and version with exit status 2 before anything
starts.

Keys:
`)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  KEY\tVARIABLE\tFLAG")
	fields := configFields()
	for _, k := range configKeys() {
		fl := fields[k].Tag.Get("flag")
		if fl != "" {
			fl = "--" + fl
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", k, fields[k].Tag.Get("env"), fl)
	}
	tw.Flush()
	return b.String()
}

func cmdVersion() command {
	return command{
		name:    "version",
		summary: "print the version, commit and build time (also --version)",
		examples: []string{
			"surveyworker version",
		},
		noConfig: true,
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"version takes no arguments"}
			}
			readBuildInfo().write(a.stdout)
			return nil
		},
	}
}

// printJSON writes v as indented JSON.
func printJSON(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// mustExistDir checks that dir exists and is a directory, creating it when
// create is set.
func mustExistDir(dir string, create bool) error {
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}
