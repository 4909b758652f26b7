package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// No DATABASE_URL and no data directory: health must not need them.
	env := map[string]string{"SURVEYWORKER_HTTP": ":" + port}

	code, out, errOut := runEnv(t, env, "health")
	if code != exitOK || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("healthy: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	status = http.StatusServiceUnavailable
	if code, _, errOut := runEnv(t, env, "health"); code != exitFailure || !strings.Contains(errOut, "503") {
		t.Errorf("unhealthy: exit %d, stderr %q; want 1 naming the 503", code, errOut)
	}
	srv.Close()
	if code, _, _ := runEnv(t, env, "health", "--http", "127.0.0.1:"+port); code != exitFailure {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
	if code, _, _ := runEnv(t, nil, "health"); code != exitUsage {
		t.Errorf("no address: exit %d, want 2", code)
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":         "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":  "http://127.0.0.1:8080/healthz",
		"[::]:8080":     "http://[::1]:8080/healthz",
		"10.0.0.5:9000": "http://10.0.0.5:9000/healthz",
		"worker.lan:80": "http://worker.lan:80/healthz",
	} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
