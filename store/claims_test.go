package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// TestFileClaims walks one inbox file's claim through two workers on a
// clock the test sets, for them and for the database: a live claim
// excludes the other worker, an expired one is taken over, a deferred one
// waits for its next attempt unless the file changed, and a released one
// is free.
func TestFileClaims(t *testing.T) {
	url := storetest.URL(t)
	a, b := storetest.Open(t, url), storetest.Open(t, url)
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a.Now, b.Now = clock, clock
	a.DBNow, b.DBNow = clock, clock
	ctx := context.Background()
	v := store.FileVersion{Size: 10, MTime: now.Add(-time.Hour)}

	ca, err := a.ClaimFile(ctx, "x.csv", "a#1", v, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var held *store.ClaimedError
	_, err = b.ClaimFile(ctx, "x.csv", "b#1", v, time.Minute)
	if !errors.As(err, &held) || held.Owner != "a#1" {
		t.Fatalf("claim of a claimed file: got %v, want ClaimedError naming a#1", err)
	}
	if !errors.Is(err, store.ErrClaimed) {
		t.Errorf("ClaimedError does not wrap ErrClaimed")
	}
	now = now.Add(50 * time.Second)
	if err := a.RenewClaim(ctx, &ca, time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(50 * time.Second) // past the first lease, within the renewed one
	if _, err := b.ClaimFile(ctx, "x.csv", "b#2", v, time.Minute); !errors.Is(err, store.ErrClaimed) {
		t.Fatalf("claim within a renewed lease: got %v, want ErrClaimed", err)
	}
	live, err := b.LiveClaims(ctx)
	if err != nil || live["x.csv"] != "a#1" {
		t.Fatalf("LiveClaims = %v, %v; want x.csv held by a#1", live, err)
	}

	// a stalls past its lease: b takes the file over and a has lost it.
	now = now.Add(2 * time.Minute)
	cb, err := b.ClaimFile(ctx, "x.csv", "b#3", v, time.Minute)
	if err != nil {
		t.Fatalf("claim after the lease expired: %v", err)
	}
	if err := a.RenewClaim(ctx, &ca, time.Minute); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("renewing a lost claim: got %v, want ErrClaimLost", err)
	}

	// b fails for a passing reason: nobody tries the same version before
	// the next attempt, a changed file at once.
	if err := b.DeferClaim(ctx, cb, now.Add(10*time.Second), "database unreachable"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ClaimFile(ctx, "x.csv", "a#2", v, time.Minute); !errors.As(err, &held) || held.Owner != "" ||
		!held.Until.Equal(now.Add(10*time.Second)) {
		t.Fatalf("claim before the next attempt: got %v, want ClaimedError with no owner", err)
	}
	now = now.Add(10 * time.Second)
	again, err := a.ClaimFile(ctx, "x.csv", "a#3", v, time.Minute)
	if err != nil || again.Attempts != 1 {
		t.Fatalf("claim at the next attempt: %+v, %v; want attempts 1", again, err)
	}
	if err := a.DeferClaim(ctx, again, now.Add(time.Hour), "disk full"); err != nil {
		t.Fatal(err)
	}
	changed := store.FileVersion{Size: 20, MTime: now}
	fresh, err := b.ClaimFile(ctx, "x.csv", "b#4", changed, time.Minute)
	if err != nil || fresh.Attempts != 0 {
		t.Fatalf("claim of a changed file: %+v, %v; want a fresh claim", fresh, err)
	}
	if err := b.ReleaseClaim(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ClaimFile(ctx, "x.csv", "a#4", changed, time.Minute); err != nil {
		t.Errorf("claim after release: %v", err)
	}
}

// TestFileClaimsIgnoreWorkersClocks: leases are timed by the database, so
// a worker whose clock runs two hours fast does not take over a live
// one-hour lease, and each worker is told when the file is free again on
// its own clock.
func TestFileClaimsIgnoreWorkersClocks(t *testing.T) {
	url := storetest.URL(t)
	a, fast := storetest.Open(t, url), storetest.Open(t, url)
	fastNow := time.Now().Add(2 * time.Hour)
	fast.Now = func() time.Time { return fastNow }
	ctx := context.Background()
	v := store.FileVersion{Size: 10, MTime: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	if _, err := a.ClaimFile(ctx, "x.csv", "a#1", v, time.Hour); err != nil {
		t.Fatal(err)
	}
	var held *store.ClaimedError
	if _, err := fast.ClaimFile(ctx, "x.csv", "fast#1", v, time.Hour); !errors.As(err, &held) || held.Owner != "a#1" {
		t.Fatalf("claim by a worker whose clock is 2h fast: got %v, want the live claim of a#1", err)
	}
	if wait := held.Until.Sub(fastNow); wait <= 0 || wait > time.Hour {
		t.Errorf("claim free again %s after the fast worker's now, want within the hour's lease", wait)
	}
	if live, err := fast.LiveClaims(ctx); err != nil || live["x.csv"] != "a#1" {
		t.Errorf("LiveClaims seen by the fast worker = %v, %v; want x.csv live, held by a#1", live, err)
	}
}

// TestAbandonJobRunsSparesLiveWorkers: a run started under a worker lock
// that a session holds is in progress, whoever looks; once the lock goes,
// as when its process dies, the run is abandoned.
func TestAbandonJobRunsSparesLiveWorkers(t *testing.T) {
	url := storetest.URL(t)
	a, b := storetest.Open(t, url), storetest.Open(t, url)
	ctx := context.Background()
	lock, err := a.HoldWorker(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.StartJobRun(ctx, "ingest", "watch", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.AbandonJobRuns(ctx); err != nil || n != 0 {
		t.Fatalf("AbandonJobRuns with the worker alive: %d, %v; want 0", n, err)
	}
	if err := lock.Release(); err != nil {
		t.Fatal(err)
	}
	if n, err := b.AbandonJobRuns(ctx); err != nil || n != 1 {
		t.Fatalf("AbandonJobRuns after the worker went: %d, %v; want 1", n, err)
	}
	runs, err := b.JobRuns(ctx, "ingest", 10)
	if err != nil || len(runs) != 1 || runs[0].ID != id || runs[0].Status != store.JobFailed {
		t.Fatalf("runs = %+v, %v; want run %d failed", runs, err, id)
	}
}
