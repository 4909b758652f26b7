package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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
		})
	}
	if _, err := (&Config{}).loadFile(filepath.Join(t.TempDir(), "absent.yaml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("absent file: %v", err)
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

// writeFile writes content to path, failing the test if it cannot.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
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
