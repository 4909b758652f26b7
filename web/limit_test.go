package web

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestLimiterRefills checks the token buckets on their own.
func TestLimiterRefills(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.Now, time.Minute)
	keys := map[string]int{"a": 2}
	tests := []struct {
		advance time.Duration
		fail    bool
		want    time.Duration
	}{
		{0, true, 0},
		{0, true, time.Minute},
		{30 * time.Second, false, 30 * time.Second},
		{30 * time.Second, false, 0},
		{0, true, time.Minute},
		{10 * time.Minute, false, 0}, // refilled, never beyond the burst
		{0, true, 0},
		{0, true, time.Minute},
	}
	for i, tt := range tests {
		clock.Advance(tt.advance)
		if tt.fail {
			l.fail(keys)
		}
		if got := l.wait(keys); got != tt.want {
			t.Errorf("step %d: wait %v, want %v", i, got, tt.want)
		}
	}
}
