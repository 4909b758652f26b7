package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
)

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		cmdRun(), cmdServe(), cmdIngest(), cmdInspect(), cmdRank(), cmdReport(),
		cmdPracticesImport(), cmdMigrate(), cmdConfig(), cmdVersion(),
	}
}

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
