package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/surveyworker/surveyworker/store"
)

// health is the body of /healthz.
type health struct {
	// Status is "ok", or "unavailable" when the database does not answer.
	Status  string      `json:"status"`
	Error   string      `json:"error,omitempty"`
	LastRun *runSummary `json:"last_run"`
	NextRun *time.Time  `json:"next_run,omitempty"`
}

// runSummary is the last cycle that ran, successful or not.
type runSummary struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Trigger    string     `json:"trigger"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Error      string     `json:"error,omitempty"`
}

// healthz answers 200 with the last cycle and the next scheduled one, or
// 503 when the database is unreachable.
func (s *Service) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	h := health{Status: "ok"}
	if next := s.Next(s.cfg.Now()); !next.IsZero() {
		h.NextRun = &next
	}
	code := http.StatusOK
	last, err := s.lastCycle(ctx)
	if err != nil {
		s.logger.WarnContext(ctx, "health check: database unreachable", slog.String("error", err.Error()))
		h.Status, h.Error, code = "unavailable", "database unreachable", http.StatusServiceUnavailable
	}
	h.LastRun = last
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(h)
}

// lastCycle returns the last cycle that ran, or nil when none has.
func (s *Service) lastCycle(ctx context.Context) (*runSummary, error) {
	if err := s.cfg.Store.Ping(ctx); err != nil {
		return nil, err
	}
	run, err := s.cfg.Store.LastFinishedJobRun(ctx, JobCycle)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &runSummary{ID: run.ID, Status: run.Status, Trigger: run.Trigger,
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, Error: run.Error}, nil
}
