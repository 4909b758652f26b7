package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store/storetest"
)

// hangGuard bounds every wait of the tests with real processes. It only
// turns a hang into a failure: nothing is expected to take this long, and
// no test asserts on how long anything took.
const hangGuard = 90 * time.Second

// binDir holds the surveyworker binary built for the tests of real
// processes; TestMain makes and removes it.
var binDir string

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds surveyworker once per test binary and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "surveyworker")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a surveyworker process started by a test, logging JSON.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // Wait's result, once done is closed

	mu    sync.Mutex
	lines []map[string]any
	text  strings.Builder
	grew  chan struct{} // closed and replaced at each line
}

// childEnv returns the environment of a child process: this one's without
// surveyworker's and PostgreSQL's variables, then env.
func childEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SURVEYWORKER_") || k == "DATABASE_URL" || strings.HasPrefix(k, "PG") {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// start runs surveyworker with args and env, logging JSON at debug level;
// the process is killed when the test ends, if still running.
func start(t *testing.T, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(childEnv(env), "SURVEYWORKER_LOG_FORMAT=json", "SURVEYWORKER_LOG_LEVEL=debug")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	p := &proc{t: t, name: name, cmd: cmd, done: make(chan struct{}), grew: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		p.read(stderr)
	}()
	go func() {
		<-read
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			// Straight to stderr, not t.Log: the test's own output, with
			// the check that failed, then comes after the process logs
			// and ends the output, where a truncated CI log shows it.
			fmt.Fprintf(os.Stderr, "=== %s: log of %s\n%s=== end of the log of %s\n", t.Name(), name, p.log(), name)
		}
	})
	return p
}

// read collects the process's log lines.
func (p *proc) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line map[string]any
		json.Unmarshal(sc.Bytes(), &line)
		p.mu.Lock()
		p.lines = append(p.lines, line)
		p.text.Write(sc.Bytes())
		p.text.WriteByte('\n')
		close(p.grew)
		p.grew = make(chan struct{})
		p.mu.Unlock()
	}
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.text.String()
}

// count returns how many log lines have msg and every field given.
func (p *proc) count(msg string, fields map[string]any) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if matches(l, msg, fields) {
			n++
		}
	}
	return n
}

func matches(l map[string]any, msg string, fields map[string]any) bool {
	if l == nil || l["msg"] != msg {
		return false
	}
	for k, v := range fields {
		if l[k] != v {
			return false
		}
	}
	return true
}

// wait waits until n log lines have msg and the fields given, or the
// process has exited.
func (p *proc) wait(msg string, fields map[string]any, n int) {
	p.t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		p.mu.Lock()
		grew := p.grew
		p.mu.Unlock()
		if p.count(msg, fields) >= n {
			return
		}
		select {
		case <-grew:
		case <-p.done:
			if p.count(msg, fields) >= n {
				return
			}
			p.t.Fatalf("%s exited (%v) before logging %q %v", p.name, p.err, msg, fields)
		case <-timeout.C:
			p.t.Fatalf("%s logged no %q %v after %s", p.name, msg, fields, hangGuard)
		}
	}
}

// signal sends sig to the process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %s: %v", p.name, err)
	}
}

// exit waits for the process to end and returns its exit code (-1 when a
// signal ended it).
func (p *proc) exit() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(hangGuard):
		p.t.Fatalf("%s still running after %s", p.name, hangGuard)
	}
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// procEnv returns the environment of a serve process of test h: its
// database, inbox and output, a data directory of its own.
func (h *harness) procEnv(name string) map[string]string {
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	env["SURVEYWORKER_DATA_DIR"] = filepath.Join(h.dir, "state-"+name)
	env["SURVEYWORKER_LEADS"] = ""
	return env
}

// tinyExport returns a CSV export of rows respondents, each with a role
// naming file and row so that no two files share a respondent.
func tinyExport(file, rows int) string {
	var b strings.Builder
	b.WriteString("Timestamp,Which practice are you from?,What is your role?,Priority [Cyber Security]\n")
	for r := range rows {
		fmt.Fprintf(&b, "24/11/2026 09:%02d:00,Jericho Canal Surgery,Role %d-%d,High priority\n", r, file, r)
	}
	return b.String()
}

// dropFiles writes n tiny exports into dir, each put in place whole.
func dropFiles(t *testing.T, dir string, n, rows int) {
	t.Helper()
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("export-%03d.csv", i))
		putFile(t, path, []byte(tinyExport(i, rows)))
	}
}

// inboxFiles returns the regular files left directly in dir.
func inboxFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out
}

// names returns the names of the files in dir, or none when it is absent.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// waitCounts polls the database until respondents and source files reach
// the numbers given.
func (h *harness) waitCounts(t *testing.T, files, respondents int64) {
	t.Helper()
	st := storetest.Open(t, h.url)
	deadline := time.Now().Add(hangGuard)
	var c map[string]int64
	for time.Now().Before(deadline) {
		var err error
		if c, err = st.TableCounts(context.Background()); err == nil &&
			c["source_files"] >= files && c["respondents"] >= respondents {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("after %s: counts %v, want %d files and %d respondents", hangGuard, c, files, respondents)
}
