package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/store"
)

// tokenPattern is the form of an upload's token.
var tokenPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// maxUploadsShown bounds the uploads one page shows.
const maxUploadsShown = 20

// uploadView is one upload as its page shows it.
type uploadView struct {
	Upload     store.Upload
	Inspection ingest.Inspection
	Outcome    outcome
	// Detail is the loaded file's warnings and comments, for a loaded
	// upload (or the earlier file of a duplicate) the user may see.
	Detail *fileData
}

// uploadsData is the data of the uploads page.
type uploadsData struct {
	Uploads []uploadView
	// Pending is true while the worker has not handled every upload: the
	// page then asks for their states again.
	Pending bool
}

// uploadsPage shows one upload (/uploads/TOKEN) or several
// (/uploads?id=A&id=B): what inspecting each found and what the worker
// did with it.
func (s *Server) uploadsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	tokens := r.URL.Query()["id"]
	if t := r.PathValue("token"); t != "" {
		tokens = []string{t}
	}
	if len(tokens) == 0 || len(tokens) > maxUploadsShown {
		http.Redirect(w, r, "/files", http.StatusSeeOther)
		return
	}
	var d uploadsData
	for _, t := range tokens {
		u, ok := s.visibleUpload(w, r, v, t)
		if !ok {
			return
		}
		o, err := s.outcomeOf(r.Context(), u, s.loadedFromStore)
		if err != nil {
			s.internal(w, r, v, err)
			return
		}
		if !rejectsOffered(v, u.UploadedBy, o.File) {
			o.Rejects = ""
		}
		uv := uploadView{Upload: u, Inspection: inspectionOf(u), Outcome: o}
		if o.File != nil && (!v.Scoped() || slices.Contains(fileFederations(*o.File), v.User.Federation)) {
			detail, err := s.fileDetail(r.Context(), v, *o.File)
			if err != nil {
				s.internal(w, r, v, err)
				return
			}
			uv.Detail = &detail
		}
		d.Pending = d.Pending || !o.Final()
		d.Uploads = append(d.Uploads, uv)
	}
	title := "Upload"
	if len(d.Uploads) == 1 {
		title = d.Uploads[0].Upload.OriginalName
	} else {
		title = words.Count(len(d.Uploads), "upload", "")
	}
	s.render(w, r, http.StatusOK, "uploads", pageData{Title: title, Active: "upload", Visit: v, Data: d})
}

// requestedOutcome returns the upload the request's token names, when v
// may see it, and what became of it; otherwise it answers the request
// itself and returns false.
func (s *Server) requestedOutcome(w http.ResponseWriter, r *http.Request, v *visit) (store.Upload, outcome, bool) {
	u, ok := s.visibleUpload(w, r, v, r.PathValue("token"))
	if !ok {
		return u, outcome{}, false
	}
	o, err := s.outcomeOf(r.Context(), u, s.loadedFromStore)
	if err != nil {
		s.internal(w, r, v, err)
		return u, outcome{}, false
	}
	return u, o, true
}

// visibleUpload returns the upload with the given token when v may see
// it, and otherwise answers "not found".
func (s *Server) visibleUpload(w http.ResponseWriter, r *http.Request, v *visit, token string) (store.Upload, bool) {
	if !tokenPattern.MatchString(token) {
		s.notFound(w, r, v)
		return store.Upload{}, false
	}
	u, err := s.cfg.Store.Upload(r.Context(), token)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r, v)
		return u, false
	case err != nil:
		s.internal(w, r, v, err)
		return u, false
	case v.Scoped() && u.Federation != v.User.Federation:
		ok, err := s.loadedFor(r.Context(), u, v.User.Federation)
		if err != nil {
			s.internal(w, r, v, err)
			return u, false
		}
		if !ok {
			s.notFound(w, r, v)
			return u, false
		}
	}
	return u, true
}

// loadedFor reports whether u, uploaded by a user tied to no federation,
// became a loaded file of the federation: the file is then that
// federation's, as it is on the Files page.
func (s *Server) loadedFor(ctx context.Context, u store.Upload, federation string) (bool, error) {
	if u.Federation != "" {
		return false, nil
	}
	f, err := s.loadedFromStore(ctx, u.SHA256)
	if err != nil || f == nil || f.Name != u.StoredName {
		return false, err
	}
	return slices.Contains(f.Federations, federation), nil
}

// statusBody is the JSON of an upload's state.
type statusBody struct {
	State string `json:"state"`
	Final bool   `json:"final"`
}

// uploadStatus answers with the upload's state as JSON, for the upload
// page to know when to show the outcome.
func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request, v *visit) {
	_, o, ok := s.requestedOutcome(w, r, v)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(statusBody{State: o.State, Final: o.Final()})
}

// uploadRejects sends the rejects CSV beside an upload the worker has
// handled, or what of it v may have (see sendRejects).
func (s *Server) uploadRejects(w http.ResponseWriter, r *http.Request, v *visit) {
	u, o, ok := s.requestedOutcome(w, r, v)
	if !ok {
		return
	}
	if o.Rejects == "" {
		s.notFound(w, r, v)
		return
	}
	name := u.OriginalName
	name = name[:len(name)-len(filepath.Ext(name))] + rejectsSuffix
	s.sendRejects(w, r, v, o.Rejects, name, u.UploadedBy, o.File)
}
