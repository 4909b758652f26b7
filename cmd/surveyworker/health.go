package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

func cmdHealth() command {
	var timeout time.Duration
	return command{
		name:    "health",
		summary: "ask a running serve's /healthz; exit 0 when healthy",
		examples: []string{
			"surveyworker health",
			"surveyworker health --http 127.0.0.1:8080 --timeout 2s",
		},
		help: `Sends GET /healthz to the worker listening on the --http address (by
default SURVEYWORKER_HTTP; an address without a host, such as :8080, is asked
on 127.0.0.1) and exits 0 when it answers 200, 1 when it answers anything else
or nothing within --timeout. It reads no database and starts nothing, so a
container image without curl can use it as its health check:
  HEALTHCHECK CMD ["surveyworker", "health"]`,
		flags: func(fs *flag.FlagSet, a *app) {
			fs.StringVar(&a.cfg.HTTP, "http", a.cfg.HTTP, "listen `addr` of the worker to ask, e.g. :8080 (SURVEYWORKER_HTTP)")
			fs.DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"health takes no arguments"}
			}
			if a.cfg.HTTP == "" {
				return usageError{"no address to ask: set --http or SURVEYWORKER_HTTP, as for serve"}
			}
			body, err := checkHealth(ctx, healthURL(a.cfg.HTTP), timeout)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, body)
			return nil
		},
	}
}

// healthURL returns the /healthz URL of a worker listening on addr, asked
// on the loopback address when addr names no host or every interface.
func healthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/healthz"
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

// checkHealth asks url within timeout and returns the body of a 200
// answer, or an error saying what came instead.
func checkHealth(ctx context.Context, url string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("health: %s: no answer within %s", url, timeout)
		}
		return "", fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	body := strings.TrimSpace(string(b))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("health: %s answered %s: %s", url, resp.Status, body)
	}
	return body, nil
}
