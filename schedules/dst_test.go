package schedules

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// setClock moves the fake clock to t, backwards too, as an NTP correction
// or an operator setting the time would.
func (c *fakeClock) setClock(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
	c.AdvanceTo(t) // wakes the sleepers whose time has come
}

// driveUntil advances clk from one sleeper's wake-up to the next until
// the next is after end, then sets the time to end. Before each step it
// waits for the cycles fired so far to end, as they would in the hours
// between two slots: each firing logs "next run", each cycle's end "job
// finished" (or, if skipped, "job skipped").
func driveUntil(t *testing.T, clk *fakeClock, svc *Service, logs *logBuffer, end time.Time) {
	t.Helper()
	for {
		next := clk.waitSleeping(t)
		logs.waitFor(t, "every cycle fired to end", func(log string) bool {
			return countLines(log, "next run") == countLines(log, "job finished", "job=cycle")+
				countLines(log, "job skipped", "job=cycle")
		})
		// The cycle's end is logged just before its guard lets go.
		deadline := time.Now().Add(hangGuard)
		for svc.guard.cycleBusy.Load() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if next.After(end) {
			clk.AdvanceTo(end)
			return
		}
		clk.AdvanceTo(next)
	}
}

// waitFor waits until ok holds of the log.
func (b *logBuffer) waitFor(t *testing.T, what string, ok func(log string) bool) {
	t.Helper()
	timeout := time.NewTimer(hangGuard)
	defer timeout.Stop()
	for {
		b.mu.Lock()
		done := ok(b.buf.String())
		if b.grew == nil {
			b.grew = make(chan struct{})
		}
		grew := b.grew
		b.mu.Unlock()
		if done {
			return
		}
		select {
		case <-grew:
		case <-timeout.C:
			t.Fatalf("waiting for %s: not after %s", what, hangGuard)
		}
	}
}

// cycleSlots runs a service with a 01:30 Europe/London cycle on clk from
// now until end, driven through every wake-up of its scheduler, and
// returns the slots of the cycles that ran.
func cycleSlots(t *testing.T, clk *fakeClock, end time.Time, want int, jumps func(drive func(time.Time))) []time.Time {
	t.Helper()
	st := storeOn(t, clk)
	london, err := LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := testLogger(t)
	ran := make(chan time.Time, 100)
	cycle := func(ctx context.Context, _ string) error {
		ran <- RunFromContext(ctx).ScheduledFor
		return nil
	}
	r := startService(t, ServiceConfig{Store: st, Logger: logger, Spec: "30 1 * * *", Location: london,
		Cycle: cycle, CatchUp: -1, clock: clk})
	drive := func(until time.Time) { driveUntil(t, clk, r.svc, logs, until) }
	if jumps != nil {
		jumps(drive)
	}
	drive(end)
	// Every slot up to end has been fired by now: the scheduler sleeps.
	// Wait for the cycles wanted to run, then for any more to show.
	for range want {
		receive(t, ran, "a cycle")
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var slots []time.Time
	for _, v := range viewRuns(t, st, JobCycle) {
		if v.Status != store.JobSucceeded {
			t.Errorf("run %+v, want only succeeded runs", v)
		}
		slots = append(slots, v.ScheduledFor)
	}
	slices.SortFunc(slots, time.Time.Compare)
	return slots
}

// TestDSTNightsFireOnce drives a 01:30 Europe/London cycle through the
// scheduler and robfig/cron's parser across both changes of 2026: on the
// spring-forward night 01:30 does not exist and the cycle runs once, at
// the end of the gap (02:00 BST); on the fall-back night 01:30 happens
// twice and the cycle runs once, the first time (01:30 BST).
func TestDSTNightsFireOnce(t *testing.T) {
	utc := func(mon time.Month, d, h, m int) time.Time { return time.Date(2026, mon, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		start, end time.Time
		want       []time.Time
	}{
		{"spring forward", utc(3, 28, 12, 0), utc(3, 29, 12, 0), []time.Time{utc(3, 29, 1, 0)}},
		{"fall back", utc(10, 24, 12, 0), utc(10, 25, 12, 0), []time.Time{utc(10, 25, 0, 30)}},
		{"a week across spring forward", utc(3, 26, 12, 0), utc(4, 2, 12, 0), []time.Time{
			utc(3, 27, 1, 30), utc(3, 28, 1, 30), utc(3, 29, 1, 0), utc(3, 30, 0, 30),
			utc(3, 31, 0, 30), utc(4, 1, 0, 30), utc(4, 2, 0, 30)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cycleSlots(t, newFakeClock(tt.start), tt.end, len(tt.want), nil)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cycle slots (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClockJumpsNeverFireTwice: a clock set back an hour after the 01:30
// cycle ran does not run it again when 01:30 comes round a second time,
// and a machine suspended for three nights runs one cycle on waking.
func TestClockJumpsNeverFireTwice(t *testing.T) {
	utc := func(d, h, m int) time.Time { return time.Date(2026, 7, d, h, m, 0, 0, time.UTC) }
	clk := newFakeClock(utc(1, 0, 0)) // 01:00 BST
	got := cycleSlots(t, clk, utc(6, 12, 0), 4, func(drive func(time.Time)) {
		drive(utc(1, 1, 0))         // 02:00 BST: the 01:30 cycle has run
		clk.setClock(utc(1, 0, 10)) // set back to 01:10 BST
		drive(utc(2, 12, 0))
		clk.waitSleeping(t)
		clk.AdvanceTo(utc(5, 12, 0)) // suspended from the 2nd to the 5th
	})
	want := []time.Time{utc(1, 0, 30), utc(2, 0, 30), utc(3, 0, 30), utc(6, 0, 30)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cycle slots (-want +got):\n%s", diff)
	}
}

// storeOn returns a store on a fresh database that reads the time from clk.
func storeOn(t *testing.T, clk *fakeClock) *store.Store {
	t.Helper()
	st := storetest.NewStore(t)
	st.Now = clk.Now
	return st
}
