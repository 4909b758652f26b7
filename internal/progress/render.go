package progress

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// window is how many updates back rates are measured over: 3 s on a
// terminal, 75 s in logs, so that a rate steadies without hiding a change
// for long.
const window = 16

// sample is a task's counts at one update.
type sample struct {
	at         time.Time
	rows, done int64
}

// meter keeps the recent samples of a task's current step, to measure its
// rates. It belongs to the goroutine that updates the task.
type meter struct {
	start   time.Time
	seq     uint64 // the step measured
	samples [window]sample
	n, next int // samples held; index of the next to write
}

// newMeter returns a meter of a task started at start, in its first step.
func newMeter(start time.Time) *meter {
	m := &meter{start: start}
	m.push(sample{at: start})
	return m
}

func (m *meter) push(s sample) {
	m.samples[m.next] = s
	m.next = (m.next + 1) % window
	m.n = min(m.n+1, window)
}

// oldest returns the earliest sample held.
func (m *meter) oldest() sample {
	return m.samples[(m.next-m.n+window)%window]
}

// observe records the counts c of step seq at now and returns what to
// show. A new step starts measuring afresh, so its first update has no
// rate; a total set within a step does not.
func (m *meter) observe(now time.Time, c Counts, seq uint64) status {
	st := status{Counts: c, elapsed: now.Sub(m.start)}
	cur := sample{at: now, rows: c.Rows, done: c.Done}
	if seq != m.seq {
		m.seq, m.n, m.next = seq, 0, 0
		m.push(cur)
		return st
	}
	old := m.oldest()
	m.push(cur)
	dt := now.Sub(old.at).Seconds()
	if dt <= 0 {
		return st
	}
	st.rate = float64(c.Rows-old.rows) / dt
	if perSecond := float64(c.Done-old.done) / dt; perSecond > 0 && c.Done < c.Total {
		st.eta = time.Duration(math.Ceil(float64(c.Total-c.Done)/perSecond)) * time.Second
		st.hasETA = true
	}
	return st
}

// status is what one update shows.
type status struct {
	Counts
	elapsed time.Duration
	rate    float64 // rows per second over the window; 0 when unknown
	eta     time.Duration
	hasETA  bool
}

// line returns the figures of the terminal line, shown after the task's
// label: the step, the rows, how much of the step is done, the rate and
// the time left (or, not knowing it, the time taken so far).
func (s status) line() string {
	var parts []string
	if s.Phase != "" {
		parts = append(parts, s.Phase)
	}
	if s.Rows > 0 {
		parts = append(parts, group(s.Rows)+" rows")
	}
	if s.Total > 0 {
		if s.Unit == "" {
			parts = append(parts, strconv.Itoa(s.percent())+"%")
		} else {
			parts = append(parts, group(s.Done)+"/"+group(s.Total)+" "+s.Unit)
		}
	}
	if r := roundRate(s.rate); r > 0 {
		parts = append(parts, group(r)+" rows/s")
	}
	if s.hasETA {
		parts = append(parts, "ETA "+duration(s.eta))
	} else {
		parts = append(parts, elapsed(s.elapsed))
	}
	return strings.Join(parts, "  ")
}

// attrs returns the attributes of a log line: base, then the same
// figures as the terminal line.
func (s status) attrs(base []slog.Attr) []any {
	out := make([]any, 0, len(base)+7)
	for _, a := range base {
		out = append(out, a)
	}
	if s.Phase != "" {
		out = append(out, slog.String("phase", s.Phase))
	}
	if s.Rows > 0 {
		out = append(out, slog.Int64("rows", s.Rows))
	}
	if s.Total > 0 {
		out = append(out, slog.Int("percent", s.percent()))
		if s.Unit != "" {
			out = append(out, slog.Int64(s.Unit, s.Done))
		}
	}
	if r := roundRate(s.rate); r > 0 {
		out = append(out, slog.Int64("rate", r))
	}
	if s.hasETA {
		out = append(out, slog.Duration("eta", s.eta))
	}
	return append(out, slog.Duration("elapsed", s.elapsed.Round(100*time.Millisecond)))
}

// percent returns how much of the step is done, in whole percent from 0
// to 100; it reaches 100 only when all is done.
func (s status) percent() int {
	if s.Total <= 0 || s.Done <= 0 {
		return 0
	}
	return int(min(100*s.Done/s.Total, 100))
}

// finalLine returns the figures of a finished task's terminal line.
func finalLine(rows int64, took time.Duration) string {
	var parts []string
	if rows > 0 {
		parts = append(parts, group(rows)+" rows")
		if took > 0 {
			if r := roundRate(float64(rows) / took.Seconds()); r > 0 {
				parts = append(parts, group(r)+" rows/s")
			}
		}
	}
	return strings.Join(append(parts, "finished in "+elapsed(took)), "  ")
}

// label is the action followed by the values of attrs.
func label(action string, attrs []slog.Attr) string {
	parts := []string{action}
	for _, a := range attrs {
		parts = append(parts, a.Value.String())
	}
	return strings.Join(parts, " ")
}

// fit joins label and figures into a line of at most width-1 columns,
// leaving the last column free: some terminals wrap as soon as it is
// written. A label that does not fit is cut and ends in "…" (never " …"),
// so that the figures stay whole; only figures too wide on their own are cut. Every
// rune is taken as one column. A width of zero or less is no limit.
func fit(label, figures string, width int) string {
	line := label + "  " + figures
	if width <= 0 || utf8.RuneCountInString(line) < width {
		return line
	}
	if room := width - 1 - utf8.RuneCountInString("  "+figures); room >= 2 {
		return strings.TrimRight(cut(label, room-1), " ") + "…  " + figures
	}
	return cut(line, width-1)
}

// cut returns the first n runes of s.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// roundRate returns r rounded to three significant figures, so that the
// figure shown does not flicker in its last digits.
func roundRate(r float64) int64 {
	if r < 0.5 || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0
	}
	if r < 1000 {
		return int64(math.Round(r))
	}
	scale := math.Pow(10, math.Floor(math.Log10(r))-2)
	return int64(math.Round(r/scale) * scale)
}

// group writes n, not negative, with commas between thousands: 120,000.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// duration writes a time to go in whole units: 6s, 1m05s, 2h03m.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// elapsed writes a time taken: to a tenth of a second under ten seconds,
// else as [duration].
func elapsed(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return duration(d)
}
