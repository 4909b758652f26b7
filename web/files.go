package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// Bounds on what a page lists.
const (
	maxUploadsListed = 1000
	maxWarningsShown = 500
	maxCommentsShown = 300
)

// fileRow is one line of the Files page: a loaded file, an upload the
// worker has not loaded (waiting, duplicate, quarantined) or a file of
// the quarantine folder that did not come through the web.
type fileRow struct {
	Name        string
	When        time.Time
	UploadedBy  string
	Federations []string
	Platform    string
	Respondents int
	Status      string
	Warnings    int
	Reason      string
	Link        string
	Rejects     string
}

// visibleTo reports whether v may see the row: a user tied to a
// federation sees the rows of that federation only.
func (f fileRow) visibleTo(v *visit) bool {
	return !v.Scoped() || slices.Contains(f.Federations, v.User.Federation)
}

// fileFederations are the federations a loaded file belongs to: the
// uploader's, for an upload by a user tied to one; else those of its
// respondents' practices.
func fileFederations(f store.FileSummary) []string {
	if f.Upload != nil && f.Upload.Federation != "" {
		return []string{f.Upload.Federation}
	}
	return f.Federations
}

// uploadFederations are the federations an upload not loaded belongs to.
func uploadFederations(u store.Upload) []string {
	if u.Federation == "" {
		return nil
	}
	return []string{u.Federation}
}

// fileRows returns every file the worker has seen that v may see, most
// recent first.
func (s *Server) fileRows(ctx context.Context, v *visit) ([]fileRow, error) {
	files, err := s.cfg.Store.FileSummaries(ctx)
	if err != nil {
		return nil, err
	}
	bySHA := map[string]*store.FileSummary{}
	byName := map[string]bool{}
	var rows []fileRow
	for i, f := range files {
		bySHA[f.SHA256], byName[f.Name] = &files[i], true
		row := fileRow{Name: f.Name, When: f.LoadedAt, Federations: fileFederations(f), Platform: f.Platform,
			Respondents: f.Respondents, Status: stateLoaded, Warnings: f.Warnings, Link: fmt.Sprintf("/files/%d", f.ID)}
		if f.Upload != nil {
			row.Name, row.UploadedBy = f.Upload.OriginalName, f.Upload.UploadedBy
		}
		if exists(filepath.Join(s.cfg.InboxDir, ingest.ArchiveDir, f.Name+rejectsSuffix)) {
			row.Rejects = row.Link + "/rejects.csv"
		}
		rows = append(rows, row)
	}
	uploads, err := s.cfg.Store.Uploads(ctx, maxUploadsListed)
	if err != nil {
		return nil, err
	}
	lookup := func(_ context.Context, sha string) (*store.FileSummary, error) { return bySHA[sha], nil }
	uploaded := map[string]bool{}
	for _, u := range uploads {
		uploaded[u.StoredName] = true
		if byName[u.StoredName] {
			continue // listed as the file it became
		}
		o, err := s.outcomeOf(ctx, u, lookup)
		if err != nil {
			return nil, err
		}
		insp := inspectionOf(u)
		row := fileRow{Name: u.OriginalName, When: cmp.Or(o.At, u.UploadedAt), UploadedBy: u.UploadedBy,
			Federations: uploadFederations(u), Platform: insp.Platform, Respondents: insp.Respondents,
			Status: o.State, Reason: o.Reason, Link: "/uploads/" + u.Token}
		if o.Rejects != "" && rejectsOffered(v, u.UploadedBy, o.File) {
			row.Rejects = row.Link + "/rejects.csv"
		}
		rows = append(rows, row)
	}
	q, err := s.quarantined(uploaded)
	if err != nil {
		return nil, err
	}
	rows = append(rows, q...)
	rows = slices.DeleteFunc(rows, func(r fileRow) bool { return !r.visibleTo(v) })
	slices.SortStableFunc(rows, func(a, b fileRow) int { return b.When.Compare(a.When) })
	return rows, nil
}

// quarantined returns the files of the quarantine folder that are not
// among the uploads named in skip.
func (s *Server) quarantined(skip map[string]bool) ([]fileRow, error) {
	dir := filepath.Join(s.cfg.InboxDir, ingest.QuarantineDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("web: quarantine: %w", err)
	}
	var rows []fileRow
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ingest.ReasonSuffix)
		if !ok || !e.Type().IsRegular() || skip[name] {
			continue
		}
		r, err := ingest.ReadReasonFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // removed since the listing
		}
		row := fileRow{Name: name, When: r.RejectedAt, Status: stateQuarantined, Reason: r.Reason}
		if exists(filepath.Join(dir, name+rejectsSuffix)) {
			row.Rejects = "/quarantine/" + url.PathEscape(name) + "/rejects.csv"
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// filesData is the data of the Files page.
type filesData struct {
	Rows        []fileRow
	Federations []string
	Statuses    []string
	Federation  string
	Status      string
	Total       int
}

// filesPage lists the files, filtered by federation and status.
func (s *Server) filesPage(w http.ResponseWriter, r *http.Request, v *visit) {
	rows, err := s.fileRows(r.Context(), v)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	d := filesData{Federation: r.URL.Query().Get("federation"), Status: r.URL.Query().Get("status"), Total: len(rows),
		Statuses: []string{stateLoaded, stateDuplicate, stateQuarantined, stateWaiting}}
	if !v.Scoped() {
		if d.Federations, err = s.cfg.Store.Federations(r.Context()); err != nil {
			s.internal(w, r, v, err)
			return
		}
	}
	d.Rows = slices.DeleteFunc(rows, func(row fileRow) bool {
		return (d.Federation != "" && !slices.Contains(row.Federations, d.Federation)) ||
			(d.Status != "" && row.Status != d.Status)
	})
	s.render(w, r, http.StatusOK, "files", pageData{Title: "Files", Active: "files", Visit: v, Data: d})
}

// fileData is the data of a loaded file's page.
type fileData struct {
	File      store.FileSummary
	Name      string
	Practices []store.RowWarning
	Warnings  []store.RowWarning
	Total     int
	Comments  []store.Comment
	Rejects   string
	// RejectsOwn is set when the rejects CSV holds only the rows of the
	// user's federation's respondents (see sendRejects).
	RejectsOwn bool
	Scoped     bool
	Federation string
}

// filePage shows one loaded file: its warnings, the practices that
// matched none, and its comments.
func (s *Server) filePage(w http.ResponseWriter, r *http.Request, v *visit) {
	f, ok := s.visibleFile(w, r, v)
	if !ok {
		return
	}
	d, err := s.fileDetail(r.Context(), v, f)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "file", pageData{Title: d.Name, Active: "files", Visit: v, Data: d})
}

// fileDetail reads what a loaded file's page and a loaded upload's page
// show of it.
func (s *Server) fileDetail(ctx context.Context, v *visit, f store.FileSummary) (fileData, error) {
	d := fileData{File: f, Name: f.Name, Scoped: v.Scoped(), Federation: v.User.Federation}
	if f.Upload != nil {
		d.Name = f.Upload.OriginalName
	}
	warns, total, err := s.cfg.Store.FileRowWarnings(ctx, f.ID, maxWarningsShown, v.federations()...)
	if err != nil {
		return d, err
	}
	d.Total = total
	for _, w := range warns {
		if w.Code == "practice_unmatched" || w.Code == "practice_ambiguous" {
			d.Practices = append(d.Practices, w)
		} else {
			d.Warnings = append(d.Warnings, w)
		}
	}
	if d.Comments, err = s.cfg.Store.FileComments(ctx, f.ID, v.User.Federation, maxCommentsShown); err != nil {
		return d, err
	}
	if exists(filepath.Join(s.cfg.InboxDir, ingest.ArchiveDir, f.Name+rejectsSuffix)) {
		d.Rejects = fmt.Sprintf("/files/%d/rejects.csv", f.ID)
		d.RejectsOwn = v.Scoped() && (f.Upload == nil || !uploadedByVisitor(v, f.Upload.UploadedBy))
	}
	return d, nil
}

// visibleFile returns the loaded file named by the request's {id} when
// v may see it, and otherwise answers "not found": a file of another
// federation is not there for the user, by any address.
func (s *Server) visibleFile(w http.ResponseWriter, r *http.Request, v *visit) (store.FileSummary, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, v)
		return store.FileSummary{}, false
	}
	f, err := s.cfg.Store.FileSummaryByID(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r, v)
		return f, false
	case err != nil:
		s.internal(w, r, v, err)
		return f, false
	case v.Scoped() && !slices.Contains(fileFederations(f), v.User.Federation):
		s.notFound(w, r, v)
		return f, false
	}
	return f, true
}

// fileRejects sends a loaded file's rejects CSV, or what of it v may
// have (see sendRejects).
func (s *Server) fileRejects(w http.ResponseWriter, r *http.Request, v *visit) {
	f, ok := s.visibleFile(w, r, v)
	if !ok {
		return
	}
	name, uploadedBy := f.Name, ""
	if f.Upload != nil {
		name, uploadedBy = f.Upload.OriginalName, f.Upload.UploadedBy
	}
	s.sendRejects(w, r, v, filepath.Join(s.cfg.InboxDir, ingest.ArchiveDir, f.Name+rejectsSuffix), name+rejectsSuffix, uploadedBy, &f)
}

// quarantineRejects sends the rejects CSV of a file of the quarantine
// folder that did not come through the web; only users who see every
// federation see those files.
func (s *Server) quarantineRejects(w http.ResponseWriter, r *http.Request, v *visit) {
	name := r.PathValue("name")
	if v.Scoped() || name != filepath.Base(name) || !ingest.Ready(name) || strings.ContainsAny(name, `/\`) {
		s.notFound(w, r, v)
		return
	}
	s.sendFile(w, r, v, filepath.Join(s.cfg.InboxDir, ingest.QuarantineDir, name+rejectsSuffix), name+rejectsSuffix, csvType)
}

// sendFile sends the file at path as an attachment called name, or "not
// found" when there is none.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, v *visit, path, name, contentType string) {
	f, fi, ok := s.openRegular(w, r, v, path)
	if !ok {
		return
	}
	defer f.Close()
	attachment(w, name, contentType)
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// openRegular opens the regular file at path for sending. When there is
// none, or it cannot be opened, it answers the request itself (not found,
// or an internal error) and returns false.
func (s *Server) openRegular(w http.ResponseWriter, r *http.Request, v *visit, path string) (*os.File, os.FileInfo, bool) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		s.notFound(w, r, v)
		return nil, nil, false
	}
	if err != nil {
		s.internal(w, r, v, err)
		return nil, nil, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		s.notFound(w, r, v)
		return nil, nil, false
	}
	return f, fi, true
}

// mimeAttachment is the Content-Disposition of a download called name.
func mimeAttachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, v *visit) {
	s.problem(w, r, v, http.StatusNotFound, "Not found", "There is nothing at this address that your account may see.")
}
