package web

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// What the worker has done with an upload.
const (
	// stateWaiting: the file is in the inbox, not yet read or being read.
	stateWaiting = "waiting"
	// stateLoaded: loaded and moved to the archive.
	stateLoaded = "loaded"
	// stateDuplicate: the same bytes had been loaded before; archived.
	stateDuplicate = "duplicate"
	// stateQuarantined: rejected and moved to the quarantine with its
	// reason.
	stateQuarantined = "quarantined"
	// stateGone: none of these; the file left the inbox some other way
	// (or is in the hands of a worker that moves it elsewhere first).
	stateGone = "gone"
)

// rejectsSuffix names the rejects CSV beside an archived or quarantined
// file.
const rejectsSuffix = ingest.RejectsSuffix

// outcome is what became of an upload, read from the inbox's folders and
// the database.
type outcome struct {
	// State is one of the state constants.
	State string
	// Reason, Row and Column are the quarantine's, read from the reason
	// file.
	Reason string
	Row    int
	Column string
	// At is when the worker handled the file, when known.
	At time.Time
	// File is the loaded file (an earlier one for a duplicate).
	File *store.FileSummary
	// Rejects is the path of the rejects CSV beside the handled file,
	// empty when there is none.
	Rejects string
}

// Final reports whether the worker is done with the file.
func (o outcome) Final() bool {
	return o.State == stateLoaded || o.State == stateDuplicate || o.State == stateQuarantined
}

// loadedFunc returns the loaded file with a given SHA-256, nil when there
// is none.
type loadedFunc func(ctx context.Context, sha256 string) (*store.FileSummary, error)

// loadedFromStore reads the loaded file from the database.
func (s *Server) loadedFromStore(ctx context.Context, sha256 string) (*store.FileSummary, error) {
	f, err := s.cfg.Store.FileSummaryBySHA256(ctx, sha256)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// outcomeOf finds what became of u. The inbox is looked at first: bytes
// loaded before may be waiting again.
func (s *Server) outcomeOf(ctx context.Context, u store.Upload, loaded loadedFunc) (outcome, error) {
	inbox := s.cfg.InboxDir
	if exists(filepath.Join(inbox, u.StoredName)) {
		return outcome{State: stateWaiting}, nil
	}
	quarantined := filepath.Join(inbox, ingest.QuarantineDir, u.StoredName)
	if r, err := ingest.ReadReasonFile(quarantined + ingest.ReasonSuffix); err == nil {
		o := outcome{State: stateQuarantined, Reason: r.Reason, Row: r.Row, Column: r.Column, At: r.RejectedAt}
		o.Rejects = existing(quarantined + rejectsSuffix)
		return o, nil
	}
	if exists(quarantined) {
		return outcome{State: stateWaiting}, nil // its reason is being written
	}
	f, err := loaded(ctx, u.SHA256)
	if err != nil {
		return outcome{}, err
	}
	archived := filepath.Join(inbox, ingest.ArchiveDir, u.StoredName)
	switch {
	case f != nil && f.Name == u.StoredName:
		return outcome{State: stateLoaded, File: f, At: f.LoadedAt, Rejects: existing(archived + rejectsSuffix)}, nil
	case f != nil && exists(archived):
		return outcome{State: stateDuplicate, File: f, Rejects: existing(archived + rejectsSuffix)}, nil
	}
	return outcome{State: stateGone}, nil
}

// exists reports whether path is a regular file.
func exists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// existing returns path when it is a regular file, else "".
func existing(path string) string {
	if exists(path) {
		return path
	}
	return ""
}
