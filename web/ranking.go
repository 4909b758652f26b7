package web

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// rankingData is the data of the Ranking page.
type rankingData struct {
	// Ranking is the latest stored ranking; nil when there is none yet.
	Ranking *survey.Ranking
	// Federations are the per-federation columns, the user's own first.
	Federations []federationColumn
	// Own is the user's federation, empty when they see all.
	Own string
	// Workbook is the latest workbook's file name and when it was
	// written; empty when there is none to download.
	Workbook   string
	WorkbookAt time.Time
	// Next is when the cycle runs next; zero when not scheduled.
	Next time.Time
}

// federationColumn is one federation's practice priority for each
// workstream, in the ranking's order.
type federationColumn struct {
	Name  string
	Cells []survey.SegmentCell
}

// rankingPage shows the latest ranking: the table with tiers, intervals
// and movement, and practice priority per federation.
func (s *Server) rankingPage(w http.ResponseWriter, r *http.Request, v *visit) {
	d, err := s.rankingData(r.Context(), v)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "ranking", pageData{Title: "Ranking", Active: "ranking", Visit: v, Data: d})
}

func (s *Server) rankingData(ctx context.Context, v *visit) (rankingData, error) {
	d := rankingData{Own: v.User.Federation}
	if s.cfg.Next != nil {
		d.Next = s.cfg.Next(s.cfg.Now())
	}
	r, err := s.cfg.Store.LatestRanking(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.Ranking = r
	d.Federations = federationColumns(r, v.User.Federation)
	if path, at, ok := s.latestWorkbook(ctx, v); ok {
		d.Workbook, d.WorkbookAt = filepath.Base(path), at
	}
	return d, nil
}

// federationColumns returns the federation segments of r with their cells
// in r's row order, own first and then by name.
func federationColumns(r *survey.Ranking, own string) []federationColumn {
	pos := make(map[string]int, len(r.Rows))
	for i, row := range r.Rows {
		pos[row.WorkstreamID] = i
	}
	var cols []federationColumn
	for _, seg := range r.Segments {
		if seg.Kind != survey.SegmentFederation {
			continue
		}
		c := federationColumn{Name: seg.Name, Cells: make([]survey.SegmentCell, len(r.Rows))}
		for i := range c.Cells {
			c.Cells[i].Withheld = true // no cell: nothing to show
		}
		for _, cell := range seg.Cells {
			if i, ok := pos[cell.WorkstreamID]; ok {
				c.Cells[i] = cell
			}
		}
		cols = append(cols, c)
	}
	slices.SortStableFunc(cols, func(a, b federationColumn) int {
		switch {
		case a.Name == own && b.Name != own:
			return -1
		case b.Name == own && a.Name != own:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return cols
}

// latestWorkbook returns the workbook of the last run that wrote one
// that v may have, and when it was written, when it is still in the out
// folder. The full workbook's Comments sheet holds every federation's
// comments, so it is for those who see every federation; a user tied to
// a federation has the view of it alone that the run wrote beside it
// (its comments only), and nothing when the run wrote none.
func (s *Server) latestWorkbook(ctx context.Context, v *visit) (string, time.Time, bool) {
	if s.cfg.OutDir == "" {
		return "", time.Time{}, false
	}
	run, err := s.cfg.Store.LatestReportRun(ctx)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.WarnContext(ctx, "latest workbook not found", "error", err.Error())
		}
		return "", time.Time{}, false
	}
	book := run.ReportPath
	if v.Scoped() {
		if book, err = s.cfg.Store.ViewWorkbook(ctx, run.ID, v.User.Federation); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.log.WarnContext(ctx, "federation's workbook not found", "error", err.Error())
			}
			return "", time.Time{}, false
		}
	}
	path, err := filepath.Abs(book)
	if err != nil {
		return "", time.Time{}, false
	}
	out, err := filepath.Abs(s.cfg.OutDir)
	if err != nil {
		return "", time.Time{}, false
	}
	if rel, err := filepath.Rel(out, path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || !exists(path) {
		return "", time.Time{}, false
	}
	at := run.StartedAt
	if run.FinishedAt != nil {
		at = *run.FinishedAt
	}
	return path, at, true
}

// workbook sends the latest workbook v may have (see latestWorkbook).
func (s *Server) workbook(w http.ResponseWriter, r *http.Request, v *visit) {
	path, _, ok := s.latestWorkbook(r.Context(), v)
	if !ok {
		s.notFound(w, r, v)
		return
	}
	s.sendFile(w, r, v, path, filepath.Base(path), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

// runsData is the data of the Runs page.
type runsData struct {
	Runs []store.JobRun
	Next []time.Time
}

// maxRunsShown bounds the runs listed.
const maxRunsShown = 50

// runsPage lists the last job runs and the next scheduled times.
func (s *Server) runsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	runs, err := s.cfg.Store.JobRuns(r.Context(), "", maxRunsShown)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	d := runsData{Runs: runs}
	if s.cfg.Next != nil {
		t := s.cfg.Now()
		for range 3 {
			if t = s.cfg.Next(t); t.IsZero() {
				break
			}
			d.Next = append(d.Next, t)
		}
	}
	s.render(w, r, http.StatusOK, "runs", pageData{Title: "Runs", Active: "runs", Visit: v, Data: d})
}
