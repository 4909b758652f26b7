package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// quietObservations bounds how many settle periods the cycle watches a
// file that keeps changing before leaving it for the next cycle.
const quietObservations = 3

// IngestFile reads one inbox file and moves it out of the inbox (see
// [ingest.Ingester.ProcessFile]), reporting its counters on the run in
// ctx. It is the handler of watched files.
func (c *Cycle) IngestFile(ctx context.Context, path string) (ingest.Result, error) {
	res, err := c.Ingester.ProcessFile(ctx, c.InboxDir, path)
	if err != nil {
		return res, err
	}
	if run := RunFromContext(ctx); run != nil {
		run.SetCounts(fileCounts([]ingest.Result{res}))
	}
	return res, nil
}

// fileWorker returns the worker that claims and reads inbox files: the
// service's, or one of the cycle's own.
func (c *Cycle) fileWorker() *fileWorker {
	if c.files == nil {
		clk := c.quietClock()
		m, _ := newMetrics(NewRegistry())
		logger := c.logger()
		c.files = &fileWorker{guard: newGuard(c.Store, logger, m, clk), store: c.Store, id: workerID(),
			lease: DefaultLease, clock: clk, logger: logger, metrics: m, handle: c.IngestFile}
	}
	return c.files
}

func (c *Cycle) quietClock() clock {
	if c.clock == nil {
		return realClock{now: time.Now}
	}
	return c.clock
}

// ingestInbox reads every ready file of the inbox that has been quiet for
// the settle period, claiming each, a few at a time. It returns an error
// when the inbox cannot be listed or some file could not be read for a
// reason that is not its content.
func (c *Cycle) ingestInbox(ctx context.Context, res *CycleResult) error {
	paths, passed, err := listInbox(c.InboxDir)
	if err != nil {
		return fmt.Errorf("cycle: ingest %s: %w", c.InboxDir, err)
	}
	removeLeftovers(ctx, c.Store, c.InboxDir, c.logger())
	res.Passed = append(res.Passed, passed...)
	for _, p := range passed {
		c.logger().WarnContext(ctx, "inbox entry not read", slog.String("entry", p))
	}
	quiet, busy := c.waitQuiet(ctx, paths)
	for _, p := range busy {
		res.Passed = append(res.Passed, filepath.Base(p)+": still being written; left for the next run")
		c.logger().WarnContext(ctx, "inbox file still being written; left for the next run", slog.String("file", filepath.Base(p)))
	}
	results := make([]ingest.Result, len(quiet))
	errs := make([]error, len(quiet))
	w := c.fileWorker()
	sem := make(chan struct{}, max(c.parallel(), 1))
	var wg sync.WaitGroup
	for i, p := range quiet {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i], errs[i] = w.process(ctx, p, TriggerManual, false)
		})
	}
	wg.Wait()
	var failed []string
	var first error
	for i, r := range results {
		var ra *retryAt
		switch err := errs[i]; {
		case err == nil:
			res.Files = append(res.Files, r)
		case errors.Is(err, errFileGone):
		case errors.As(err, &ra) && errors.Is(err, store.ErrClaimed):
			res.Passed = append(res.Passed, r.File+": being read by another worker")
		default:
			r.Status, r.Reason = ingest.StatusFailed, err.Error()
			res.Files = append(res.Files, r)
			failed = append(failed, r.File)
			if first == nil {
				first = err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cycle: ingest %s: %w", c.InboxDir, err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("cycle: %d of %d inbox files could not be read and stay in the inbox (%s): %w",
			len(failed), len(quiet), strings.Join(failed, ", "), first)
	}
	return nil
}

// parallel returns how many files the cycle reads at once.
func (c *Cycle) parallel() int {
	if c.Parallel > 0 {
		return c.Parallel
	}
	return DefaultParallel
}

// waitQuiet splits paths into the files that have not changed for the
// settle period and those still changing after a few settle periods.
func (c *Cycle) waitQuiet(ctx context.Context, paths []string) (quiet, busy []string) {
	if c.Settle <= 0 {
		return paths, nil
	}
	clk := c.quietClock()
	seen := map[string]fileState{}
	pending := slices.Clone(paths)
	for round := 0; len(pending) > 0 && round <= quietObservations && ctx.Err() == nil; round++ {
		var again []string
		for _, p := range pending {
			st, ok := statFile(p)
			switch {
			case !ok: // gone
			case round == 0 && clk.Now().Sub(st.mtime) >= c.Settle && !st.mtime.After(clk.Now()):
				quiet = append(quiet, p)
			case round > 0 && seen[p] == st:
				quiet = append(quiet, p)
			default:
				seen[p] = st
				again = append(again, p)
			}
		}
		pending = again
		if len(pending) > 0 && round < quietObservations {
			clk.SleepUntil(ctx, clk.Now().Add(c.Settle))
		}
	}
	slices.Sort(quiet)
	return quiet, pending
}

// listInbox returns the ready files of an inbox in name order, and a line
// for each entry passed over that someone might expect to be read: a
// symbolic link.
func listInbox(dir string) (files, passed []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if IgnoredName(e.Name()) {
			continue
		}
		switch {
		case e.Type().IsRegular():
			files = append(files, filepath.Join(dir, e.Name()))
		case e.Type()&os.ModeSymlink != 0:
			passed = append(passed, e.Name()+": a symbolic link, not read (move the file itself into the inbox)")
		}
	}
	return files, passed, nil
}

// leftoverSuffix ends the name of the hidden file a rejects list is
// written to while its export is read (see [ingest.RejectsSuffix]).
const leftoverSuffix = ".rejects.tmp"

// removeLeftovers deletes the hidden rejects spools that processes killed
// mid-file left in the inbox: those of files no live worker has claimed.
func removeLeftovers(ctx context.Context, st *store.Store, dir string, logger *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var spools []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.HasSuffix(n, leftoverSuffix) && e.Type().IsRegular() {
			spools = append(spools, n)
		}
	}
	if len(spools) == 0 {
		return
	}
	live, err := st.LiveClaims(ctx)
	if err != nil {
		return
	}
	for _, n := range spools {
		// .NAME.RANDOM.rejects.tmp
		stem := strings.TrimSuffix(strings.TrimPrefix(n, "."), leftoverSuffix)
		if i := strings.LastIndex(stem, "."); i > 0 {
			stem = stem[:i]
		}
		if live[stem] != "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err == nil {
			logger.WarnContext(ctx, "removed a rejects file left by a worker that stopped mid-file",
				slog.String("path", filepath.Join(dir, n)), slog.String("file", stem))
		}
	}
}
