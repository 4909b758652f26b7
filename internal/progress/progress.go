// Package progress shows how far long work has got. On a terminal a
// [Reporter] rewrites one line a few times a second,
//
//	ingest export.csv  120,000 rows  41%  38,500 rows/s  ETA 6s
//
// and ends it with a newline when the work is done. Elsewhere (cron,
// systemd, CI) it logs one line every few seconds instead:
//
//	level=INFO msg="ingest progress" file=export.csv rows=120000 percent=41 rate=38500 eta=6s elapsed=3.1s
//
// Work that ends before the first update shows nothing.
//
// Work reports through a [Task]. Its counts are atomic integers, so a hot
// loop can update them for one atomic operation and no allocation; the
// Reporter reads them on its own schedule, from its own goroutine.
package progress

import (
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Default update intervals.
const (
	// TerminalInterval is how often a terminal line is rewritten.
	TerminalInterval = 200 * time.Millisecond
	// LogInterval is how often a progress line is logged.
	LogInterval = 5 * time.Second
)

// Config says where a [Reporter] shows progress, and how often.
type Config struct {
	// Terminal, when set, receives one line per task, rewritten in place
	// ("\r", the line, then clear to the end of the line) and ended with a
	// newline when the task finishes. Nothing else should write to the
	// terminal while a task runs.
	Terminal io.Writer
	// Width is the terminal's width in columns. A longer line is cut to
	// fit, because a line that wraps cannot be rewritten. Zero means no
	// limit.
	Width int
	// Logger receives one Info line per task and interval when Terminal is
	// nil. When both are nil nothing is shown.
	Logger *slog.Logger
	// Interval is the time between updates; zero means [TerminalInterval]
	// on a terminal and [LogInterval] for logs.
	Interval time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// TickerFunc returns a channel that delivers the time every d and a
	// function that stops it; nil means a [time.Ticker].
	TickerFunc func(d time.Duration) (<-chan time.Time, func())
}

// Reporter shows the progress of tasks as [Config] says. A nil *Reporter
// shows nothing.
type Reporter struct {
	cfg Config
	mu  sync.Mutex // serialises writes to cfg.Terminal
}

// New returns a Reporter configured by cfg, its zero fields filled with
// their defaults.
func New(cfg Config) *Reporter {
	if cfg.Interval <= 0 {
		cfg.Interval = LogInterval
		if cfg.Terminal != nil {
			cfg.Interval = TerminalInterval
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TickerFunc == nil {
		cfg.TickerFunc = func(d time.Duration) (<-chan time.Time, func()) {
			tk := time.NewTicker(d)
			return tk.C, tk.Stop
		}
	}
	return &Reporter{cfg: cfg}
}

// Start begins showing a task and returns it; the caller must call
// [Task.Finish] when the work ends. action names the work ("ingest"); on a
// terminal it is followed by the values of attrs, and a log line is the
// message "<action> progress" with attrs and the counts. A nil Reporter,
// or one with neither a terminal nor a logger, returns a nil *Task, whose
// methods do nothing.
func (r *Reporter) Start(action string, attrs ...slog.Attr) *Task {
	if r == nil || r.cfg.Terminal == nil && r.cfg.Logger == nil {
		return nil
	}
	t := &Task{r: r, action: action, attrs: attrs, label: label(action, attrs), start: r.cfg.Now(),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	t.step.Store(&step{})
	tick, stopTicker := r.cfg.TickerFunc(r.cfg.Interval)
	go t.run(tick, stopTicker)
	return t
}

// Task is the progress of one piece of work: the rows it has handled and,
// within its current step, how much of a known total is done. Its methods
// are safe for concurrent use; AddRows and SetDone are cheap enough to call
// for every row. The methods of a nil *Task do nothing.
type Task struct {
	r      *Reporter
	action string
	attrs  []slog.Attr
	label  string
	start  time.Time

	rows   atomic.Int64
	done   atomic.Int64
	step   atomic.Pointer[step]
	phases atomic.Uint64 // steps started, numbering them

	stop, stopped chan struct{}
	finish        sync.Once
	// shown is set by the goroutine of run once it has written a line; it
	// is read after that goroutine has stopped.
	shown bool
}

// step is the current step of a task: its number, its name (shown when
// not empty) and the total that [Task.SetDone] counts towards, in unit.
type step struct {
	seq   uint64
	name  string
	total int64
	unit  string
}

// AddRows adds n to the rows handled.
func (t *Task) AddRows(n int64) {
	if t != nil {
		t.rows.Add(n)
	}
}

// SetDone records that n of the step's total is done.
func (t *Task) SetDone(n int64) {
	if t != nil {
		t.done.Store(n)
	}
}

// Phase starts a step called name ("committing"); an empty name is shown as
// nothing. The step has no total until [Task.SetTotal] gives one.
func (t *Task) Phase(name string) {
	if t == nil {
		return
	}
	t.done.Store(0)
	t.step.Store(&step{seq: t.phases.Add(1), name: name})
}

// SetTotal sets how much the current step has to do, in unit ("resamples"),
// shown as done/total unit; an empty unit (bytes, which mean little to the
// reader) shows a percentage instead. A total of zero or less is unknown.
func (t *Task) SetTotal(total int64, unit string) {
	if t == nil {
		return
	}
	s := *t.step.Load()
	s.total, s.unit = total, unit
	t.step.Store(&s)
}

// Counts are what a task has reported so far.
type Counts struct {
	// Phase names the current step; empty when it has no name.
	Phase string
	// Rows is the number of rows handled.
	Rows int64
	// Done is how much of Total the step has done, in Unit; an empty Unit
	// is shown as a percentage. A Total of 0 is unknown.
	Done, Total int64
	Unit        string
}

// Counts returns what the task has reported so far; a nil Task has
// reported nothing.
func (t *Task) Counts() Counts {
	c, _ := t.counts()
	return c
}

// counts returns the task's counts and the number of its step.
func (t *Task) counts() (Counts, uint64) {
	if t == nil {
		return Counts{}, 0
	}
	s := t.step.Load()
	return Counts{Phase: s.name, Rows: t.rows.Load(), Done: t.done.Load(), Total: s.total, Unit: s.unit}, s.seq
}

// Finish stops showing the task. On a terminal, once a line has been shown,
// it is rewritten a last time with the rows handled and the time taken, and
// ended with a newline. Calling Finish again does nothing.
func (t *Task) Finish() {
	if t == nil {
		return
	}
	t.finish.Do(func() {
		close(t.stop)
		<-t.stopped
		if t.shown && t.r.cfg.Terminal != nil {
			t.r.writeLine(t.label, finalLine(t.rows.Load(), t.r.cfg.Now().Sub(t.start)), true)
		}
	})
}

// run updates the task's line or logs it at every tick until Finish.
func (t *Task) run(tick <-chan time.Time, stopTicker func()) {
	defer close(t.stopped)
	defer stopTicker()
	m := newMeter(t.start)
	for {
		select {
		case <-t.stop:
			return
		case now := <-tick:
			c, seq := t.counts()
			s := m.observe(now, c, seq)
			if t.r.cfg.Terminal != nil {
				t.r.writeLine(t.label, s.line(), false)
			} else {
				t.r.cfg.Logger.Info(t.action+" progress", s.attrs(t.attrs)...)
			}
			t.shown = true
		}
	}
}

// writeLine rewrites the terminal's current line with label and figures,
// fitted to the width, and ends it when last.
func (r *Reporter) writeLine(label, figures string, last bool) {
	line := fit(label, figures, r.cfg.Width)
	b := make([]byte, 0, len(line)+8)
	b = append(b, '\r')
	b = append(b, line...)
	b = append(b, "\x1b[K"...)
	if last {
		b = append(b, '\n')
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cfg.Terminal.Write(b) // a terminal that cannot be written to is no reason to fail the work
}
