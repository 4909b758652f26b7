package schedules

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// recheckInterval bounds every sleep of the scheduler, so that a clock
// jump or a suspended host is noticed within this long. robfig/cron sleeps
// on a monotonic timer until the next slot and can fire hours late after
// a suspend.
const recheckInterval = time.Minute

// scheduler fires at each slot of a schedule, reading the wall clock.
type scheduler struct {
	schedule *Schedule
	clock    clock
	logger   *slog.Logger
	recheck  time.Duration
	// next, when set, is told each next slot.
	next func(time.Time)
}

// run calls fire with each slot, in a new goroutine tracked by wg, until
// ctx is done. Slots missed while the host slept collapse into one firing.
func (s *scheduler) run(ctx context.Context, wg *sync.WaitGroup, fire func(slot time.Time)) {
	next := s.schedule.Next(s.clock.Now())
	s.tell(next)
	s.logger.InfoContext(ctx, "schedule started", slog.String("schedule", s.schedule.String()),
		slog.Time("next_run", next))
	for !next.IsZero() && ctx.Err() == nil {
		now := s.clock.Now()
		if now.Before(next) {
			wake := now.Add(s.recheck)
			if next.Before(wake) {
				wake = next
			}
			s.clock.SleepUntil(ctx, wake)
			continue
		}
		slot := next
		if late := now.Sub(slot); late > s.recheck {
			s.logger.WarnContext(ctx, "schedule slot fired late", slog.Time("scheduled_for", slot),
				slog.Duration("late", late))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fire(slot)
		}()
		next = s.schedule.Next(now)
		s.tell(next)
		s.logger.DebugContext(ctx, "next run", slog.Time("next_run", next))
	}
}

// tell passes the next slot on, if anyone listens.
func (s *scheduler) tell(next time.Time) {
	if s.next != nil && !next.IsZero() {
		s.next(next)
	}
}
