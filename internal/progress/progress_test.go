package progress

import (
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is when every test task starts.
var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// fakeClock is a clock whose ticker delivers only the times a test sends.
type fakeClock struct {
	now      time.Time
	interval time.Duration // the interval the reporter asked for
	ticks    chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: t0, ticks: make(chan time.Time)} }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) ticker(d time.Duration) (<-chan time.Time, func()) {
	c.interval = d
	return c.ticks, func() {}
}

// output records each write, so that a test can wait for the write an
// update makes before changing the counts again.
type output struct {
	mu     sync.Mutex
	cond   sync.Cond
	writes []string
}

func newOutput() *output {
	o := &output{}
	o.cond.L = &o.mu
	return o
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes = append(o.writes, string(p))
	o.cond.Broadcast()
	return len(p), nil
}

// all returns the writes so far.
func (o *output) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.writes...)
}

// fixture is a reporter on a fake clock writing to out.
type fixture struct {
	clock *fakeClock
	out   *output
}

// tick delivers a tick at the time after t0 and waits for the line it
// writes, so the counts it showed are those set before the call.
func (f *fixture) tick(after time.Duration) {
	f.out.mu.Lock()
	n := len(f.out.writes)
	f.out.mu.Unlock()
	f.clock.ticks <- t0.Add(after)
	f.out.mu.Lock()
	for len(f.out.writes) == n {
		f.out.cond.Wait()
	}
	f.out.mu.Unlock()
}

// finish finishes task at the time after t0.
func (f *fixture) finish(task *Task, after time.Duration) {
	f.clock.now = t0.Add(after)
	task.Finish()
}

func newTerminal(width int) (*fixture, *Reporter) {
	f := &fixture{clock: newFakeClock(), out: newOutput()}
	return f, New(Config{Terminal: f.out, Width: width, Now: f.clock.Now, TickerFunc: f.clock.ticker})
}

func TestTerminal(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name   string
		action string
		attrs  []slog.Attr
		width  int
		run    func(f *fixture, task *Task)
		want   []string // each write
	}{
		{
			name: "file read with a percentage and a rate", action: "ingest", attrs: []slog.Attr{slog.String("file", "export.csv")},
			run: func(f *fixture, task *Task) {
				task.SetTotal(1_000_000, "")
				task.AddRows(100)
				task.SetDone(50_000)
				f.tick(200 * ms)
				task.AddRows(20_000)
				task.SetDone(410_000)
				f.tick(1000 * ms)
				task.Phase("committing")
				f.tick(1200 * ms)
				f.finish(task, 1300*ms)
			},
			want: []string{
				"\ringest export.csv  100 rows  5%  500 rows/s  ETA 4s\x1b[K",
				"\ringest export.csv  20,100 rows  41%  20,100 rows/s  ETA 2s\x1b[K",
				"\ringest export.csv  committing  20,100 rows  1.2s\x1b[K",
				"\ringest export.csv  20,100 rows  15,500 rows/s  finished in 1.3s\x1b[K\n",
			},
		},
		{
			name: "steps without rows, one counted in its unit", action: "rank",
			run: func(f *fixture, task *Task) {
				task.Phase("reading aggregates")
				f.tick(4 * time.Second)
				task.Phase("bootstrap")
				task.SetTotal(1000, "resamples")
				task.SetDone(340)
				f.tick(4*time.Second + 200*ms)
				task.SetDone(680)
				f.tick(4*time.Second + 400*ms)
				task.Phase("sensitivity")
				f.tick(12 * time.Second)
				f.finish(task, 12*time.Second+100*ms)
			},
			want: []string{
				"\rrank  reading aggregates  4.0s\x1b[K",
				"\rrank  bootstrap  340/1,000 resamples  4.2s\x1b[K",
				"\rrank  bootstrap  680/1,000 resamples  ETA 1s\x1b[K",
				"\rrank  sensitivity  12s\x1b[K",
				"\rrank  finished in 12s\x1b[K\n",
			},
		},
		{
			name: "finished before the first update shows nothing", action: "ingest", attrs: []slog.Attr{slog.String("file", "small.csv")},
			run: func(f *fixture, task *Task) {
				task.SetTotal(100, "")
				task.AddRows(10)
				task.SetDone(100)
				f.finish(task, 50*ms)
			},
			want: nil,
		},
		{
			name: "a long name cut to the terminal's width", action: "ingest", width: 60,
			attrs: []slog.Attr{slog.String("file", "Practice IT priorities survey_November 25, 2026_09.30.csv")},
			run: func(f *fixture, task *Task) {
				task.SetTotal(1000, "")
				task.AddRows(120_000)
				task.SetDone(410)
				f.tick(time.Second)
				task.AddRows(1000)
				f.tick(2 * time.Second)
				f.finish(task, 2500*ms)
			},
			want: []string{
				"\ringest Practice…  120,000 rows  41%  120,000 rows/s  ETA 2s\x1b[K",
				// Cut after "Practice ", without the space.
				"\ringest Practice…  121,000 rows  41%  60,500 rows/s  ETA 3s\x1b[K",
				"\ringest Prac…  121,000 rows  48,400 rows/s  finished in 2.5s\x1b[K\n",
			},
		},
		{
			name: "a terminal too narrow for the figures", action: "ingest", width: 20,
			attrs: []slog.Attr{slog.String("file", "Practice IT priorities.csv")},
			run: func(f *fixture, task *Task) {
				task.AddRows(5)
				f.tick(200 * ms)
				f.finish(task, 300*ms)
			},
			want: []string{
				"\ringest Practice IT \x1b[K",
				"\ringest Practice IT \x1b[K\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := newTerminal(tt.width)
			task := r.Start(tt.action, tt.attrs...)
			if f.clock.interval != TerminalInterval {
				t.Errorf("ticker interval %v, want %v", f.clock.interval, TerminalInterval)
			}
			tt.run(f, task)
			if diff := cmp.Diff(tt.want, f.out.all()); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTerminalRateWindow checks that rates are measured over the last
// updates only: rows that stop coming show no rate once a window of
// updates has passed without them.
func TestTerminalRateWindow(t *testing.T) {
	f, r := newTerminal(0)
	task := r.Start("ingest", slog.String("file", "x.csv"))
	task.SetTotal(100_000, "")
	step := 200 * time.Millisecond
	for i := range 20 {
		task.AddRows(1000)
		task.SetDone(int64(i+1) * 1000)
		f.tick(time.Duration(i+1) * step)
	}
	for i := range window {
		f.tick(time.Duration(21+i) * step)
	}
	f.finish(task, 40*step)
	got := f.out.all()
	want := map[int]string{
		0:  "\ringest x.csv  1,000 rows  1%  5,000 rows/s  ETA 20s\x1b[K",
		19: "\ringest x.csv  20,000 rows  20%  5,000 rows/s  ETA 16s\x1b[K",
		// The window still holds the last row added, 3.2 s ago.
		34: "\ringest x.csv  20,000 rows  20%  313 rows/s  ETA 4m16s\x1b[K",
		35: "\ringest x.csv  20,000 rows  20%  7.2s\x1b[K",
		36: "\ringest x.csv  20,000 rows  2,500 rows/s  finished in 8.0s\x1b[K\n",
	}
	if len(got) != 37 {
		t.Fatalf("got %d writes, want 20 + %d updates and the final line: %q", len(got), window, got)
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("write %d: got %q, want %q", i, got[i], w)
		}
	}
}

func TestLog(t *testing.T) {
	f := &fixture{clock: newFakeClock(), out: newOutput()}
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewTextHandler(f.out, &slog.HandlerOptions{ReplaceAttr: noTime}))
	r := New(Config{Logger: log, Now: f.clock.Now, TickerFunc: f.clock.ticker})

	short := r.Start("ingest", slog.String("file", "small.csv"))
	if f.clock.interval != LogInterval {
		t.Errorf("ticker interval %v, want %v", f.clock.interval, LogInterval)
	}
	short.SetTotal(100, "")
	short.AddRows(99)
	short.SetDone(100)
	f.finish(short, 4900*time.Millisecond)
	if got := f.out.all(); len(got) != 0 {
		t.Errorf("a task that finished within the interval logged %q, want nothing", got)
	}

	f.clock.now = t0
	task := r.Start("ingest", slog.String("file", "export.csv"))
	task.SetTotal(1000, "")
	task.AddRows(100_000)
	task.SetDone(250)
	f.tick(5 * time.Second)
	task.AddRows(50_000)
	task.SetDone(375)
	f.tick(10 * time.Second)
	task.Phase("committing")
	f.tick(15 * time.Second)
	f.finish(task, 16*time.Second)
	want := []string{
		"level=INFO msg=\"ingest progress\" file=export.csv rows=100000 percent=25 rate=20000 eta=15s elapsed=5s\n",
		"level=INFO msg=\"ingest progress\" file=export.csv rows=150000 percent=37 rate=15000 eta=17s elapsed=10s\n",
		"level=INFO msg=\"ingest progress\" file=export.csv phase=committing rows=150000 elapsed=15s\n",
	}
	if diff := cmp.Diff(want, f.out.all()); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	for _, line := range f.out.all() {
		if strings.ContainsAny(line, "\r\x1b") {
			t.Errorf("log line %q holds terminal control characters", line)
		}
	}
}

func TestNothingToShow(t *testing.T) {
	for _, r := range []*Reporter{nil, New(Config{})} {
		task := r.Start("ingest", slog.String("file", "x.csv"))
		if task != nil {
			t.Errorf("Start on %+v returned a task, want nil", r)
		}
		// The methods of a nil task do nothing, and do not panic.
		task.Phase("reading")
		task.SetTotal(10, "")
		task.AddRows(1)
		task.SetDone(1)
		task.Finish()
	}
}

func TestCounts(t *testing.T) {
	_, r := newTerminal(0)
	task := r.Start("rank")
	defer task.Finish()
	task.AddRows(3)
	task.Phase("bootstrap")
	task.SetTotal(1000, "resamples")
	task.SetDone(340)
	want := Counts{Phase: "bootstrap", Rows: 3, Done: 340, Total: 1000, Unit: "resamples"}
	if diff := cmp.Diff(want, task.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	// A new step starts without a total, keeping the rows.
	task.Phase("sensitivity")
	want = Counts{Phase: "sensitivity", Rows: 3}
	if diff := cmp.Diff(want, task.Counts()); diff != "" {
		t.Errorf("counts after a new step (-want +got):\n%s", diff)
	}
}

func TestFinishTwice(t *testing.T) {
	f, r := newTerminal(0)
	task := r.Start("rank")
	f.tick(time.Second)
	f.finish(task, 2*time.Second)
	f.finish(task, 3*time.Second)
	if got := f.out.all(); len(got) != 2 {
		t.Errorf("got writes %q, want one update and one final line", got)
	}
}

func TestFormat(t *testing.T) {
	groups := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {120000, "120,000"}, {1234567, "1,234,567"}}
	for _, tt := range groups {
		if got := group(tt.n); got != tt.want {
			t.Errorf("group(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	rates := []struct {
		r    float64
		want int64
	}{{0, 0}, {0.4, 0}, {0.6, 1}, {523.4, 523}, {1234, 1230}, {38512, 38500}, {38550, 38600}, {1_234_567, 1_230_000}}
	for _, tt := range rates {
		if got := roundRate(tt.r); got != tt.want {
			t.Errorf("roundRate(%v) = %d, want %d", tt.r, got, tt.want)
		}
	}
	durations := []struct {
		d         time.Duration
		eta, took string
	}{
		{d: 0, eta: "0s", took: "0.0s"},
		{d: 3140 * time.Millisecond, eta: "3s", took: "3.1s"},
		{d: 12 * time.Second, eta: "12s", took: "12s"},
		{d: 65 * time.Second, eta: "1m05s", took: "1m05s"},
		{d: 2*time.Hour + 3*time.Minute, eta: "2h03m", took: "2h03m"},
	}
	for _, tt := range durations {
		if got := duration(tt.d); got != tt.eta {
			t.Errorf("duration(%v) = %q, want %q", tt.d, got, tt.eta)
		}
		if got := elapsed(tt.d); got != tt.took {
			t.Errorf("elapsed(%v) = %q, want %q", tt.d, got, tt.took)
		}
	}
}

// BenchmarkAddRows measures what reporting costs a hot loop: one row and
// the bytes read so far, while a terminal line is being updated.
func BenchmarkAddRows(b *testing.B) {
	r := New(Config{Terminal: io.Discard, Interval: time.Millisecond})
	task := r.Start("ingest", slog.String("file", "bench.csv"))
	defer task.Finish()
	task.SetTotal(int64(b.N)*100, "")
	var n int64
	for b.Loop() {
		n += 100
		task.AddRows(1)
		task.SetDone(n)
	}
}
