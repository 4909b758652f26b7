package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// brokenEnvs are environments no command could run with; help and the
// version must not care.
func brokenEnvs(t *testing.T) map[string]map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "surveyworker.yaml")
	if err := os.WriteFile(file, []byte("inbox: in\nout: out\nshedule: \"0 3 * * *\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]map[string]string{
		"bad log level":        {"SURVEYWORKER_LOG_LEVEL": "loud"},
		"unknown key in file":  {envConfigKey: file},
		"missing config file":  {envConfigKey: filepath.Join(t.TempDir(), "absent.yaml")},
		"bad bool in variable": {"SURVEYWORKER_WEIGHT_BY_LIST_SIZE": "perhaps"},
	}
}

// runEnv runs the command line with env as the whole environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	h := &harness{t: t, env: env}
	return h.run(context.Background(), args...)
}

// TestHelpEveryCommand asks every command and group for help in every way
// a user might, with a configuration that would stop any command: help is
// printed once, on stdout, with examples of that command, and exits 0.
func TestHelpEveryCommand(t *testing.T) {
	names := groups()
	for _, c := range commands() {
		names = append(names, c.name)
	}
	for envName, env := range brokenEnvs(t) {
		for _, name := range names {
			words := strings.Fields(name)
			forms := [][]string{
				append(words[:len(words):len(words)], "--help"),
				append(words[:len(words):len(words)], "-h"),
				append([]string{"help"}, words...),
			}
			for _, args := range forms {
				t.Run(envName+"/"+strings.Join(args, " "), func(t *testing.T) {
					code, out, errOut := runEnv(t, env, args...)
					if code != exitOK || errOut != "" {
						t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut)
					}
					checkHelp(t, out, "surveyworker "+name)
				})
			}
		}
		for _, args := range [][]string{nil, {"--help"}, {"-h"}, {"help"}, {"help", "help"}} {
			t.Run(envName+"/top "+strings.Join(args, " "), func(t *testing.T) {
				code, out, errOut := runEnv(t, env, args...)
				if code != exitOK || errOut != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut)
				}
				if n := strings.Count(out, "Usage:\n  surveyworker <command>"); n != 1 {
					t.Errorf("usage appears %d times:\n%s", n, out)
				}
				checkHelp(t, out, "surveyworker")
			})
		}
	}
}

// checkHelp checks help text out for prog ("surveyworker ingest"): one
// usage line, an Examples section whose lines all run prog, and no line
// wider than 80 columns but examples.
func checkHelp(t *testing.T, out, prog string) {
	t.Helper()
	if prog != "surveyworker" {
		usage := regexp.MustCompile(`(?m)^Usage: ` + regexp.QuoteMeta(prog) + `( |$)`)
		if n := len(usage.FindAllString(out, -1)); n != 1 {
			t.Errorf("%q appears %d times, want once:\n%s", "Usage: "+prog, n, out)
		}
	}
	_, examples, ok := strings.Cut(out, "\nExamples:\n")
	if !ok {
		t.Fatalf("no Examples section:\n%s", out)
	}
	examples, _, _ = strings.Cut(examples, "\n\n")
	for _, line := range strings.Split(strings.TrimRight(examples, "\n"), "\n") {
		if e := strings.TrimPrefix(line, "  "); e != prog && !strings.HasPrefix(e, prog+" ") {
			t.Errorf("example %q does not run %s", line, prog)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		// Examples and words too long for any line may stick out.
		if len([]rune(line)) > 80 && !strings.Contains(examples, line) && len(strings.Fields(line)) > 1 {
			t.Errorf("line wider than 80 columns: %q", line)
		}
	}
}

// TestHelpNamesEveryFlag checks that a command's help lists each of its
// flags once.
func TestHelpNamesEveryFlag(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runEnv(t, nil, append(strings.Fields(c.name), "--help")...)
		if code != exitOK {
			t.Fatalf("%s --help: exit %d", c.name, code)
		}
		newFlagSet(c, &app{cfg: DefaultConfig()}).VisitAll(func(f *flag.Flag) {
			if n := strings.Count(out, "\n  --"+f.Name+" ") + strings.Count(out, "\n  --"+f.Name+"\n"); n != 1 {
				t.Errorf("%s --help lists --%s %d times:\n%s", c.name, f.Name, n, out)
			}
		})
	}
}

// TestUsageErrors checks the shape of every kind of mistake on the command
// line: exit 2, nothing on stdout, the error on one line and a hint on the
// next (a suggestion, when there is one, between them).
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"ingest", "--bogus"}, []string{
			"surveyworker ingest: unknown flag --bogus",
			"Run 'surveyworker ingest --help' for usage."}},
		{[]string{"ingest", "--jsn", "x.csv"}, []string{
			"surveyworker ingest: unknown flag --jsn (did you mean --json?)",
			"Run 'surveyworker ingest --help' for usage."}},
		{[]string{"serve", "--settle", "5"}, []string{
			`surveyworker serve: --settle "5": want a duration such as 5s, 1m or 24h`,
			"Run 'surveyworker serve --help' for usage."}},
		{[]string{"rank", "--resamples", "many"}, []string{
			`surveyworker rank: --resamples "many": want a whole number`,
			"Run 'surveyworker rank --help' for usage."}},
		{[]string{"rank", "--json=maybe"}, []string{
			`surveyworker rank: --json "maybe": want true or false`,
			"Run 'surveyworker rank --help' for usage."}},
		{[]string{"report", "--out"}, []string{
			"surveyworker report: --out needs a value",
			"Run 'surveyworker report --help' for usage."}},
		{[]string{"practices", "import", "-x"}, []string{
			"surveyworker practices import: unknown flag --x",
			"Run 'surveyworker practices import --help' for usage."}},
		{[]string{"version", "--config", "x.yaml"}, []string{
			"surveyworker version: unknown flag --config",
			"Run 'surveyworker version --help' for usage."}},
		{[]string{"ingets", "x.csv"}, []string{
			`surveyworker: unknown command "ingets"`,
			`Did you mean "ingest"?`,
			"Run 'surveyworker --help' for usage."}},
		{[]string{"help", "ingets"}, []string{
			`surveyworker: unknown command "ingets"`,
			`Did you mean "ingest"?`,
			"Run 'surveyworker --help' for usage."}},
		{[]string{"practice", "import", "x.csv"}, []string{
			`surveyworker: unknown command "practice"`,
			`Did you mean "practices import"?`,
			"Run 'surveyworker --help' for usage."}},
		{[]string{"practices", "imprt", "x.csv"}, []string{
			`surveyworker: unknown command "practices imprt"`,
			`Did you mean "practices import"?`,
			"Run 'surveyworker practices --help' for usage."}},
		{[]string{"frobnicate"}, []string{
			`surveyworker: unknown command "frobnicate"`,
			"Run 'surveyworker --help' for usage."}},
		{[]string{"--inbox", "in", "run"}, []string{
			"surveyworker: flag --inbox comes before the command; flags follow it",
			"Did you mean 'surveyworker run --inbox in'?"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runEnv(t, nil, tt.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			if diff := cmp.Diff(tt.want, strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVersion checks both spellings with a broken configuration, with
// and without the values the Makefile sets through -ldflags.
func TestVersion(t *testing.T) {
	saved := [3]string{version, commit, buildTime}
	t.Cleanup(func() { version, commit, buildTime = saved[0], saved[1], saved[2] })
	env := brokenEnvs(t)["unknown key in file"]

	version, commit, buildTime = "v1.4.0-2-gabc1234-dirty", "abc1234def5678", "2026-12-01T02:00:00Z"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runEnv(t, env, args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		want := []string{
			"surveyworker v1.4.0-2-gabc1234-dirty",
			"  commit  abc1234def5678 (modified)",
			"  built   2026-12-01T02:00:00Z",
		}
		if len(lines) != 4 || !strings.HasPrefix(lines[3], "  go      go1.") {
			t.Errorf("%v: got %q, want three lines and the Go version", args, lines)
		} else if diff := cmp.Diff(want, lines[:3]); diff != "" {
			t.Errorf("%v (-want +got):\n%s", args, diff)
		}
	}

	version, commit, buildTime = "", "", ""
	code, out, _ := runEnv(t, env, "version")
	if code != exitOK || !strings.HasPrefix(out, "surveyworker ") || !strings.Contains(out, "  go ") {
		t.Errorf("without -ldflags: exit %d, output %q", code, out)
	}
}

// TestChecksBeforeDatabase gives commands what they would otherwise find
// wrong only after starting PostgreSQL: each exits 2 with the reason and a
// hint, and no server was started in the data directory.
func TestChecksBeforeDatabase(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "responses.csv")
	if err := os.WriteFile(csv, []byte("Timestamp,Practice\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // the first line of stderr
	}{
		{"missing export", nil, []string{"ingest", "missing.csv"},
			"surveyworker ingest: missing.csv: no such file"},
		{"one of several missing", nil, []string{"ingest", csv, "missing.csv", "gone.xlsx"},
			"surveyworker ingest: missing.csv: no such file; 1 other files cannot be read either"},
		{"directory for export", nil, []string{"ingest", dir},
			"surveyworker ingest: " + dir + ": is a directory, not a file"},
		{"missing mapping", nil, []string{"ingest", "--mapping", "autumn.yaml", csv},
			"surveyworker ingest: --mapping autumn.yaml: no such file"},
		{"inspect missing", nil, []string{"inspect", "missing.csv"},
			"surveyworker inspect: missing.csv: no such file"},
		{"registry missing", nil, []string{"practices", "import", "epraccur.csv"},
			"surveyworker practices import: epraccur.csv: no such file"},
		{"forget missing file", nil, []string{"forget", "old.csv"},
			"surveyworker forget: old.csv: no such file"},
		{"missing criteria", nil, []string{"rank", "--criteria", "workshop.csv"},
			"surveyworker rank: --criteria workshop.csv: no such file"},
		{"missing practices", nil, []string{"run", "--practices", "practices.csv"},
			"surveyworker run: --practices practices.csv: no such file"},
		{"missing leads from variable", map[string]string{"SURVEYWORKER_LEADS": "leads.csv"}, []string{"report", "--out", "x.xlsx"},
			`surveyworker report: SURVEYWORKER_LEADS="leads.csv": no such file`},
		{"missing catalogue", nil, []string{"migrate", "--catalogue", "catalogue.yaml"},
			"surveyworker migrate: --catalogue catalogue.yaml: no such file"},
		{"bad schedule", nil, []string{"serve", "--schedule", "every night"},
			`surveyworker serve: --schedule "every night": expected 5 to 6 fields, found 2 (want e.g. "0 2 * * *", 6 fields with seconds, or @every 1h)`},
		{"schedule never fires", map[string]string{"SURVEYWORKER_SCHEDULE": "0 0 30 2 *"}, []string{"serve"},
			`surveyworker serve: SURVEYWORKER_SCHEDULE="0 0 30 2 *": never fires (want e.g. "0 2 * * *", 6 fields with seconds, or @every 1h)`},
		{"bad time zone", nil, []string{"serve", "--time-zone", "Mars/Olympus"},
			`surveyworker serve: --time-zone "Mars/Olympus": want an IANA time zone such as Europe/London or UTC`},
		{"listen address without port", nil, []string{"serve", "--http", "localhost"},
			`surveyworker serve: --http "localhost": want host:port or :port, e.g. :8080`},
		{"listen port out of range", map[string]string{"SURVEYWORKER_HTTP": ":99999"}, []string{"serve"},
			`surveyworker serve: SURVEYWORKER_HTTP=":99999": want a port from 0 to 65535, e.g. :8080`},
		{"named listen port", nil, []string{"serve", "--http", ":http"},
			`surveyworker serve: --http ":http": want a port from 0 to 65535, e.g. :8080`},
		{"bad smtp tls", map[string]string{"SURVEYWORKER_SMTP_TLS": "maybe"}, []string{"run"},
			`surveyworker run: SURVEYWORKER_SMTP_TLS="maybe": want starttls, opportunistic, tls or none`},
		{"bad log format", nil, []string{"run", "--log-format", "xml"},
			`surveyworker run: --log-format "xml": want text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			env := map[string]string{"SURVEYWORKER_DATA_DIR": dataDir}
			for k, v := range tt.env {
				env[k] = v
			}
			code, out, errOut := runEnv(t, env, tt.args...)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if code != exitUsage || out != "" || len(lines) != 2 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing and two lines", code, out, errOut)
			}
			if lines[0] != tt.want {
				t.Errorf("stderr\n got %s\nwant %s", lines[0], tt.want)
			}
			if !strings.HasPrefix(lines[len(lines)-1], "Run 'surveyworker ") {
				t.Errorf("no hint line: %q", errOut)
			}
			if _, err := os.Stat(filepath.Join(dataDir, "postgres")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a private PostgreSQL was started (stat: %v)", err)
			}
		})
	}
}
