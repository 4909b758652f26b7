package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
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

// readiness is the body of /readyz: each check and whether it passed.
type readiness struct {
	// Status is "ready", or "not ready" when a check failed.
	Status string `json:"status"`
	// Checks maps each check to "ok" or what is wrong.
	Checks map[string]string `json:"checks"`
}

// readyz answers 200 when the worker can do its work: the database
// answers, its schema is the one this binary migrates to, and the inbox
// can be listed and written to; else 503 with the checks that failed.
func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "migrations": "ok"}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		checks["database"] = "unreachable: " + err.Error()
		checks["migrations"] = "unknown: database unreachable"
	} else if applied, latest, err := s.cfg.Store.SchemaVersion(ctx); err != nil {
		checks["migrations"] = "unknown: " + err.Error()
	} else if applied != latest {
		checks["migrations"] = fmt.Sprintf("schema at version %d, this binary needs %d: run 'surveyworker migrate'", applied, latest)
	}
	if s.cfg.InboxDir != "" {
		checks["inbox"] = checkInbox(s.cfg.InboxDir)
	}
	res := readiness{Status: "ready", Checks: checks}
	code := http.StatusOK
	for name, c := range checks {
		if c != "ok" {
			res.Status, code = "not ready", http.StatusServiceUnavailable
			s.logger.WarnContext(ctx, "not ready", slog.String("check", name), slog.String("problem", c))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(res)
}

// checkInbox returns "ok" when dir can be listed and a file created in
// it, or what went wrong. The probe file is hidden, so no watcher reads it.
func checkInbox(dir string) string {
	if _, err := os.ReadDir(dir); err != nil {
		return "not readable: " + err.Error()
	}
	f, err := os.CreateTemp(dir, ".surveyworker-readyz-*")
	if err != nil {
		return "not writable: " + err.Error()
	}
	f.Close()
	os.Remove(f.Name())
	return "ok"
}
