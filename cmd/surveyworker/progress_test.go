package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/internal/progress"
)

// reporters records the progress reporters a command makes and the tasks
// they start.
type reporters struct {
	configs []progress.Config
	tasks   int
}

// watchReporters makes every reporter of the test recorded in the
// returned reporters. Each task is given one update, shown if the task
// lasts long enough for it to be taken.
func watchReporters(t *testing.T) *reporters {
	t.Helper()
	w := &reporters{}
	t.Cleanup(func() { newReporter = progress.New })
	newReporter = func(cfg progress.Config) *progress.Reporter {
		w.configs = append(w.configs, cfg)
		cfg.TickerFunc = func(time.Duration) (<-chan time.Time, func()) {
			w.tasks++
			tick := make(chan time.Time, 1)
			tick <- time.Now()
			return tick, func() {}
		}
		return progress.New(cfg)
	}
	return w
}

// TestProgressNotOnStdout checks that when stderr is not a terminal,
// ingest, rank and run show their progress as log lines on stderr: one
// task per file and ranking, no terminal control characters, and nothing
// on stdout, so that --json output stays JSON.
func TestProgressNotOnStdout(t *testing.T) {
	h := newHarness(t)
	h.env["SURVEYWORKER_LOG_LEVEL"] = "info" // progress lines are Info
	w := watchReporters(t)
	var paths []string
	for _, n := range h.copyExamples() {
		paths = append(paths, filepath.Join(h.inbox, n))
	}
	tests := []struct {
		args   []string
		isJSON bool
		tasks  int
	}{
		{append([]string{"ingest", "--json"}, paths...), true, len(paths)},
		{[]string{"rank", "--json"}, true, 1},
		{[]string{"run"}, false, len(paths) + 1},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args[:min(2, len(tt.args))], " ")
		w.configs, w.tasks = nil, 0
		code, stdout, stderr := h.run(context.Background(), tt.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", name, code, stdout, stderr)
		}
		if tt.isJSON {
			dec := json.NewDecoder(strings.NewReader(stdout))
			var v []map[string]any
			if err := dec.Decode(&v); err != nil {
				t.Errorf("%s: stdout is not a JSON array: %v\n%s", name, err, stdout)
			}
			if err := dec.Decode(&v); !errors.Is(err, io.EOF) {
				t.Errorf("%s: stdout holds more than one JSON value: %v\n%s", name, err, stdout)
			}
		}
		t.Logf("%s: %d progress lines", name, strings.Count(stderr, " progress\""))
		if strings.ContainsAny(stderr, "\r\x1b") {
			t.Errorf("%s: stderr, not a terminal, holds terminal control characters:\n%q", name, stderr)
		}
		if len(w.configs) != 1 || w.configs[0].Terminal != nil || w.configs[0].Logger == nil {
			t.Errorf("%s: reporters %+v, want one that logs", name, w.configs)
		}
		if w.tasks != tt.tasks {
			t.Errorf("%s: %d tasks shown, want %d", name, w.tasks, tt.tasks)
		}
	}
}
