package schedules

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when a test advances it. Sleepers
// wake as soon as the time they wait for is reached, so a test steps a
// schedule through hours in microseconds.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[*fakeSleeper]bool
	slept    chan struct{} // closed and replaced when a goroutine starts sleeping
}

// fakeSleeper is a goroutine waiting in SleepUntil.
type fakeSleeper struct {
	until time.Time
	wake  chan struct{}
}

var _ clock = (*fakeClock)(nil)

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, sleepers: map[*fakeSleeper]bool{}, slept: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) {
	c.mu.Lock()
	if !c.now.Before(t) {
		c.mu.Unlock()
		return
	}
	s := &fakeSleeper{until: t, wake: make(chan struct{})}
	c.sleepers[s] = true
	close(c.slept)
	c.slept = make(chan struct{})
	c.mu.Unlock()
	select {
	case <-s.wake:
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, s)
		c.mu.Unlock()
	}
}

// AdvanceTo sets the time to t, which must not be earlier than now, and
// wakes the sleepers whose time has come. They are no longer counted as
// sleeping when AdvanceTo returns.
func (c *fakeClock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		panic("fakeClock: time moved backwards")
	}
	c.now = t
	for s := range c.sleepers {
		if !t.Before(s.until) {
			close(s.wake)
			delete(c.sleepers, s)
		}
	}
}

// Advance moves the time on by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.AdvanceTo(c.Now().Add(d))
}

// waitSleeping waits until a goroutine is asleep on the clock and returns
// the earliest time one waits for. For the scheduler, the only sleeper,
// this means it has read the time and is waiting for its next slot, so
// that advancing the clock now is seen as time passing, not as the time
// the scheduler started at.
func (c *fakeClock) waitSleeping(t *testing.T) time.Time {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		var first time.Time
		for s := range c.sleepers {
			if first.IsZero() || s.until.Before(first) {
				first = s.until
			}
		}
		slept := c.slept
		c.mu.Unlock()
		if !first.IsZero() {
			return first
		}
		select {
		case <-slept:
		case <-timeout.C:
			t.Fatalf("nothing slept on the clock within %s", hangGuard)
			return time.Time{}
		}
	}
}

func TestFakeClockWakesSleepersWhenTheirTimeComes(t *testing.T) {
	start := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clk := newFakeClock(start)
	woke := make(chan time.Time, 1)
	go func() {
		clk.SleepUntil(context.Background(), start.Add(time.Minute))
		woke <- clk.Now()
	}()
	if got := clk.waitSleeping(t); !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("sleeping until %s, want %s", got, start.Add(time.Minute))
	}
	clk.Advance(59 * time.Second)
	if got := clk.waitSleeping(t); !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("after 59s: sleeping until %s, want still %s", got, start.Add(time.Minute))
	}
	clk.Advance(time.Second)
	if got := receive(t, woke, "wake-up"); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("woke at %s, want %s", got, start.Add(time.Minute))
	}

	// A sleep until a time already passed returns at once, and a cancelled
	// sleep stops counting as sleeping.
	clk.SleepUntil(context.Background(), start)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		clk.SleepUntil(ctx, start.Add(time.Hour))
	}()
	clk.waitSleeping(t)
	cancel()
	receive(t, done, "return from a cancelled sleep")
	clk.mu.Lock()
	defer clk.mu.Unlock()
	if n := len(clk.sleepers); n != 0 {
		t.Errorf("%d sleepers left after cancelling, want 0", n)
	}
}

func TestRealClockSleepUntil(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	c := realClock{now: func() time.Time { return now }}
	// Neither call may wait: one's time has come, the other is cancelled.
	c.SleepUntil(context.Background(), now)
	c.SleepUntil(context.Background(), now.Add(-time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.SleepUntil(ctx, now.Add(time.Hour))
}
