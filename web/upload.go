package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// uploadingDir is the hidden folder of the inbox that uploads are
// streamed into. The watcher never reads hidden names or subfolders, and
// a rename from it into the inbox is atomic (same file system), so the
// worker never sees half a file.
const uploadingDir = ".uploading"

// formOverhead is what an upload's body may hold beyond its files: the
// multipart boundaries and headers, and the CSRF field.
const formOverhead = 64 << 10

// staleUpload is how old a temporary upload file must be before it is
// taken as left by a server that stopped mid-upload and removed.
const staleUpload = 24 * time.Hour

// uploadTimeout bounds how long one upload's body may take to arrive: a
// 100 MB export over a slow 2 Mbit/s line takes about seven minutes.
const uploadTimeout = 20 * time.Minute

// errEmptyFile is an upload with no bytes.
var errEmptyFile = errors.New("web: empty file")

// uploadPageData is the data of the upload page.
type uploadPageData struct {
	Limit   int64
	Error   string
	Recent  []fileRow
	Refused []string
}

// uploadPage shows the upload form and the user's recent uploads.
func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showUpload(w, r, v, http.StatusOK, "")
}

func (s *Server) showUpload(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) {
	d := uploadPageData{Limit: s.cfg.UploadLimit, Error: msg}
	rows, err := s.fileRows(r.Context(), v)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	for _, row := range rows {
		if row.UploadedBy == v.User.Name && len(d.Recent) < 10 {
			d.Recent = append(d.Recent, row)
		}
	}
	s.render(w, r, status, "upload", pageData{Title: "Upload survey exports", Active: "upload", Visit: v, Data: d})
}

// upload streams each file of the form into the inbox (see receive)
// and shows what was received. The form's first field must be the CSRF
// token, so that nothing is written for a forged form.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, v *visit) {
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		w.Header().Set("Retry-After", "30")
		s.showUpload(w, r, v, http.StatusServiceUnavailable, "Other uploads are in progress. Try again in a minute.")
		return
	}
	if r.ContentLength > s.cfg.UploadLimit+formOverhead {
		s.tooLarge(w, r, v, nil)
		return
	}
	// A client that sends slowly holds one of the few upload slots; it
	// gets a generous but finite time for the whole body.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.UploadLimit+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		s.showUpload(w, r, v, http.StatusBadRequest, "That was not a file upload. Choose the files with the button below.")
		return
	}
	tokenOK := s.sessions.checkCSRF(v.sess.ID, r.Header.Get("X-CSRF-Token"))
	var got []store.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.uploadFailed(w, r, v, got, err)
			return
		}
		switch part.FormName() {
		case "csrf":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			tokenOK = tokenOK || s.sessions.checkCSRF(v.sess.ID, string(b))
		case "file":
			if !tokenOK {
				s.csrfRefused(w, r, v)
				return
			}
			if part.FileName() == "" {
				continue // the file input, with nothing chosen
			}
			u, err := s.receive(r.Context(), part, v)
			if err != nil {
				s.uploadFailed(w, r, v, got, err)
				return
			}
			got = append(got, u)
		}
	}
	switch {
	case !tokenOK:
		s.csrfRefused(w, r, v)
	case len(got) == 0:
		s.showUpload(w, r, v, http.StatusBadRequest, "Choose at least one file to upload.")
	case len(got) == 1:
		http.Redirect(w, r, "/uploads/"+got[0].Token, http.StatusSeeOther)
	default:
		q := url.Values{}
		for _, u := range got {
			q.Add("id", u.Token)
		}
		http.Redirect(w, r, "/uploads?"+q.Encode(), http.StatusSeeOther)
	}
}

// uploadFailed answers an upload that stopped at err, after the uploads
// in got were received.
func (s *Server) uploadFailed(w http.ResponseWriter, r *http.Request, v *visit, got []store.Upload, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.tooLarge(w, r, v, got)
	case errors.Is(err, errEmptyFile):
		s.showUpload(w, r, v, http.StatusBadRequest, "One of the files was empty. Check it and upload it again.")
	case r.Context().Err() != nil:
		s.log.InfoContext(r.Context(), "upload abandoned by the browser", slog.String("user", v.User.Name))
	default:
		s.internal(w, r, v, err)
	}
}

// tooLarge refuses an upload over the limit.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, v *visit, got []store.Upload) {
	s.log.WarnContext(r.Context(), "upload refused: over the size limit", slog.String("user", v.User.Name),
		slog.Int64("content_length", r.ContentLength), slog.Int64("limit", s.cfg.UploadLimit))
	msg := fmt.Sprintf("The upload is larger than the limit of %s, so it was refused and nothing of it kept. "+
		"Upload fewer files at once, or ask the administrator to raise the limit.", humanSize(s.cfg.UploadLimit))
	if len(got) > 0 {
		var names []string
		for _, u := range got {
			names = append(names, u.OriginalName)
		}
		msg = fmt.Sprintf("The upload went over the limit of %s at the file after %s; "+
			"that file was refused and nothing of it kept. The files before it were received.",
			humanSize(s.cfg.UploadLimit), strings.Join(names, ", "))
	}
	w.Header().Set("Connection", "close")
	s.showUpload(w, r, v, http.StatusRequestEntityTooLarge, msg)
}

// receive streams one file to a temporary file in the inbox's uploading
// folder, inspects it, records the upload and renames the file into the
// inbox under a generated name. The file's name as sent is kept only for
// display. On any error nothing is left behind: neither the file nor,
// when the rename fails, its record.
func (s *Server) receive(ctx context.Context, part *multipart.Part, v *visit) (store.Upload, error) {
	br := bufio.NewReaderSize(part, 64<<10)
	head, _ := br.Peek(4)
	ext := ".csv"
	if bytes.Equal(head, []byte("PK\x03\x04")) {
		ext = ".xlsx"
	}
	now := s.cfg.Now()
	u := store.Upload{Token: randomHex(16), OriginalName: cleanName(part.FileName()), UploadedBy: v.User.Name,
		Federation: v.User.Federation, UploadedAt: now}
	u.StoredName = storedName(now, u.Token, u.OriginalName, ext)
	dir := filepath.Join(s.cfg.InboxDir, uploadingDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return u, fmt.Errorf("web: upload: %w", err)
	}
	tmp := filepath.Join(dir, u.StoredName)
	size, sum, err := writeNewFile(tmp, br)
	if err != nil {
		return u, err
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp)
		}
	}()
	if size == 0 {
		return u, errEmptyFile
	}
	u.Size, u.SHA256 = size, sum
	insp, err := s.cfg.Inspector.Inspect(tmp)
	if err != nil {
		insp.Problem = "it cannot be read as a table: " + err.Error()
	}
	// The server's paths are no business of the page's.
	insp.Problem = strings.ReplaceAll(strings.ReplaceAll(insp.Problem, "inspect "+tmp+": ", ""), tmp, u.StoredName)
	insp.Problem = strings.TrimPrefix(strings.ReplaceAll(insp.Problem, ": "+u.StoredName+": ", ": "), u.StoredName+": ")
	insp.File = u.StoredName
	if u.Inspection, err = json.Marshal(insp); err != nil {
		return u, fmt.Errorf("web: upload: %w", err)
	}
	// The record comes first, so that the upload's page has it as soon as
	// the worker can see the file; a file that does not reach the inbox
	// takes its record with it.
	if err := s.cfg.Store.RecordUpload(ctx, u); err != nil {
		return u, err
	}
	if err := s.renameFunc(tmp, filepath.Join(s.cfg.InboxDir, u.StoredName)); err != nil {
		err = fmt.Errorf("web: upload: %w", err)
		if derr := s.cfg.Store.DeleteUpload(context.WithoutCancel(ctx), u.Token); derr != nil {
			err = errors.Join(err, derr)
		}
		return u, err
	}
	keep = true
	s.log.InfoContext(ctx, "file uploaded", slog.String("user", v.User.Name), slog.String("file", u.StoredName),
		slog.String("original_name", u.OriginalName), slog.Int64("bytes", size), slog.String("platform", insp.Platform))
	return u, nil
}

// writeNewFile copies r to a new file at path, synced to disk, and
// returns its size and hex SHA-256. On error the file is removed.
func writeNewFile(path string, r io.Reader) (int64, string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, "", fmt.Errorf("web: upload: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return 0, "", fmt.Errorf("web: upload: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// cleanName returns the last element of a file name as a browser sent
// it, without control or formatting characters (such as a right-to-left
// override), for display. It is never used as a path.
func cleanName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if strings.Trim(name, ".") == "" {
		return "upload"
	}
	return name
}

// storedName is the name an upload gets in the inbox:
// web-YYYYMMDD-HHMMSS-TOKEN8-slug.ext, where slug is the original name's
// letters and digits (so that the workbook's Data quality sheet still
// says which export it was) and ext comes from the file's first bytes.
func storedName(t time.Time, token, original, ext string) string {
	base := strings.TrimSuffix(original, filepath.Ext(original))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	name := "web-" + t.UTC().Format("20060102-150405") + "-" + token[:8]
	if slug := strings.Trim(b.String(), "-"); slug != "" {
		name += "-" + slug
	}
	return name + ext
}

// removeStaleUploads removes temporary upload files older than
// staleUpload: a server stopped mid-upload left them.
func (s *Server) removeStaleUploads() {
	dir := filepath.Join(s.cfg.InboxDir, uploadingDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || s.cfg.Now().Sub(fi.ModTime()) < staleUpload {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			s.log.Info("removed an upload left unfinished", slog.String("file", e.Name()))
		}
	}
}

// inspectionOf decodes an upload's stored inspection.
func inspectionOf(u store.Upload) ingest.Inspection {
	var insp ingest.Inspection
	json.Unmarshal(u.Inspection, &insp) // written by receive; {} for none
	return insp
}
