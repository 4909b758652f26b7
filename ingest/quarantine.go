package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/survey"
)

// reasonFileName matches the name of a reason file, numbered when the
// plain name was taken (see [writeNew]).
var reasonFileName = regexp.MustCompile(`\.reason(-[0-9]+)?\.txt$`)

// positionLines returns the lines of a reason file that give the
// rejection's position and the problem alone, beside the one-line reason:
// "row", "column" (each only when known) and "problem".
func (e *RejectError) positionLines() string {
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "row: %d\n", e.Row)
	}
	if e.Column != "" {
		col := e.Column
		if e.Header != "" {
			col += " " + strconv.Quote(shorten(e.Header, 60))
		}
		fmt.Fprintf(&b, "column: %s\n", col)
	}
	problem := e.Reason
	if e.Err != nil {
		problem += ": " + e.Err.Error()
	}
	fmt.Fprintf(&b, "problem: %s\n", oneLine(problem))
	return b.String()
}

// QuarantinedFiles returns the files rejected into inboxDir's quarantine
// folder, read from their reason files, by rejection time and then name.
// An empty inboxDir or a missing quarantine folder holds none. A reason
// file written before positions were recorded gives the whole reason line
// and no row or column.
func QuarantinedFiles(inboxDir string) ([]survey.RejectedFile, error) {
	if inboxDir == "" {
		return nil, nil
	}
	dir := filepath.Join(inboxDir, QuarantineDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: quarantine: %w", err)
	}
	var out []survey.RejectedFile
	for _, e := range entries {
		if !e.Type().IsRegular() || !reasonFileName.MatchString(e.Name()) {
			continue
		}
		r, err := ReadReasonFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("ingest: quarantine: %w", err)
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].RejectedAt.Equal(out[j].RejectedAt) {
			return out[i].RejectedAt.Before(out[j].RejectedAt)
		}
		return out[i].File < out[j].File
	})
	return out, nil
}

// ReadReasonFile reads the "key: value" lines of the reason file at path,
// written beside a quarantined export: the problem alone when it is there,
// else the whole reason, with the row, column and time when given. A file
// that does not name its export is taken to be NAME.reason.txt.
func ReadReasonFile(path string) (survey.RejectedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return survey.RejectedFile{}, err
	}
	defer f.Close()
	fields := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			fields[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return survey.RejectedFile{}, fmt.Errorf("%s: %w", path, err)
	}
	r := survey.RejectedFile{File: fields["file"], Column: fields["column"], Reason: fields["problem"]}
	if r.File == "" {
		r.File = strings.TrimSuffix(filepath.Base(path), reasonFileName.FindString(path))
	}
	if r.Reason == "" {
		r.Reason = fields["reason"]
	}
	r.RejectedAt, _ = time.Parse(time.RFC3339, fields["rejected"])
	r.Row, _ = strconv.Atoi(fields["row"])
	return r, nil
}
