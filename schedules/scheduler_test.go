package schedules

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runScheduler runs a scheduler of spec (read in UTC) on clk. fired
// receives each slot as it fires; stop ends the scheduler, waits for every
// firing to finish and returns the slots fired, in time order.
func runScheduler(t *testing.T, spec string, clk *fakeClock) (fired <-chan time.Time, stop func() []time.Time, logs *logBuffer) {
	t.Helper()
	sched, err := ParseSchedule(spec, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := testLogger(t)
	s := &scheduler{schedule: sched, clock: clk, logger: logger, recheck: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		slots []time.Time
	)
	c := make(chan time.Time, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx, &wg, func(slot time.Time) {
			mu.Lock()
			slots = append(slots, slot)
			mu.Unlock()
			c <- slot
		})
	}()
	stopped := false
	stop = func() []time.Time {
		if !stopped {
			stopped = true
			cancel()
			<-done
			wg.Wait()
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.SortedFunc(slices.Values(slots), time.Time.Compare)
	}
	t.Cleanup(func() { stop() })
	return c, stop, logs
}

func TestSchedulerFiresAtEachSlot(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 7, 1, h, m, 0, 0, time.UTC) }
	clk := newFakeClock(at(12, 30))
	fired, stop, _ := runScheduler(t, "*/15 * * * *", clk)
	want := []time.Time{at(12, 45), at(13, 0), at(13, 15)}
	for _, slot := range want {
		// Not a moment early: just before the slot the scheduler only
		// goes back to sleep, never for longer than its recheck interval.
		clk.waitSleeping(t)
		clk.AdvanceTo(slot.Add(-time.Nanosecond))
		if until := clk.waitSleeping(t); until.After(clk.Now().Add(time.Minute)) || until.After(slot) {
			t.Errorf("at %s the scheduler sleeps until %s, want at most a minute and not past the slot %s",
				clk.Now(), until, slot)
		}
		clk.AdvanceTo(slot)
		if got := receive(t, fired, "slot"); !got.Equal(slot) {
			t.Errorf("fired slot %s, want %s", got, slot)
		}
	}
	if diff := cmp.Diff(want, stop()); diff != "" {
		t.Errorf("slots fired (-want +got):\n%s", diff)
	}
}

// TestSchedulerCollapsesSlotsMissedWhileAsleep: when the host sleeps
// through several slots, the scheduler fires once on waking, for the first
// slot missed, logs that it is late, and carries on with the next slot.
func TestSchedulerCollapsesSlotsMissedWhileAsleep(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 7, 1, h, m, 0, 0, time.UTC) }
	clk := newFakeClock(at(12, 30))
	fired, stop, logs := runScheduler(t, "*/15 * * * *", clk)
	clk.waitSleeping(t)
	clk.AdvanceTo(at(14, 20)) // seven slots passed
	if got := receive(t, fired, "slot on waking"); !got.Equal(at(12, 45)) {
		t.Errorf("fired on waking for %s, want the first missed slot %s", got, at(12, 45))
	}
	if until := clk.waitSleeping(t); !until.Equal(at(14, 21)) {
		t.Errorf("then sleeps until %s, want %s (one recheck interval)", until, at(14, 21))
	}
	clk.AdvanceTo(at(14, 30))
	receive(t, fired, "the next slot")
	if diff := cmp.Diff([]time.Time{at(12, 45), at(14, 30)}, stop()); diff != "" {
		t.Errorf("slots fired (-want +got):\n%s", diff)
	}
	if n := countLines(logs.String(), "level=WARN", "schedule slot fired late", "late=1h35m"); n != 1 {
		t.Errorf("%d late-slot warnings, want 1", n)
	}
}
