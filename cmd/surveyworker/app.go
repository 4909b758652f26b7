package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed, or (ingest) a file was rejected
	exitUsage    = 2 // bad flags or arguments
	envConfigKey = "SURVEYWORKER_CONFIG"
)

// command is one subcommand.
type command struct {
	name    string
	args    string // argument synopsis for usage
	summary string
	help    string // longer explanation shown by --help
	flags   func(fs *flag.FlagSet, a *app)
	run     func(ctx context.Context, a *app, args []string) error
}

// usageError marks errors that should print usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit code for a failure already reported.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// app is the state one command invocation shares: configuration, logger,
// output streams and, once opened, the database.
type app struct {
	cfg    Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	st     *store.Store
	server *store.Server
	cat    *survey.Catalogue
}

// Run runs the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithEnv(ctx, args, stdout, stderr, os.Getenv)
}

func runWithEnv(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return runWithEnv(ctx, []string{args[1], "--help"}, stdout, stderr, getenv)
		}
		printUsage(stdout)
		return exitOK
	}
	cmd, rest, ok := findCommand(args)
	if !ok {
		fmt.Fprintf(stderr, "surveyworker: unknown command %q\n\n", strings.Join(args, " "))
		printUsage(stderr)
		return exitUsage
	}
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv}
	rest, err := a.parse(cmd, rest)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "surveyworker %s: %v\n", cmd.name, err)
		return exitUsage
	}
	defer a.close()
	err = cmd.run(ctx, a, rest)
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "surveyworker %s: %v\nRun 'surveyworker %s --help' for usage.\n", cmd.name, err, cmd.name)
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "surveyworker %s: %v\n", cmd.name, err)
		return exitFailure
	}
}

// findCommand matches the longest command name ("practices import" before
// "practices") at the start of args.
func findCommand(args []string) (command, []string, bool) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

// parse loads configuration (defaults, file, environment, flags) and sets up
// logging.
func (a *app) parse(cmd command, args []string) ([]string, error) {
	a.cfg = DefaultConfig()
	if p := configPath(args, a.getenv(envConfigKey)); p != "" {
		if _, err := a.cfg.loadFile(p); err != nil {
			return nil, err
		}
	}
	if err := a.cfg.loadEnv(a.getenv); err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet("surveyworker "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	a.cfg.commonFlags(fs)
	if cmd.flags != nil {
		cmd.flags(fs, a)
	}
	fs.Usage = func() { commandUsage(fs.Output(), cmd, fs) }
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(a.stdout)
			fs.Usage()
		}
		return nil, err
	}
	if err := a.cfg.Validate(); err != nil {
		return nil, err
	}
	a.cfg.absPaths()
	a.log = newLogger(a.stderr, a.cfg.LogFormat, a.cfg.LogLevel)
	return pos, nil
}

// parseInterspersed parses flags wherever they are among the arguments
// ("inspect FILE --json" as well as "inspect --json FILE") and returns the
// others in order. Everything after "--" is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// configPath finds --config in args before flags are parsed, so the file can
// supply the flags' defaults.
func configPath(args []string, env string) string {
	for i, s := range args {
		for _, p := range []string{"-config", "--config"} {
			if s == p && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(s, p+"="); ok {
				return v
			}
		}
	}
	return env
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	lvl, _ := parseLevel(level)
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open connects to the database (starting the private server when no
// DATABASE_URL is set), migrates it and syncs the catalogue.
func (a *app) open(ctx context.Context) (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	cat, err := survey.LoadCatalogue(a.cfg.Catalogue)
	if err != nil {
		return nil, err
	}
	a.cat = cat
	dsn := a.cfg.DatabaseURL
	if dsn == "" {
		a.log.Info("DATABASE_URL not set; starting a private PostgreSQL", slog.String("data_dir", filepath.Join(a.cfg.DataDir, "postgres")))
		srv, err := store.StartServer(ctx, store.ServerConfig{DataDir: filepath.Join(a.cfg.DataDir, "postgres"), Logger: a.log})
		if err != nil {
			return nil, err
		}
		a.server = srv
		dsn = srv.URL("")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	a.st = st
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := st.SyncCatalogue(ctx, cat); err != nil {
		return nil, err
	}
	return st, nil
}

// close releases the database and stops a private server, in reverse order
// of opening.
func (a *app) close() {
	if a.st != nil {
		a.st.Close()
	}
	if a.server != nil {
		if err := a.server.Stop(); err != nil {
			a.log.Warn("stopping private PostgreSQL", slog.String("error", err.Error()))
		}
	}
}

// hmacKey returns the configured key, or a random one generated once and
// kept (mode 0600) in the data directory, so repeat submissions are still
// recognised across runs.
func (a *app) hmacKey() ([]byte, error) {
	if a.cfg.HMACKey != "" {
		return []byte(a.cfg.HMACKey), nil
	}
	path := filepath.Join(a.cfg.DataDir, "hmac.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("hmac key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("hmac key: %w", err)
	}
	key := []byte(hex.EncodeToString(raw))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("hmac key: %w", err)
	}
	a.log.Warn("SURVEYWORKER_HMAC_KEY not set; generated a key", slog.String("path", path))
	return key, nil
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `surveyworker turns survey exports from GP practices into a ranked, tiered
IT roadmap workbook and e-mails it to leads.

Usage:
  surveyworker <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'surveyworker <command> --help' for a command's flags.

Without DATABASE_URL, surveyworker starts a private PostgreSQL from the local
installation under --data-dir (default ./.surveyworker) and stops it on exit.
Configuration comes from flags, SURVEYWORKER_* environment variables and an
optional YAML file (--config); 'surveyworker config' prints it with secrets
masked.
`)
}

func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: surveyworker %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.PrintDefaults()
}

func redactURL(s string) string { return store.Redact(s) }
