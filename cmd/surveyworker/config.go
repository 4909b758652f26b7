package main

import (
	"encoding"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/schedules"
	"github.com/surveyworker/surveyworker/web"
)

// Config is the worker's configuration. Values come from defaults, then an
// optional YAML file (--config or SURVEYWORKER_CONFIG), then the environment,
// then flags; later sources win. Each field's yaml tag is its key in the
// file, its env tag its variable and its flag tag, when it has one, the
// flag of the commands that use it. Secrets, and the SMTP settings that are
// set once per deployment, have no flag: a command line shows in ps and in
// shell history.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string. Empty means start a
	// private PostgreSQL under DataDir.
	DatabaseURL string `yaml:"database_url" env:"DATABASE_URL" secret:"true"`
	// DataDir holds the private PostgreSQL and the generated HMAC key.
	DataDir string `yaml:"data_dir" env:"SURVEYWORKER_DATA_DIR" flag:"data-dir"`
	// Catalogue is a workstream catalogue YAML file; empty uses the built-in one.
	Catalogue string `yaml:"catalogue" env:"SURVEYWORKER_CATALOGUE" flag:"catalogue"`
	// Practices is a practice registry CSV imported at the start of each cycle
	// when set.
	Practices string `yaml:"practices" env:"SURVEYWORKER_PRACTICES" flag:"practices"`
	// HMACKey keys the hash that replaces respondents' e-mail addresses. Empty
	// means a random key generated once and kept in DataDir.
	HMACKey string `yaml:"hmac_key" env:"SURVEYWORKER_HMAC_KEY" secret:"true"`
	// Inbox is the watched folder of survey exports.
	Inbox string `yaml:"inbox" env:"SURVEYWORKER_INBOX" flag:"inbox"`
	// Mappings is the folder of mapping files that apply automatically to
	// the exports they fit; empty means the mappings folder of the inbox.
	Mappings string `yaml:"mappings" env:"SURVEYWORKER_MAPPINGS" flag:"mappings"`
	// Out is where workbooks (and .eml files when no SMTP host is set) go.
	Out string `yaml:"out" env:"SURVEYWORKER_OUT" flag:"out"`
	// Leads is the file of report recipients: CSV (name,email and
	// optionally federations) or YAML.
	Leads string `yaml:"leads" env:"SURVEYWORKER_LEADS" flag:"leads"`
	// SendUnchanged e-mails a lead the report even when nothing changed
	// since the last report they received.
	SendUnchanged bool `yaml:"send_unchanged" env:"SURVEYWORKER_SEND_UNCHANGED" flag:"send-unchanged"`
	// Schedule is the cron spec of the full cycle.
	Schedule string `yaml:"schedule" env:"SURVEYWORKER_SCHEDULE" flag:"schedule"`
	// TimeZone is the IANA zone the schedule and report times use.
	TimeZone string `yaml:"time_zone" env:"SURVEYWORKER_TIME_ZONE" flag:"time-zone"`
	// Settle is how long an inbox file must stop changing before it is read.
	Settle time.Duration `yaml:"settle" env:"SURVEYWORKER_SETTLE" flag:"settle"`
	// WeightByListSize weights practices by their registered list size in
	// practice priority instead of one practice, one vote.
	WeightByListSize bool `yaml:"weight_by_list_size" env:"SURVEYWORKER_WEIGHT_BY_LIST_SIZE" flag:"weight-by-list-size"`
	// CatchUp is how far back a scheduled run missed while serve was down
	// is run at start-up; 0 turns catching up off.
	CatchUp time.Duration `yaml:"catch_up" env:"SURVEYWORKER_CATCH_UP" flag:"catch-up"`
	// Partial is "exclude" (the default) to leave out the responses a
	// platform marks partial, or "include" to load them; either way they
	// are counted.
	Partial string `yaml:"partial" env:"SURVEYWORKER_PARTIAL" flag:"partial"`
	// HTTP is the listen address of /healthz, /readyz and /metrics; empty
	// disables it.
	HTTP string `yaml:"http" env:"SURVEYWORKER_HTTP" flag:"http"`
	// Lease is how long a worker's claim on an inbox file lasts unless
	// renewed: a file whose worker died is read by another this long after.
	Lease time.Duration `yaml:"lease" env:"SURVEYWORKER_LEASE" flag:"lease"`
	// RerankInterval is the least time between two rankings recomputed
	// after watched files added data.
	RerankInterval time.Duration `yaml:"rerank_interval" env:"SURVEYWORKER_RERANK_INTERVAL" flag:"rerank-interval"`
	// Parallel is how many inbox files one process reads at once.
	Parallel int `yaml:"parallel" env:"SURVEYWORKER_PARALLEL" flag:"parallel"`
	// SMTPHost is the mail relay; empty writes .eml files instead of sending.
	SMTPHost string `yaml:"smtp_host" env:"SURVEYWORKER_SMTP_HOST"`
	// SMTPPort is the relay's port.
	SMTPPort int `yaml:"smtp_port" env:"SURVEYWORKER_SMTP_PORT"`
	// SMTPUsername and SMTPPassword authenticate to the relay when set.
	SMTPUsername string `yaml:"smtp_username" env:"SURVEYWORKER_SMTP_USERNAME"`
	SMTPPassword string `yaml:"smtp_password" env:"SURVEYWORKER_SMTP_PASSWORD" secret:"true"`
	// SMTPFrom is the sender address.
	SMTPFrom string `yaml:"smtp_from" env:"SURVEYWORKER_SMTP_FROM"`
	// SMTPTLS is "starttls" (required), "opportunistic", "tls" or "none".
	SMTPTLS string `yaml:"smtp_tls" env:"SURVEYWORKER_SMTP_TLS"`
	// SMTPTimeout bounds each SMTP command: a relay that does not answer
	// within it fails the attempt, which is retried later.
	SMTPTimeout time.Duration `yaml:"smtp_timeout" env:"SURVEYWORKER_SMTP_TIMEOUT"`
	// DeliveryMaxAge is how long an e-mail that could not be delivered is
	// retried before it is marked failed.
	DeliveryMaxAge time.Duration `yaml:"delivery_max_age" env:"SURVEYWORKER_DELIVERY_MAX_AGE"`
	// Operator is the address told, once per run of failures, when the
	// nightly cycle fails; empty tells no one.
	Operator string `yaml:"operator" env:"SURVEYWORKER_OPERATOR"`
	// LogFormat is "text" or "json".
	LogFormat string `yaml:"log_format" env:"SURVEYWORKER_LOG_FORMAT" flag:"log-format"`
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string `yaml:"log_level" env:"SURVEYWORKER_LOG_LEVEL" flag:"log-level"`
	// Users is the web interface's users file; empty turns the web
	// interface off.
	Users string `yaml:"users" env:"SURVEYWORKER_USERS" flag:"users"`
	// UploadLimit is the largest upload the web interface accepts, all
	// its files together.
	UploadLimit ByteSize `yaml:"upload_limit" env:"SURVEYWORKER_UPLOAD_LIMIT" flag:"upload-limit"`
	// SessionKey signs the web interface's session cookies; at least 32
	// characters. Empty means a random key generated once and kept in
	// DataDir.
	SessionKey string `yaml:"session_key" env:"SURVEYWORKER_SESSION_KEY" secret:"true"`
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		DataDir:        ".surveyworker",
		Inbox:          "inbox",
		Out:            "out",
		Schedule:       "0 2 * * *",
		TimeZone:       "Europe/London",
		Settle:         5 * time.Second,
		CatchUp:        24 * time.Hour,
		Partial:        "exclude",
		Lease:          schedules.DefaultLease,
		Parallel:       schedules.DefaultParallel,
		RerankInterval: schedules.DefaultRerankInterval,
		SMTPPort:       587,
		SMTPFrom:       "surveyworker@localhost",
		SMTPTLS:        "starttls",
		SMTPTimeout:    report.DefaultSMTPTimeout,
		DeliveryMaxAge: report.DefaultMaxAge,
		LogFormat:      "text",
		LogLevel:       "info",
		UploadLimit:    web.DefaultUploadLimit,
	}
}

// loadFile overlays the YAML file at path onto c and returns the line of
// each key it set. Values are read as the environment's are (setField), so
// "weight_by_list_size: yes" and SURVEYWORKER_WEIGHT_BY_LIST_SIZE=yes mean
// the same. An unknown key is an error naming its line and the nearest key.
func (c *Config) loadFile(path string) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s line %d: want key: value lines such as \"schedule: 0 2 * * *\"", path, root.Line)
	}
	v := reflect.ValueOf(c).Elem()
	fields := configFields()
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			return nil, fmt.Errorf("config %s line %d: %s", path, k.Line, unknownKey(k.Value))
		}
		if first, dup := lines[k.Value]; dup {
			return nil, fmt.Errorf("config %s line %d: %q is already set on line %d", path, k.Line, k.Value, first)
		}
		lines[k.Value] = k.Line
		if val.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("config %s line %d: %s: want a single value, not a list or keys", path, val.Line, k.Value)
		}
		fv := v.FieldByIndex(f.Index)
		if val.Tag == "!!null" {
			fv.SetZero() // "http:" with nothing after it turns the listener off
			continue
		}
		if err := setField(fv, val.Value); err != nil {
			return nil, fmt.Errorf("config %s line %d: %s %q: %w", path, val.Line, k.Value, maskIfSecret(f, val.Value), err)
		}
	}
	return lines, nil
}

// configFields returns the fields of Config by YAML key.
func configFields() map[string]reflect.StructField {
	t := reflect.TypeFor[Config]()
	m := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		m[t.Field(i).Tag.Get("yaml")] = t.Field(i)
	}
	return m
}

// configKeys returns the YAML keys of Config in sorted order.
func configKeys() []string {
	return slices.Sorted(maps.Keys(configFields()))
}

// unknownKey describes key, which is not a configuration key: with the
// nearest key when one is close, else with the list of keys.
func unknownKey(key string) string {
	keys := configKeys()
	if s := nearest(key, keys); s != "" {
		return fmt.Sprintf("unknown key %q (did you mean %q?)", key, s)
	}
	return fmt.Sprintf("unknown key %q; the keys are %s", key, strings.Join(keys, ", "))
}

// loadEnv overlays the environment variables named in the env tags onto c.
// An empty variable counts as unset.
func (c *Config) loadEnv(getenv func(string) string) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("env")
		s := getenv(name)
		if name == "" || s == "" {
			continue
		}
		if err := setField(v.Field(i), s); err != nil {
			return fmt.Errorf("%s=%q: %w", name, maskIfSecret(t.Field(i), s), err)
		}
	}
	return nil
}

// setField sets f, a field of Config, from its text form s: what the
// field's type reads as text (a [ByteSize]), a duration such as 5s or
// 1m30s, a whole number, a bool (true/false, yes/no or 1/0 in any case) or
// a string taken as it is.
func setField(f reflect.Value, s string) error {
	if u, ok := f.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	if f.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return errors.New("want a duration such as 5s, 1m or 24h")
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := parseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, f.Type().Bits())
		if err != nil {
			return errors.New("want a whole number")
		}
		f.SetInt(n)
	default:
		// Only reachable by giving Config a field of a new type; the
		// tests set every field.
		return fmt.Errorf("cannot set a %s from text", f.Type())
	}
	return nil
}

// parseBool reads true/false, yes/no and 1/0, in any case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, errors.New("want true or false (or yes/no, 1/0)")
}

// A FieldError is a configuration value that is not valid. Key is the
// YAML key; the caller knows whether it came from a flag, a variable or
// the file, and says so.
type FieldError struct {
	Key   string // YAML key, e.g. "time_zone"
	Value string // the value, masked if secret
	Err   error
}

// Error returns the key, the value and what is wrong with it.
func (e *FieldError) Error() string { return fmt.Sprintf("%s %q: %v", e.Key, e.Value, e.Err) }

// Unwrap returns what is wrong with the value.
func (e *FieldError) Unwrap() error { return e.Err }

// Validate checks every value that would otherwise fail late, after the
// database has started or at the first scheduled run, and returns a
// [*FieldError] for the first that does not hold. It reads no files and
// binds no ports.
func (c *Config) Validate() error {
	bad := func(key, value, format string, args ...any) error {
		return &FieldError{Key: key, Value: value, Err: fmt.Errorf(format, args...)}
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		return bad("time_zone", c.TimeZone, "want an IANA time zone such as Europe/London or UTC")
	}
	if _, err := schedules.ParseSchedule(c.Schedule, loc); err != nil {
		return bad("schedule", c.Schedule, "%s (want e.g. \"0 2 * * *\", 6 fields with seconds, or @every 1h)", scheduleProblem(err, c.Schedule))
	}
	if err := checkListenAddr(c.HTTP); err != nil {
		return bad("http", c.HTTP, "%v", err)
	}
	switch c.SMTPTLS {
	case "starttls", "opportunistic", "tls", "none":
	default:
		return bad("smtp_tls", c.SMTPTLS, "want starttls, opportunistic, tls or none")
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return bad("smtp_port", strconv.Itoa(c.SMTPPort), "want a port from 1 to 65535")
	}
	if c.SMTPTimeout <= 0 {
		return bad("smtp_timeout", c.SMTPTimeout.String(), "must be more than 0, e.g. 30s")
	}
	if c.DeliveryMaxAge <= 0 {
		return bad("delivery_max_age", c.DeliveryMaxAge.String(), "must be more than 0, e.g. 24h")
	}
	if _, err := mail.ParseAddress(c.Operator); c.Operator != "" && err != nil {
		return bad("operator", c.Operator, "want an e-mail address such as ops@example.nhs.uk")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return bad("log_format", c.LogFormat, "want text or json")
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return bad("log_level", c.LogLevel, "want debug, info, warn or error")
	}
	if c.CatchUp < 0 {
		return bad("catch_up", c.CatchUp.String(), "must not be negative")
	}
	if c.Settle < 0 {
		return bad("settle", c.Settle.String(), "must not be negative")
	}
	if c.Lease < 3*time.Second {
		return bad("lease", c.Lease.String(), "want at least 3s: the lease is renewed every third of it")
	}
	if c.RerankInterval < 0 {
		return bad("rerank_interval", c.RerankInterval.String(), "must not be negative")
	}
	if c.Parallel < 1 {
		return bad("parallel", strconv.Itoa(c.Parallel), "want at least 1")
	}
	if _, err := ingest.ParsePartial(c.Partial); err != nil || c.Partial == "" {
		return bad("partial", c.Partial, "want include or exclude")
	}
	if c.UploadLimit <= 0 {
		return bad("upload_limit", c.UploadLimit.String(), "want a size above zero, such as 100MB")
	}
	if c.SessionKey != "" && len(c.SessionKey) < web.MinSessionKey {
		return bad("session_key", "xxxxx", "want at least %d characters", web.MinSessionKey)
	}
	return nil
}

// scheduleProblem returns what err, from schedules.ParseSchedule, says is
// wrong with spec, without the spec the message repeats ("schedules:
// schedule "x": ... found 1: [x]").
func scheduleProblem(err error, spec string) string {
	msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("schedules: schedule %q", spec))
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, ":"), " ")
	if i := strings.LastIndex(msg, ": ["); i >= 0 && strings.HasSuffix(msg, "]") {
		msg = msg[:i]
	}
	return msg
}

// checkListenAddr checks the syntax of a listen address such as :8080 or
// 127.0.0.1:8080 without binding it; empty is allowed (no listener).
func checkListenAddr(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port or :port, e.g. :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("want a port from 0 to 65535, e.g. :8080")
	}
	return nil
}

// Location returns the configured time zone; Validate has checked it.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Dump writes the configuration as a YAML file that --config reads back,
// with secrets masked: one key a line, in order, each with its variable and
// flag in a comment.
func (c *Config) Dump(w io.Writer) {
	v := reflect.ValueOf(c).Elem()
	fields := configFields()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, key := range configKeys() {
		f := fields[key]
		val := maskIfSecret(f, fmt.Sprint(v.FieldByIndex(f.Index).Interface()))
		if f.Type.Kind() == reflect.String {
			val = strconv.Quote(val)
		}
		src := f.Tag.Get("env")
		if fl := f.Tag.Get("flag"); fl != "" {
			src += ", --" + fl
		}
		fmt.Fprintf(tw, "%s: %s\t# %s\n", key, val, src)
	}
	tw.Flush()
}

func maskIfSecret(f reflect.StructField, s string) string {
	if f.Tag.Get("secret") == "" || s == "" {
		return s
	}
	if f.Name == "DatabaseURL" {
		return redactURL(s)
	}
	return "xxxxx"
}

// commonFlags registers the flags every subcommand shares.
func (c *Config) commonFlags(fs *flag.FlagSet) {
	fs.String("config", "", "YAML configuration `file` (SURVEYWORKER_CONFIG); keys as in 'surveyworker config'")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`dir` for the private PostgreSQL and generated key (SURVEYWORKER_DATA_DIR)")
	fs.StringVar(&c.Catalogue, "catalogue", c.Catalogue, "workstream catalogue YAML `file`; default built in (SURVEYWORKER_CATALOGUE)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json (SURVEYWORKER_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn or error (SURVEYWORKER_LOG_LEVEL)")
}

// MappingsDir returns the folder of mapping files: Mappings, or the
// mappings folder of the inbox.
func (c *Config) MappingsDir() string {
	if c.Mappings != "" {
		return c.Mappings
	}
	return filepath.Join(c.Inbox, ingest.MappingsDir)
}

// partialFlag registers --partial.
func (c *Config) partialFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.Partial, "partial", c.Partial, "include or exclude (the `mode`) the responses a platform marks partial; counted either way (SURVEYWORKER_PARTIAL)")
}

// sendUnchangedFlag registers --send-unchanged.
func (c *Config) sendUnchangedFlag(fs *flag.FlagSet) {
	fs.BoolVar(&c.SendUnchanged, "send-unchanged", c.SendUnchanged,
		"e-mail a lead even when nothing changed since the last report they received (SURVEYWORKER_SEND_UNCHANGED)")
}

// mappingsFlag registers --mappings.
func (c *Config) mappingsFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.Mappings, "mappings", c.Mappings, "`dir` of mapping files applied to the exports they fit; default INBOX/mappings (SURVEYWORKER_MAPPINGS)")
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log_level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// absPaths makes relative paths absolute so that later chdirs (none today)
// and log lines are unambiguous.
func (c *Config) absPaths() {
	for _, p := range []*string{&c.DataDir, &c.Inbox, &c.Out, &c.Mappings, &c.Users} {
		if *p != "" {
			if a, err := filepath.Abs(*p); err == nil {
				*p = a
			}
		}
	}
}
