package schedules

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
