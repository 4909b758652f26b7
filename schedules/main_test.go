package schedules

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/internal/logctx"
	"github.com/surveyworker/surveyworker/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// hangGuard bounds every wait of a test for something to happen. It only
// turns a hang into a failure: nothing is expected to take this long, and
// no test asserts on how long anything took.
const hangGuard = 30 * time.Second

// logBuffer collects log output from several goroutines and lets a test
// wait for a line to be written.
type logBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	grew chan struct{} // closed and replaced by every write
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grew != nil {
		close(b.grew)
		b.grew = nil
	}
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitLine waits until a line containing every one of parts is logged.
func (b *logBuffer) waitLine(t *testing.T, parts ...string) {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		b.mu.Lock()
		found := countLines(b.buf.String(), parts...) > 0
		if b.grew == nil {
			b.grew = make(chan struct{})
		}
		grew := b.grew
		b.mu.Unlock()
		if found {
			return
		}
		select {
		case <-grew:
		case <-timeout.C:
			t.Fatalf("no log line with %q after %s", parts, hangGuard)
		}
	}
}

// testLogger returns a logger writing to a buffer, also shown with -v on
// failure.
func testLogger(t *testing.T) (*slog.Logger, *logBuffer) {
	t.Helper()
	buf := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf)
		}
	})
	return slog.New(logctx.NewHandler(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))), buf
}

// receive returns the next value sent on c.
func receive[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("no %s after %s", what, hangGuard)
		var zero T
		return zero
	}
}

// countLines returns how many lines of the log contain every one of parts.
func countLines(log string, parts ...string) int {
	n := 0
	for line := range strings.Lines(log) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}
