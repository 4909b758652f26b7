package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/surveyworker/surveyworker/web"
)

// withPassword makes 'users add' read its password from text.
func withPassword(t *testing.T, text string) {
	t.Helper()
	saved := passwordInput
	passwordInput = strings.NewReader(text)
	t.Cleanup(func() { passwordInput = saved })
}

// TestUsersAddAndList adds users with the password on standard input,
// as a script would, and lists them; only the bcrypt hash is written.
func TestUsersAddAndList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.csv")
	env := map[string]string{"SURVEYWORKER_USERS": path}
	withPassword(t, "a long passphrase\n")
	code, out, errOut := runEnv(t, env, "users", "add", "--email", "jo@example.nhs.uk", "--role", "uploader",
		"--federation", "Oxford City", "jo")
	if code != exitOK || !strings.Contains(out, "user jo (uploader) written to") {
		t.Fatalf("users add: exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("a long passphrase")) {
		t.Errorf("the users file holds the password:\n%s", b)
	}
	users, err := web.ReadUsers(bytes.NewReader(b))
	if err != nil || len(users) != 1 {
		t.Fatalf("users file: %v, %v", users, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(users[0].PasswordHash), []byte("a long passphrase")) != nil {
		t.Error("the hash does not match the password")
	}

	for _, tt := range []struct {
		name  string
		input string
		args  []string
		code  int
		want  string
	}{
		{"same name again", "another passphrase\n", []string{"--email", "jo2@example.nhs.uk", "jo"}, exitFailure, "--replace"},
		{"short password", "short\n", []string{"--email", "sam@example.nhs.uk", "sam"}, exitFailure, "password too short"},
		{"no password", "", []string{"--email", "sam@example.nhs.uk", "sam"}, exitFailure, "no password given"},
		{"bad role", "a long passphrase\n", []string{"--email", "sam@example.nhs.uk", "--role", "boss", "sam"}, exitUsage, `--role "boss"`},
		{"no e-mail", "a long passphrase\n", []string{"sam"}, exitUsage, "--email is required"},
		{"admin of a federation", "a long passphrase\n", []string{"--email", "a@example.nhs.uk", "--role", "admin", "--federation", "X", "ada"},
			exitFailure, "an admin sees every federation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			withPassword(t, tt.input)
			code, _, errOut := runEnv(t, env, append([]string{"users", "add"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	code, out, errOut = runEnv(t, env, "users", "list")
	if code != exitOK || !strings.Contains(out, "jo    jo@example.nhs.uk  uploader  Oxford City") {
		t.Errorf("users list: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runEnv(t, nil, "users", "list"); code != exitUsage || !strings.Contains(errOut, "SURVEYWORKER_USERS") {
		t.Errorf("users list without a file: exit %d, %q", code, errOut)
	}
}

// TestServeChecksWebSettings checks that serve refuses, before starting
// anything, a users file without an HTTP address and a users file that
// does not read.
func TestServeChecksWebSettings(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(bad, []byte("name,email\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no address", map[string]string{"SURVEYWORKER_USERS": bad}, "served on --http"},
		{"bad users file", map[string]string{"SURVEYWORKER_USERS": bad, "SURVEYWORKER_HTTP": "127.0.0.1:0"},
			"SURVEYWORKER_USERS=\"" + bad + "\": users file line 1: want the header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["SURVEYWORKER_DATA_DIR"] = filepath.Join(dir, "never-made")
			code, _, errOut := runEnv(t, tt.env, "serve", "--inbox", dir)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "never-made")); err == nil {
				t.Error("serve started the database before refusing")
			}
		})
	}
}

// TestByteSize checks how sizes are read and written.
func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"100MB": 100 * MB, "100 mb": 100 * MB, "1GB": GB, "512KB": 512 * KB,
		"4096": 4096, "10B": 10, "1536KB": 1536 * KB} {
		var b ByteSize
		if err := b.UnmarshalText([]byte(in)); err != nil || b != want {
			t.Errorf("%q read as %v (%v), want %v", in, b, err, want)
		}
		var again ByteSize
		if err := again.UnmarshalText([]byte(b.String())); err != nil || again != b {
			t.Errorf("%v written as %q, read back as %v", b, b.String(), again)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "1.5MB", "lots", "99999999999GB"} {
		var b ByteSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q read as %v, want an error", in, b)
		}
	}
}

// TestLoopback checks which listen addresses count as this machine only.
func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:1": true,
		":8080": false, "0.0.0.0:80": false, "10.1.2.3:80": false, "example.org:80": false} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// syncBuffer is a buffer safe to write from one goroutine while another
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)

// startServe runs serve with args in the background until the test ends
// and returns the address it serves HTTP on, read from its log.
func (h *harness) startServe(args ...string) string {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan int, 1)
	h.env["SURVEYWORKER_LOG_LEVEL"] = "info"
	go func() {
		done <- runWithEnv(ctx, append([]string{"serve"}, args...), io.Discard, logs, func(k string) string { return h.env[k] })
	}()
	h.t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			h.t.Errorf("serve exit %d; log:\n%s", code, logs.String())
		}
	})
	var addr string
	waitFor(h.t, 60*time.Second, "serve to listen", func() bool {
		m := listening.FindStringSubmatch(logs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr
}

// listening finds the address in serve's "http listening" log line.
var listening = regexp.MustCompile(`msg="http listening" addr=(\S+)`)

// TestServeWithoutUsers checks that serve without a users file serves
// /healthz as before and no web interface.
func TestServeWithoutUsers(t *testing.T) {
	h := newHarness(t)
	addr := h.startServe("--http", "127.0.0.1:0", "--settle", "200ms")
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/login": http.StatusNotFound, "/": http.StatusNotFound} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
