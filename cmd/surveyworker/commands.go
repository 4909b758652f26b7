package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/surveyworker/surveyworker/ingest"
)

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		cmdRun(), cmdServe(), cmdIngest(), cmdInspect(), cmdRank(), cmdReport(),
		cmdPracticesImport(), cmdForget(), cmdMigrate(), cmdConfig(), cmdVersion(),
	}
}

func cmdForget() command {
	return command{
		name:    "forget",
		args:    "FILE|SHA256...",
		summary: "delete a loaded file and everything loaded from it, so it can be loaded again or erased",
		help: `Each argument is a file (its bytes are hashed) or the SHA-256 of one, as
'ingest --json' and the archive report it. The file's respondents, answers,
comments and warnings are deleted in one transaction; stored rankings keep
their figures until the next ranking run. Use it to load a file again after a
fix to how it is read (the same bytes are otherwise skipped), or to erase a
file's data on request.`,
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
				fmt.Fprintf(a.stdout, "forgot %s (file %d): %d respondents, %d warnings\n", f.Name, f.FileID, f.Respondents, f.Warnings)
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
		summary: "bring the database schema up to date (also done at every start)",
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
		run: func(ctx context.Context, a *app, args []string) error {
			a.cfg.Dump(a.stdout)
			return nil
		},
	}
}

func cmdVersion() command {
	return command{
		name:    "version",
		summary: "print the version",
		run: func(ctx context.Context, a *app, args []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			fmt.Fprintf(a.stdout, "surveyworker %s\n", v)
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
