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

// health is the body of /healthz. It says what is wrong, never the error
// itself: the endpoint answers anyone who can reach the port, and errors
// name hosts, paths and what users typed. The detail is logged.
type health struct {
	// Status is "ok", or "unavailable" when the database does not answer.
	Status  string      `json:"status"`
	Error   string      `json:"error,omitempty"`
	LastRun *runSummary `json:"last_run"`
	NextRun *time.Time  `json:"next_run,omitempty"`
}

// runSummary is the last cycle that ran, successful or not. Why a run
// failed is in its job run record ('surveyworker runs'), not here.
type runSummary struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Trigger    string     `json:"trigger"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
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
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt}, nil
}

// readiness is the body of /readyz: each check and whether it passed.
type readiness struct {
	// Status is "ready", or "not ready" when a check failed.
	Status string `json:"status"`
	// Checks maps each check to "ok" or a reason code saying what is
	// wrong (see the ready* constants); the error behind it is logged.
	Checks map[string]string `json:"checks"`
}

// The reason codes of /readyz's checks besides "ok".
const (
	readyUnreachable    = "unreachable"       // database: no answer
	readyUnknown        = "unknown"           // migrations: the version could not be read
	readyNeedsMigration = "needs_migration"   // migrations: run 'surveyworker migrate'
	readyNewerSchema    = "newer_than_binary" // migrations: a newer binary migrated it
	readyNotReadable    = "not_readable"      // inbox: cannot be listed
	readyNotWritable    = "not_writable"      // inbox: no file can be created in it
)

// problem is a failed check: its reason code, and the detail to log.
type problem struct {
	reason string
	detail string
}

// readyz answers 200 when the worker can do its work: the database
// answers, its schema is the one this binary migrates to, and the inbox
// can be listed and written to; else 503 with the checks that failed.
func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	problems := map[string]*problem{}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		problems["database"] = &problem{readyUnreachable, err.Error()}
		problems["migrations"] = &problem{readyUnknown, "database unreachable"}
	} else if applied, latest, err := s.cfg.Store.SchemaVersion(ctx); err != nil {
		problems["migrations"] = &problem{readyUnknown, err.Error()}
	} else if applied < latest {
		problems["migrations"] = &problem{readyNeedsMigration,
			fmt.Sprintf("schema at version %d, this binary needs %d: run 'surveyworker migrate'", applied, latest)}
	} else if applied > latest {
		problems["migrations"] = &problem{readyNewerSchema,
			fmt.Sprintf("schema at version %d, newer than this binary's %d", applied, latest)}
	}
	checks := map[string]string{"database": "ok", "migrations": "ok"}
	if s.cfg.InboxDir != "" {
		checks["inbox"] = "ok"
		problems["inbox"] = checkInbox(s.cfg.InboxDir)
	}
	res := readiness{Status: "ready", Checks: checks}
	code := http.StatusOK
	for name, p := range problems {
		if p == nil {
			continue
		}
		checks[name] = p.reason
		res.Status, code = "not ready", http.StatusServiceUnavailable
		s.logger.WarnContext(ctx, "not ready", slog.String("check", name), slog.String("reason", p.reason),
			slog.String("problem", p.detail))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(res)
}

// checkInbox returns nil when dir can be listed and a file created in
// it, or what went wrong. The probe file is hidden, so no watcher reads it.
func checkInbox(dir string) *problem {
	if _, err := os.ReadDir(dir); err != nil {
		return &problem{readyNotReadable, err.Error()}
	}
	f, err := os.CreateTemp(dir, ".surveyworker-readyz-*")
	if err != nil {
		return &problem{readyNotWritable, err.Error()}
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
