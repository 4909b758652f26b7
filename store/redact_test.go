package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/store"
)

// redactTests are connection strings in every form lib/pq reads, each with
// what Redact makes of it and what the driver reads: its password, or
// that it refuses the string.
var redactTests = []struct {
	name, dsn, want string
	password        string
	refused         bool
}{
	{"URL", "postgres://u:secret@h/db", "postgres://u:xxxxx@h/db", "secret", false},
	{"postgresql URL", "postgresql://u:secret@h:5433/db?sslmode=disable", "postgresql://u:xxxxx@h:5433/db?sslmode=disable", "secret", false},
	{"URL with escaped password", "postgres://u:p%40ss%2Fw@h/db", "postgres://u:xxxxx@h/db", "p@ss/w", false},
	{"URL, unescaped %", "postgres://u:50%off@h/db", "postgres://u:xxxxx@h/db", "", true},
	{"URL, unescaped /", "postgres://u:pa/ss@h/db", "postgres://u:xxxxx@h/db", "", true},
	// The driver reads host u, port 12 and database 34@h/db; masking the
	// would-be password anyway shows less, never more.
	{"URL, numeric password with /", "postgres://u:12/34@h/db", "postgres://u:xxxxx@h/db", "", false},
	{"URL, unescaped @", "postgres://u:p@ss@h/db", "postgres://u:xxxxx@h/db", "p@ss", false},
	{"URL, password parameter", "postgres://h/db?sslmode=disable&password=secret", "postgres://h/db?sslmode=disable&password=xxxxx", "secret", false},
	{"URL without password", "postgres://u@h/db", "postgres://u@h/db", "", false},
	{"key=value", "host=h password=secret dbname=x", "host=h password=xxxxx dbname=x", "secret", false},
	{"quoted with a space", "host=h password='a b' dbname=x", "host=h password=xxxxx dbname=x", "a b", false},
	{"spaces around =", "host=h password = secret dbname=x", "host=h password = xxxxx dbname=x", "secret", false},
	{"quoted, escaped quote", `password='it\'s a secret' host=h`, "password=xxxxx host=h", "it's a secret", false},
	{"backslash escape", `password=a\ b host=h`, "password=xxxxx host=h", "a b", false},
	{"last, at the end", "host=h password=secret", "host=h password=xxxxx", "secret", false},
	// As in libpq, a space after "=" is skipped and the next word is the
	// value.
	{"space after =", "host=h password= dbname=x", "host=h password= xxxxx", "dbname=x", false},
	{"unterminated quote", "host=h password='a b", "host=h password xxxxx", "", true},
}

func TestRedact(t *testing.T) {
	for _, tt := range redactTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.Redact(tt.dsn); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.dsn, got, tt.want)
			}
			cfg, err := store.ConnConfig(tt.dsn)
			switch {
			case tt.refused && err == nil:
				t.Errorf("driver read %q, the test says it refuses it", tt.dsn)
			case !tt.refused && err != nil:
				t.Errorf("driver refused %q: %v", tt.dsn, err)
			case err == nil && cfg.Password != tt.password:
				t.Errorf("driver reads password %q from %q, the test says %q", cfg.Password, tt.dsn, tt.password)
			}
		})
	}
}

// TestOpenErrorsHideThePassword opens connection strings the driver
// refuses, whose errors quote them, and checks that no password shows.
func TestOpenErrorsHideThePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:50%off@h/db",
		"postgres://u:pa/ss@h/db",
		"postgres://u:sec\"ret%zz@h/db",
		"host=h password='a b",
		"host=h password=secret bogus",
	} {
		_, err := store.Open(context.Background(), dsn)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		for _, secret := range []string{"50%off", "%of", "pa/ss", "sec\"ret", `sec\"ret`, "a b", "secret"} {
			if strings.Contains(dsn, strings.ReplaceAll(secret, `\`, "")) && strings.Contains(err.Error(), secret) {
				t.Errorf("Open(%q) error shows %q: %v", dsn, secret, err)
			}
		}
	}
}
