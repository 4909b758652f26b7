package main

import (
	"errors"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// parseConfig parses the command line, which starts with a command's name,
// with env as the whole environment, and returns the configuration the
// command would run with.
func parseConfig(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	cmd, rest, group, err := lookup(args)
	if err != nil || group != "" {
		t.Fatalf("lookup %q: %v %q", args, err, group)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return env[k] }}
	_, err = a.parse(cmd, rest)
	return a.cfg, err
}

// flagCommand returns the name of the first command that takes --name.
func flagCommand(t *testing.T, name string) string {
	t.Helper()
	for _, c := range commands() {
		if newFlagSet(c, &app{cfg: DefaultConfig()}).Lookup(name) != nil {
			return c.name
		}
	}
	t.Fatalf("no command takes --%s", name)
	return ""
}

// keyValues returns valid values of the field with YAML key key, for the
// file, the environment and a flag: the first differs from the default and
// each of the others from the one before, so every step of precedence
// shows. A new key of a type not here fails the test until it is added.
func keyValues(t *testing.T, f reflect.StructField, dir string) [3]string {
	t.Helper()
	key := f.Tag.Get("yaml")
	special := map[string][3]string{
		"time_zone":    {"America/New_York", "Asia/Tokyo", "UTC"},
		"schedule":     {"0 3 * * *", "*/30 * * * * *", "@every 1h"},
		"http":         {":8081", "127.0.0.1:8082", "[::1]:8083"},
		"smtp_tls":     {"tls", "none", "opportunistic"},
		"operator":     {"ops@example.org", "Ops <ops@example.nhs.uk>", "night-duty@example.org"},
		"log_format":   {"json", "text", "json"},
		"log_level":    {"debug", "warn", "error"},
		"partial":      {"include", "exclude", "include"},
		"database_url": {"postgres://sw:file-pw@db.example/sw", "postgres://sw:env-pw@db.example/sw", "postgres://sw:flag-pw@db.example/sw"},
		"upload_limit": {"5MB", "200 mb", "1GB"},
		"session_key":  {strings.Repeat("file-key-", 4), strings.Repeat("env-key-", 5), strings.Repeat("flag-key-", 4)},
	}
	if v, ok := special[key]; ok {
		return v
	}
	switch f.Type {
	case reflect.TypeFor[time.Duration]():
		return [3]string{"7s", "8m", "9h"}
	case reflect.TypeFor[bool]():
		return [3]string{"yes", "FALSE", "true"}
	case reflect.TypeFor[int]():
		return [3]string{"2525", "2526", "2527"}
	case reflect.TypeFor[string]():
		// Absolute paths, which every string key takes, and files that
		// exist for the keys naming files to read.
		var v [3]string
		for i, src := range []string{"file", "env", "flag"} {
			v[i] = filepath.Join(dir, src+"-"+key)
			if err := os.WriteFile(v[i], nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	t.Fatalf("key %s: no test values for a %s; add some to keyValues", key, f.Type)
	return [3]string{}
}

// valueOf returns what setField makes of s for a field of type typ.
func valueOf(t *testing.T, typ reflect.Type, s string) any {
	t.Helper()
	v := reflect.New(typ).Elem()
	if err := setField(v, s); err != nil {
		t.Fatalf("setField(%s, %q): %v", typ, s, err)
	}
	return v.Interface()
}

// TestConfigEveryKey sets every key of Config, found by reflection so that
// no new key is left out, through the config file (SURVEYWORKER_CONFIG and
// --config), its environment variable and its flag when it has one, and
// checks the value a command runs with: flag over variable over file over
// default. 'surveyworker config' shows the value so that --config reads it
// back, and 'surveyworker config --help' lists the key.
func TestConfigEveryKey(t *testing.T) {
	_, keysHelp, _ := runEnv(t, nil, "config", "--help")
	def := reflect.ValueOf(DefaultConfig())
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		key, envName, flagName := f.Tag.Get("yaml"), f.Tag.Get("env"), f.Tag.Get("flag")
		t.Run(f.Name, func(t *testing.T) {
			if key == "" || envName == "" {
				t.Fatalf("field %s needs a yaml and an env tag", f.Name)
			}
			dir := t.TempDir()
			vals := keyValues(t, f, dir)
			var want [3]any
			for i, s := range vals {
				want[i] = valueOf(t, f.Type, s)
			}
			if want[0] == def.FieldByIndex(f.Index).Interface() || want[1] == want[0] || want[2] == want[1] {
				t.Fatalf("test values %q do not show each step of precedence", vals)
			}
			file := filepath.Join(dir, "surveyworker.yaml")
			if err := os.WriteFile(file, []byte(key+": "+strconv.Quote(vals[0])+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmdWords := []string{"config"}
			if flagName != "" {
				cmdWords = strings.Fields(flagCommand(t, flagName))
			}
			check := func(step string, env map[string]string, extra []string, want any) {
				t.Helper()
				cfg, err := parseConfig(t, env, append(cmdWords[:len(cmdWords):len(cmdWords)], extra...)...)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if got := reflect.ValueOf(cfg).FieldByIndex(f.Index).Interface(); got != want {
					t.Errorf("%s: %s = %v, want %v", step, key, got, want)
				}
			}
			check("variable alone", map[string]string{envName: vals[0]}, nil, want[0])
			check("file by SURVEYWORKER_CONFIG", map[string]string{envConfigKey: file}, nil, want[0])
			check("file by --config", nil, []string{"--config", file}, want[0])
			both := map[string]string{envConfigKey: file, envName: vals[1]}
			check("variable over file", both, nil, want[1])
			if flagName != "" {
				check("flag over variable", both, []string{"--" + flagName + "=" + vals[2]}, want[2])
			}

			code, out, errOut := runEnv(t, both, "config")
			if code != exitOK {
				t.Fatalf("config: exit %d, stderr %s", code, errOut)
			}
			if f.Tag.Get("secret") != "" {
				secret := vals[1]
				if u, err := url.Parse(secret); err == nil && u.User != nil {
					secret, _ = u.User.Password() // the rest of a URL is no secret
				}
				if strings.Contains(out, secret) {
					t.Errorf("config shows the secret %s:\n%s", key, out)
				}
			} else {
				dumped := filepath.Join(dir, "dumped.yaml")
				if err := os.WriteFile(dumped, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				cfg := DefaultConfig()
				if _, err := cfg.loadFile(dumped); err != nil {
					t.Fatalf("config output does not read back: %v\n%s", err, out)
				}
				if got := reflect.ValueOf(cfg).FieldByIndex(f.Index).Interface(); got != want[1] {
					t.Errorf("config output read back: %s = %v, want %v\n%s", key, got, want[1], out)
				}
			}
			line := "  " + key + " "
			if !strings.Contains(keysHelp, line) || !strings.Contains(keysHelp, envName) ||
				(flagName != "" && !strings.Contains(keysHelp, "--"+flagName)) {
				t.Errorf("config --help does not list %s, %s and its flag:\n%s", key, envName, keysHelp)
			}
		})
	}
}

// writeFile writes content to path, failing the test if it cannot.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFlagTags checks the flag tags of Config against the flags commands
// register: every flag that sets a Config field is that field's tag, and
// every tag is a flag of some command.
func TestFlagTags(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		a := &app{cfg: DefaultConfig()}
		fs := newFlagSet(c, a)
		cfg := reflect.ValueOf(&a.cfg).Elem()
		fs.VisitAll(func(fl *flag.Flag) {
			p := reflect.ValueOf(fl.Value).Pointer()
			for _, f := range reflect.VisibleFields(cfg.Type()) {
				if cfg.FieldByIndex(f.Index).Addr().Pointer() != p {
					continue
				}
				if tag := f.Tag.Get("flag"); tag != fl.Name {
					t.Errorf("%s --%s sets %s, whose flag tag is %q", c.name, fl.Name, f.Name, tag)
				}
				seen[fl.Name] = true
			}
		})
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		if tag := f.Tag.Get("flag"); tag != "" && !seen[tag] {
			t.Errorf("%s has flag tag %q, but no command's --%s sets it", f.Name, tag, tag)
		}
	}
}

// TestConfigFlagNamesFile checks that --config wins over
// SURVEYWORKER_CONFIG.
func TestConfigFlagNamesFile(t *testing.T) {
	dir := t.TempDir()
	byFlag, byEnv := filepath.Join(dir, "flag.yaml"), filepath.Join(dir, "env.yaml")
	writeFile(t, byFlag, "settle: 11s\n")
	writeFile(t, byEnv, "settle: 22s\nshedule: x\n")
	cfg, err := parseConfig(t, map[string]string{envConfigKey: byEnv}, "config", "--config", byFlag)
	if err != nil || cfg.Settle != 11*time.Second {
		t.Errorf("got settle %v, %v; want 11s from --config", cfg.Settle, err)
	}
}

// TestConfigFile checks how config files are read, and that every mistake
// in one names the file, the line and what is wrong.
func TestConfigFile(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(Config) bool // for files that read
		err        string            // after "config FILE"
	}{
		{name: "empty", yaml: "", check: func(c Config) bool { return c == DefaultConfig() }},
		{name: "comment only", yaml: "# nothing yet\n", check: func(c Config) bool { return c == DefaultConfig() }},
		{name: "bool yes", yaml: "weight_by_list_size: yes\n", check: func(c Config) bool { return c.WeightByListSize }},
		{name: "yaml true", yaml: "weight_by_list_size: true\n", check: func(c Config) bool { return c.WeightByListSize }},
		{name: "null is zero", yaml: "catch_up:\n", check: func(c Config) bool { return c.CatchUp == 0 }},
		{name: "quoted schedule", yaml: `schedule: "*/5 * * * *"` + "\n", check: func(c Config) bool { return c.Schedule == "*/5 * * * *" }},
		{name: "typo", yaml: "inbox: in\nout: out\nshedule: \"0 3 * * *\"\n",
			err: ` line 3: unknown key "shedule" (did you mean "schedule"?)`},
		{name: "unknown", yaml: "frobnicate: 1\n",
			err: ` line 1: unknown key "frobnicate"; the keys are ` + strings.Join(configKeys(), ", ")},
		{name: "env name as key", yaml: "SURVEYWORKER_INBOX: in\n",
			err: ` line 1: unknown key "SURVEYWORKER_INBOX"; the keys are ` + strings.Join(configKeys(), ", ")},
		{name: "duration without unit", yaml: "settle: 5\n",
			err: ` line 1: settle "5": want a duration such as 5s, 1m or 24h`},
		{name: "bad bool", yaml: "weight_by_list_size: perhaps\n",
			err: ` line 1: weight_by_list_size "perhaps": want true or false (or yes/no, 1/0)`},
		{name: "bad number", yaml: "smtp_port: many\n",
			err: ` line 1: smtp_port "many": want a whole number`},
		{name: "secret masked", yaml: "smtp_password: [hunter2\n", err: ": yaml: "},
		{name: "twice", yaml: "inbox: a\nout: b\ninbox: c\n",
			err: ` line 3: "inbox" is already set on line 1`},
		{name: "list", yaml: "inbox:\n  - a\n  - b\n",
			err: ` line 2: inbox: want a single value, not a list or keys`},
		{name: "not a mapping", yaml: "- inbox\n",
			err: ` line 1: want key: value lines such as "schedule: 0 2 * * *"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "sw.yaml")
			if err := os.WriteFile(file, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			_, err := cfg.loadFile(file)
			if tt.err == "" {
				if err != nil || !tt.check(cfg) {
					t.Errorf("got %+v, %v", cfg, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "config "+file+tt.err) {
				t.Fatalf("error\n got %v\nwant config %s%s", err, file, tt.err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows a secret: %v", err)
			}
			code, out, errOut := runEnv(t, map[string]string{envConfigKey: file}, "config")
			if want := "surveyworker config: " + err.Error() + "\n" + configHint + "\n"; code != exitUsage || out != "" || errOut != want {
				t.Errorf("config: exit %d, stdout %q, stderr\n%s\nwant exit 2 and\n%s", code, out, errOut, want)
			}
		})
	}
	if _, err := (&Config{}).loadFile(filepath.Join(t.TempDir(), "absent.yaml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("absent file: %v", err)
	}
}

// TestConfigLineOfBadValue checks that a value the file sets which
// Validate rejects is reported by its line.
func TestConfigLineOfBadValue(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sw.yaml")
	writeFile(t, file, "inbox: in\ntime_zone: Mars/Olympus\n")
	code, _, errOut := runEnv(t, map[string]string{envConfigKey: file}, "serve")
	want := "surveyworker serve: config " + file + ` line 2: time_zone "Mars/Olympus": want an IANA time zone such as Europe/London or UTC` + "\n" + configHint + "\n"
	if code != exitUsage || errOut != want {
		t.Errorf("exit %d, stderr\n%s\nwant 2 and\n%s", code, errOut, want)
	}
}

// TestValidate checks that Validate names the key of each value it
// rejects, and accepts the forms of the values that are valid.
func TestValidate(t *testing.T) {
	bad := []struct {
		key string
		set func(*Config)
	}{
		{"time_zone", func(c *Config) { c.TimeZone = "Mars/Olympus" }},
		{"time_zone", func(c *Config) { c.TimeZone = "" }},
		{"schedule", func(c *Config) { c.Schedule = "every night" }},
		{"schedule", func(c *Config) { c.Schedule = "0 0 30 2 *" }},
		{"schedule", func(c *Config) { c.Schedule = "TZ=Mars/Olympus 0 2 * * *" }},
		{"http", func(c *Config) { c.HTTP = "localhost" }},
		{"http", func(c *Config) { c.HTTP = ":99999" }},
		{"http", func(c *Config) { c.HTTP = ":http" }},
		{"smtp_tls", func(c *Config) { c.SMTPTLS = "maybe" }},
		{"smtp_port", func(c *Config) { c.SMTPPort = 0 }},
		{"smtp_port", func(c *Config) { c.SMTPPort = 70000 }},
		{"log_format", func(c *Config) { c.LogFormat = "xml" }},
		{"log_level", func(c *Config) { c.LogLevel = "loud" }},
		{"catch_up", func(c *Config) { c.CatchUp = -time.Hour }},
		{"settle", func(c *Config) { c.Settle = -time.Second }},
		{"smtp_timeout", func(c *Config) { c.SMTPTimeout = 0 }},
		{"delivery_max_age", func(c *Config) { c.DeliveryMaxAge = -time.Hour }},
		{"operator", func(c *Config) { c.Operator = "not an address" }},
	}
	for _, tt := range bad {
		c := DefaultConfig()
		tt.set(&c)
		var fe *FieldError
		if err := c.Validate(); !errors.As(err, &fe) || fe.Key != tt.key {
			t.Errorf("%+v: Validate() = %v, want a FieldError for %s", c, err, tt.key)
		}
	}
	good := []func(*Config){
		func(c *Config) {},
		func(c *Config) { c.HTTP = ":8080" },
		func(c *Config) { c.HTTP = "127.0.0.1:0" },
		func(c *Config) { c.HTTP = "[::1]:8080" },
		func(c *Config) { c.Schedule, c.TimeZone = "*/30 * * * * *", "UTC" },
		func(c *Config) { c.Schedule = "@every 1h" },
		func(c *Config) { c.Schedule = "CRON_TZ=Asia/Tokyo 0 9 * * 1-5" },
		func(c *Config) { c.SMTPTLS, c.SMTPPort, c.LogFormat, c.LogLevel = "none", 25, "json", "debug" },
	}
	for _, set := range good {
		c := DefaultConfig()
		set(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: Validate() = %v", c, err)
		}
	}
}

func TestSetField(t *testing.T) {
	tests := []struct {
		in   string
		want any    // a value of the field's type
		err  string // when it does not parse
	}{
		{in: "true", want: true},
		{in: "TRUE", want: true},
		{in: "Yes", want: true},
		{in: "1", want: true},
		{in: " yes ", want: true},
		{in: "false", want: false},
		{in: "No", want: false},
		{in: "0", want: false},
		{in: "perhaps", want: false, err: "want true or false (or yes/no, 1/0)"},
		{in: "", want: false, err: "want true or false (or yes/no, 1/0)"},
		{in: "587", want: 587},
		{in: " 25 ", want: 25},
		{in: "-1", want: -1},
		{in: "5.5", want: 0, err: "want a whole number"},
		{in: "90s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "5", want: time.Duration(0), err: "want a duration such as 5s, 1m or 24h"},
		{in: " as is ", want: " as is "},
		{in: "", want: ""},
	}
	for _, tt := range tests {
		v := reflect.New(reflect.TypeOf(tt.want)).Elem()
		err := setField(v, tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("setField(%T, %q): error %v, want %q", tt.want, tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("setField(%T, %q): %v", tt.want, tt.in, err)
		case tt.err == "" && v.Interface() != tt.want:
			t.Errorf("setField(%T, %q) = %v, want %v", tt.want, tt.in, v.Interface(), tt.want)
		}
	}
	if err := setField(reflect.New(reflect.TypeFor[[]string]()).Elem(), "x"); err == nil {
		t.Error("setField of a slice: no error")
	}
}

// TestConfigDefaultsReadBack checks that 'surveyworker config' with
// nothing set prints a file that reads back as the defaults.
func TestConfigDefaultsReadBack(t *testing.T) {
	var b strings.Builder
	def := DefaultConfig()
	def.Dump(&b)
	file := filepath.Join(t.TempDir(), "dump.yaml")
	writeFile(t, file, b.String())
	got := Config{}
	if _, err := got.loadFile(file); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if diff := cmp.Diff(def, got); diff != "" {
		t.Errorf("read back (-defaults +got):\n%s", diff)
	}
}

// TestConfigAndErrorsMaskEveryPasswordForm sets DATABASE_URL to each form
// of connection string whose password used to show, and checks that
// neither 'config' nor the error of a command that connects shows it.
func TestConfigAndErrorsMaskEveryPasswordForm(t *testing.T) {
	tests := []struct{ dsn, password string }{
		{"host=db.invalid password='a b' dbname=sw", "a b"},
		{"host=db.invalid password = hunter2 dbname=sw", "hunter2"},
		{"postgres://sw:50%off@db.invalid/sw", "50%of"},
		{"postgres://sw:pa/ss@db.invalid/sw", "pa/ss"},
	}
	for _, tt := range tests {
		env := map[string]string{"DATABASE_URL": tt.dsn}
		code, out, errOut := runEnv(t, env, "config")
		if code != exitOK || strings.Contains(out, tt.password) || !strings.Contains(out, "xxxxx") {
			t.Errorf("config with %q: exit %d, output shows the password or no mask:\n%s%s", tt.dsn, code, out, errOut)
		}
		if strings.HasPrefix(tt.dsn, "postgres://") {
			// These the driver refuses before connecting; the error quotes
			// the string.
			code, _, errOut = runEnv(t, env, "migrate")
			if code == exitOK || strings.Contains(errOut, tt.password) || strings.Contains(errOut, "%of") {
				t.Errorf("migrate with %q: exit %d, stderr shows the password:\n%s", tt.dsn, code, errOut)
			}
		}
	}
}
