package schedules

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// healthBody is /healthz as a client sees it.
type healthBody struct {
	Status  string `json:"status"`
	LastRun *struct {
		Status     string     `json:"status"`
		FinishedAt *time.Time `json:"finished_at"`
	} `json:"last_run"`
	NextRun *time.Time `json:"next_run"`
}

func getHealth(t *testing.T, url string) (int, healthBody) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body healthBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decoding /healthz: %v", err)
	}
	return resp.StatusCode, body
}

func TestHealthzServedByRun(t *testing.T) {
	st := storetest.NewStore(t)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	logger, logs := testLogger(t)
	r := startService(t, ServiceConfig{Store: st, Logger: logger, HTTPAddr: "127.0.0.1:0",
		Now: func() time.Time { return now }, Cycle: func(context.Context, string) error { return nil }})
	logs.waitLine(t, "http listening")
	url := "http://" + r.svc.Addr().String() + "/healthz"

	code, body := getHealth(t, url)
	wantNext := time.Date(2026, 7, 2, 1, 0, 0, 0, time.UTC)
	if code != http.StatusOK || body.Status != "ok" || body.LastRun != nil {
		t.Errorf("before any run: got %d %+v, want 200 ok with no last run", code, body)
	}
	if body.NextRun == nil || !body.NextRun.Equal(wantNext) {
		t.Errorf("next_run: got %v, want %s", body.NextRun, wantNext)
	}

	if err := r.svc.RunCycle(context.Background(), TriggerManual); err != nil {
		t.Fatal(err)
	}
	code, body = getHealth(t, url)
	if code != http.StatusOK || body.LastRun == nil || body.LastRun.Status != store.JobSucceeded || body.LastRun.FinishedAt == nil {
		t.Errorf("after a run: got %d %+v, want 200 with the succeeded run", code, body)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestHealthzReportsUnreachableDatabase(t *testing.T) {
	st := storetest.Open(t, storetest.URL(t))
	svc, err := NewService(ServiceConfig{Store: st, Cycle: func(context.Context, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	srv := httptest.NewServer(svc.Mux())
	defer srv.Close()
	code, body := getHealth(t, srv.URL+"/healthz")
	if code != http.StatusServiceUnavailable || body.Status != "unavailable" {
		t.Errorf("got %d %+v, want 503 unavailable", code, body)
	}
}

// TestHealthEndpointsKeepErrorsToTheLog: /healthz and /readyz answer
// anyone who can reach the port, so what is wrong is said with a reason
// code, and the error behind it, which names hosts, paths and what people
// typed, is only logged.
func TestHealthEndpointsKeepErrorsToTheLog(t *testing.T) {
	const secret = "hunter2-private"
	tests := []struct {
		name string
		path string
		// setup breaks something; it returns the inbox to configure.
		setup func(t *testing.T, st *store.Store) string
		// inboxGone removes the inbox once the service is made.
		inboxGone  bool
		wantCode   int
		wantBody   string
		wantLogged []string // in one line of the log
	}{
		{
			name: "database unreachable", path: "/readyz",
			setup:      func(t *testing.T, st *store.Store) string { st.Close(); return "" },
			wantCode:   http.StatusServiceUnavailable,
			wantBody:   `{"status":"not ready","checks":{"database":"unreachable","migrations":"unknown"}}`,
			wantLogged: []string{"not ready", "check=database", "reason=unreachable", "database is closed"},
		},
		{
			name: "inbox gone", path: "/readyz",
			setup: func(t *testing.T, st *store.Store) string {
				dir := filepath.Join(t.TempDir(), secret)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			inboxGone:  true,
			wantCode:   http.StatusServiceUnavailable,
			wantBody:   `{"status":"not ready","checks":{"database":"ok","inbox":"not_readable","migrations":"ok"}}`,
			wantLogged: []string{"not ready", "check=inbox", "reason=not_readable", secret},
		},
		{
			name: "last cycle failed", path: "/healthz",
			setup: func(t *testing.T, st *store.Store) string {
				ctx := context.Background()
				id, err := st.StartJobRun(ctx, JobCycle, TriggerManual, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				if err := st.FinishJobRun(ctx, id, store.JobFailed, store.JobCounts{}, "open /srv/"+secret+": denied"); err != nil {
					t.Fatal(err)
				}
				return ""
			},
			wantCode: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.Open(t, storetest.URL(t))
			logger, logs := testLogger(t)
			inbox := tt.setup(t, st)
			cfg := ServiceConfig{Store: st, Logger: logger, Cycle: func(context.Context, string) error { return nil }}
			if inbox != "" {
				cfg.InboxDir = inbox
				cfg.OnFile = func(context.Context, string) error { return nil }
			}
			svc, err := NewService(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tt.inboxGone {
				if err := os.Remove(inbox); err != nil {
					t.Fatal(err)
				}
			}
			srv := httptest.NewServer(svc.Mux())
			defer srv.Close()
			code, body := get(t, srv.URL+tt.path)
			if code != tt.wantCode {
				t.Errorf("%s: status %d, want %d", tt.path, code, tt.wantCode)
			}
			if strings.Contains(body, secret) || strings.Contains(body, "closed") {
				t.Errorf("%s leaks the error: %s", tt.path, body)
			}
			if tt.wantBody != "" && strings.TrimSpace(body) != tt.wantBody {
				t.Errorf("%s: got %s, want %s", tt.path, body, tt.wantBody)
			}
			if tt.wantLogged != nil && countLines(logs.String(), tt.wantLogged...) == 0 {
				t.Errorf("no log line with %q:\n%s", tt.wantLogged, logs)
			}
		})
	}
}
