package schedules

import (
	"context"
	"time"
)

// clock is where the service reads the time and waits for it to pass.
// Tests replace it with a fake clock that moves only when they advance it,
// so that schedules and settle periods are checked without sleeping.
type clock interface {
	// Now returns the current time.
	Now() time.Time
	// SleepUntil returns once Now reaches t, or when ctx is done.
	SleepUntil(ctx context.Context, t time.Time)
}

// realClock reads the time from now and waits on real timers.
type realClock struct {
	now func() time.Time
}

func (c realClock) Now() time.Time { return c.now() }

func (c realClock) SleepUntil(ctx context.Context, t time.Time) {
	d := t.Sub(c.now())
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}
