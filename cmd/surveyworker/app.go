package main

import (
	"cmp"
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

	"github.com/surveyworker/surveyworker/internal/logctx"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed, or (ingest) a file was rejected
	exitUsage    = 2 // bad flags, arguments, configuration or files named
	envConfigKey = "SURVEYWORKER_CONFIG"
)

// command is one subcommand.
type command struct {
	name    string // one word, or a group and a word ("practices import")
	args    string // argument synopsis for usage
	summary string
	help    string // longer explanation shown by --help
	flags   func(fs *flag.FlagSet, a *app)
	run     func(ctx context.Context, a *app, args []string) error
	// noConfig marks a command that reads no configuration (version): it
	// works whatever the environment and config file hold.
	noConfig bool
	// examples are whole command lines, each starting "surveyworker NAME",
	// shown by --help.
	examples []string
	// files returns the arguments that name files the command reads, all
	// checked before it starts; nil when its arguments are not files.
	files func(args []string) []string
}

// app is the state one command invocation shares: configuration, logger,
// output streams and, once opened, the database.
type app struct {
	cfg    Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	fs        *flag.FlagSet     // the command's flags
	given     map[string]string // flags on the command line, by name
	cfgFile   string            // the config file read, if any
	fileLines map[string]int    // line of each key the config file set

	st     *store.Store
	server *store.Server
	cat    *survey.Catalogue

	snd         *report.Sender  // see sender
	mailMetrics *report.Metrics // see deliveryMetrics
}

// Run runs the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithEnv(ctx, args, stdout, stderr, os.Getenv)
}

// runWithEnv is Run with the environment read through getenv. Help and the
// version are answered before any configuration is read; everything a
// command could find wrong without the database is checked before it runs.
func runWithEnv(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		printUsage(stdout)
		return exitOK
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 || args[1] == "help" || isHelpFlag(args[1]) {
			printUsage(stdout)
			return exitOK
		}
		args = append(args[1:len(args):len(args)], "--help")
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, rest, group, err := lookup(args)
	if err != nil {
		return reportError(stderr, "", err)
	}
	if group != "" {
		printGroupUsage(stdout, group)
		return exitOK
	}
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv}
	rest, err = a.parse(cmd, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(stdout, cmd, a.fs)
		return exitOK
	}
	if err == nil {
		err = a.checkFiles(cmd, rest)
	}
	if err == nil {
		defer a.close()
		err = cmd.run(ctx, a, rest)
	}
	return reportError(stderr, cmd.name, err)
}

// newFlagSet returns the flags of cmd, bound to a's configuration, with
// the flag package's own error and usage output turned off: reportError and
// printCommandUsage say it once, in one place.
func newFlagSet(cmd command, a *app) *flag.FlagSet {
	fs := flag.NewFlagSet("surveyworker "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if !cmd.noConfig {
		a.cfg.commonFlags(fs)
	}
	if cmd.flags != nil {
		cmd.flags(fs, a)
	}
	return fs
}

// parse reads the flags, then the configuration, and sets up logging. The
// flags are read first, against the defaults, so that --help and a
// mistyped flag are answered the same whatever the configuration holds;
// the configuration (file, then environment) is then laid over the
// defaults and the flags given are set again, so they win.
func (a *app) parse(cmd command, args []string) ([]string, error) {
	a.cfg = DefaultConfig()
	a.fs = newFlagSet(cmd, a)
	pos, err := parseInterspersed(a.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, err
	}
	if err != nil {
		return nil, usageError{flagMessage(a.fs, err)}
	}
	if cmd.noConfig {
		a.log = slog.New(slog.DiscardHandler)
		return pos, nil
	}
	a.given = map[string]string{}
	a.fs.Visit(func(f *flag.Flag) { a.given[f.Name] = f.Value.String() })
	a.cfgFile = cmp.Or(a.given["config"], a.getenv(envConfigKey))
	if a.cfgFile != "" {
		if a.fileLines, err = a.cfg.loadFile(a.cfgFile); err != nil {
			return nil, hintedError{err.Error(), configHint}
		}
	}
	if err := a.cfg.loadEnv(a.getenv); err != nil {
		return nil, hintedError{err.Error(), configHint}
	}
	for name, v := range a.given {
		if err := a.fs.Set(name, v); err != nil {
			return nil, fmt.Errorf("setting --%s again: %w", name, err) // it parsed once
		}
	}
	if err := a.cfg.Validate(); err != nil {
		return nil, a.configError(err)
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

func newLogger(w io.Writer, format, level string) *slog.Logger {
	lvl, _ := parseLevel(level)
	opts := &slog.HandlerOptions{Level: lvl}
	// logctx adds what the context of each line carries: the run_id of a
	// job run, the file and sha256 of the file in hand.
	if format == "json" {
		return slog.New(logctx.NewHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(logctx.NewHandler(slog.NewTextHandler(w, opts)))
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

// checkHMACKey records key's fingerprint in the database at its first use
// and refuses a key other than the one recorded: respondents hashed with
// two keys would be counted twice.
func (a *app) checkHMACKey(ctx context.Context, key []byte) error {
	err := a.st.UseHMACKey(ctx, key)
	var km *store.KeyMismatchError
	if !errors.As(err, &km) {
		return err
	}
	source := "SURVEYWORKER_HMAC_KEY"
	if a.cfg.HMACKey == "" {
		source = "SURVEYWORKER_HMAC_KEY is not set, and the key generated in " +
			filepath.Join(a.cfg.DataDir, "hmac.key")
	}
	return hintedError{
		msg: fmt.Sprintf("%s (fingerprint %s) is not the key this database's respondents were hashed with (fingerprint %s, first used %s); "+
			"ingesting with it would count repeat respondents twice", source, km.Given, km.Stored, km.Since.UTC().Format("2006-01-02")),
		hint: "Set SURVEYWORKER_HMAC_KEY to the same key on every replica and run (see \"The HMAC key\" in docs/OPERATIONS.md).",
	}
}

func redactURL(s string) string { return store.Redact(s) }
