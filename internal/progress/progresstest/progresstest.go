// Package progresstest gives tests of the packages that report progress a
// reporter they can read without a terminal or a clock.
package progresstest

import (
	"log/slog"
	"time"

	"github.com/surveyworker/surveyworker/internal/progress"
)

// Quiet returns a reporter that never updates, so that a test reads a
// task's counts itself; started and stopped count its tasks.
func Quiet(started, stopped *int) *progress.Reporter {
	return progress.New(progress.Config{
		Logger: slog.New(slog.DiscardHandler),
		TickerFunc: func(time.Duration) (<-chan time.Time, func()) {
			*started++
			return nil, func() { *stopped++ }
		},
	})
}
