package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Inbox subfolders that handled files are moved to.
const (
	// ArchiveDir receives loaded and duplicate files.
	ArchiveDir = "archive"
	// QuarantineDir receives rejected files, each with a reason file.
	QuarantineDir = "quarantine"
)

// ReasonSuffix is appended to a quarantined file's name to name the text
// file explaining its rejection.
const ReasonSuffix = ".reason.txt"

// Ready reports whether a file called name in an inbox is ready to be
// ingested: not hidden, not a partial download (*.tmp, *.part) and not an
// Office lock file (~$*).
func Ready(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case name == "", strings.HasPrefix(name, "."), strings.HasPrefix(name, "~$"):
		return false
	case strings.HasSuffix(lower, ".tmp"), strings.HasSuffix(lower, ".part"):
		return false
	}
	return true
}

// ReadyFiles returns the paths of the ready regular files directly in
// inboxDir, sorted by name. Subdirectories (archive/, quarantine/) are not
// entered.
func ReadyFiles(inboxDir string) ([]string, error) {
	entries, err := os.ReadDir(inboxDir)
	if err != nil {
		return nil, fmt.Errorf("ingest: list inbox: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && Ready(e.Name()) {
			out = append(out, filepath.Join(inboxDir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// ProcessInbox ingests every ready file of inboxDir in name order (see
// [Ingester.ProcessFile]). A file that fails for a reason other than its
// content stays in the inbox and is reported with Status "failed". The error
// is non-nil only when the inbox cannot be listed or ctx is done.
func (in *Ingester) ProcessInbox(ctx context.Context, inboxDir string) ([]Result, error) {
	paths, err := ReadyFiles(inboxDir)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res, err := in.ProcessFile(ctx, inboxDir, p)
		if err != nil {
			res.Status, res.Reason = StatusFailed, err.Error()
			in.logger.WarnContext(ctx, "file left in inbox", slog.String("file", res.File), slog.String("error", err.Error()))
		}
		out = append(out, res)
	}
	return out, nil
}

// ProcessFile ingests the file at path and moves it out of the inbox:
// loaded and duplicate files to <inboxDir>/archive/, rejected ones to
// <inboxDir>/quarantine/ with a <name>.reason.txt beside them. When rows
// had problems (warnings, or the row that got the file rejected), a
// <name>.rejects.csv beside the moved file lists them (see [RejectsSuffix]).
// Existing files are never overwritten; a numbered name is used instead. A
// rejected file is handled, so the error is nil; the error is non-nil when
// the file could not be handled (database unreachable, file unmovable) and
// is left in place.
//
// A file whose size or modification time changed while it was read (its
// writer paused longer than the quiet period) is not moved: what was read
// is loaded, and the file stays in the inbox, so that its next load adds
// the respondents written since, as for a re-export; were it rejected, it
// is left for the next attempt instead, with an error. A file written to
// just after its move comes back to the inbox. A file deleted while it
// was read has its data loaded all the same.
func (in *Ingester) ProcessFile(ctx context.Context, inboxDir, path string) (Result, error) {
	rj := newRejects(inboxDir, fileName(path))
	defer rj.discard()
	before, _ := os.Stat(path)
	res, err := in.ingest(ctx, path, rj)
	var rej *RejectError
	switch {
	case errors.As(err, &rej):
		if changed(before, path) {
			return res, fmt.Errorf("ingest: %s changed while it was read; left in the inbox to be read again", res.File)
		}
		rj.rejected(nil, rej)
		err = in.quarantine(inboxDir, path, &res, rej)
	case err != nil:
		return res, err
	case changed(before, path):
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			in.logger.WarnContext(ctx, "file left the inbox while it was read; what was read is loaded", slog.String("file", res.File))
		} else {
			in.logger.WarnContext(ctx, "file changed while it was read; what was read is loaded and the file stays in the inbox",
				slog.String("file", res.File))
		}
		in.logResult(ctx, res)
		return res, nil
	default:
		res.MovedTo, err = moveNoClobber(path, filepath.Join(inboxDir, ArchiveDir, filepath.Base(path)))
		if err == nil && changed(before, res.MovedTo) {
			in.logger.WarnContext(ctx, "file written to as it was archived; moved back to the inbox to be read again",
				slog.String("file", res.File))
			if _, berr := moveNoClobber(res.MovedTo, path); berr == nil {
				res.MovedTo = ""
			}
		}
	}
	if err != nil {
		return res, fmt.Errorf("ingest: %s: %w", res.File, err)
	}
	// The file is handled by now: a rejects file that cannot be written is
	// logged, not a reason to report the file as left in the inbox.
	if res.MovedTo != "" {
		if res.RejectsFile, err = rj.finish(res.MovedTo); err != nil {
			in.logger.WarnContext(ctx, "rejects file not written", slog.String("file", res.File), slog.String("error", err.Error()))
		}
	}
	in.logResult(ctx, res)
	return res, nil
}

// changed reports whether the file at path is not the one before
// described: gone, or of another size or modification time.
func changed(before fs.FileInfo, path string) bool {
	now, err := os.Stat(path)
	if err != nil || before == nil {
		return true
	}
	return now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime())
}

// quarantine moves a rejected file to quarantine/ and writes its reason.
func (in *Ingester) quarantine(inboxDir, path string, res *Result, rej *RejectError) error {
	text := fmt.Sprintf("file: %s\nrejected: %s\nsha256: %s\nreason: %s\n",
		res.File, in.opts.Now().UTC().Format(time.RFC3339), res.SHA256, rej.Error())
	// The reason is written once the quarantined name is claimed and
	// before the export leaves the inbox, so a crash between the two
	// never leaves a quarantined file that no listing shows (they are
	// found by their reason files); at worst the export is still in the
	// inbox and is rejected again.
	dst, err := moveNoClobberThen(path, filepath.Join(inboxDir, QuarantineDir, filepath.Base(path)), func(dst string) error {
		return writeNew(dst+ReasonSuffix, []byte(text+rej.positionLines()))
	})
	if err != nil {
		return err
	}
	res.MovedTo = dst
	return nil
}

func (in *Ingester) logResult(ctx context.Context, res Result) {
	attrs := []any{slog.String("file", res.File), slog.String("status", res.Status),
		slog.String("platform", res.Platform), slog.String("moved_to", res.MovedTo)}
	if res.RejectsFile != "" {
		attrs = append(attrs, slog.String("rejects_file", res.RejectsFile))
	}
	if res.Status == StatusRejected {
		in.logger.WarnContext(ctx, "rejected file", append(attrs, slog.String("reason", res.Reason))...)
		return
	}
	in.logger.InfoContext(ctx, "ingested file", append(attrs, slog.Int("rows", res.Rows),
		slog.Int("respondents", res.Respondents), slog.Int("duplicates", res.Duplicates),
		slog.Int("answers", res.Answers), slog.Int("warnings", res.Warnings),
		slog.Int("partial", res.Partial), slog.Int("partial_excluded", res.PartialExcluded),
		slog.Int("ignored_columns", len(res.Ignored)))...)
}

// maxNameTries bounds the numbered names tried for a move.
const maxNameTries = 10000

// moveNoClobber moves the file src to path, or to name-2.ext,
// name-3.ext… when path is taken, creating path's directory, and returns
// the new path. A hard link claims the new name atomically, so an existing
// file is never overwritten; where hard links are not supported a checked
// rename is used.
func moveNoClobber(src, path string) (string, error) {
	return moveNoClobberThen(src, path, nil)
}

// moveNoClobberThen is moveNoClobber that calls claimed, when not nil,
// with the new path once it is taken and before src is removed (or, where
// hard links are not supported, before the rename). When claimed fails,
// src stays where it was and its error is returned.
func moveNoClobberThen(src, path string, claimed func(dst string) error) (string, error) {
	if claimed == nil {
		claimed = func(string) error { return nil }
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	for i := 1; i <= maxNameTries; i++ {
		dst := numbered(path, i)
		err := os.Link(src, dst)
		if errors.Is(err, fs.ErrExist) {
			if !sameFile(src, dst) {
				continue
			}
			// An earlier move stopped (the process was killed) between
			// the link and the removal: finish it rather than archive
			// the one file under two names.
			if err := claimed(dst); err != nil {
				return "", err
			}
			return dst, os.Remove(src)
		}
		if err != nil {
			if _, serr := os.Lstat(dst); serr == nil {
				continue
			}
			if err := claimed(dst); err != nil {
				return "", err
			}
			return dst, os.Rename(src, dst)
		}
		if err := claimed(dst); err != nil {
			return "", errors.Join(err, os.Remove(dst))
		}
		return dst, os.Remove(src)
	}
	return "", fmt.Errorf("no free name for %s", path)
}

// sameFile reports whether a and b name the same file: one is a hard
// link of the other.
func sameFile(a, b string) bool {
	fa, err := os.Lstat(a)
	if err != nil {
		return false
	}
	fb, err := os.Lstat(b)
	return err == nil && os.SameFile(fa, fb)
}

// numbered returns name for i == 1, else name with "-i" before its
// extension.
func numbered(name string, i int) string {
	if i == 1 {
		return name
	}
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i, ext)
}

// writeNew writes data to a new file at path, or to a numbered name when
// path exists.
func writeNew(path string, data []byte) error {
	for i := 1; i <= maxNameTries; i++ {
		f, err := os.OpenFile(numbered(path, i), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return errors.Join(err, f.Close())
	}
	return fmt.Errorf("no free name for %s", path)
}
