package web

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/surveyworker/surveyworker/store"
)

// A rejects CSV lists a file's rows with problems, each with its cells:
// the answers of its respondent. So a user tied to a federation gets the
// rows of their federation's respondents only, unless they uploaded the
// file themselves (they sent every row of it).

// csvType is the content type of a rejects CSV.
const csvType = "text/csv; charset=utf-8"

// byteOrderMark begins a rejects CSV, so that Excel reads it as UTF-8.
const byteOrderMark = "\uFEFF"

// rejectsOffered reports whether v may download something of the rejects
// CSV of a file uploaded by uploadedBy (empty for a file that came
// through the folder), loaded as file (nil when it was not loaded): all
// of it when v sees every federation or uploaded it; their federation's
// rows when it was loaded, since only then is each row's federation
// known; nothing otherwise.
func rejectsOffered(v *visit, uploadedBy string, file *store.FileSummary) bool {
	return !v.Scoped() || uploadedByVisitor(v, uploadedBy) || file != nil
}

func uploadedByVisitor(v *visit, uploadedBy string) bool {
	return uploadedBy != "" && strings.EqualFold(uploadedBy, v.User.Name)
}

// sendRejects sends the rejects CSV at path as an attachment called name,
// or what of it v may have (see rejectsOffered): to a user tied to a
// federation, a copy with only the lines of the rows of file's
// respondents whose practice is in it.
func (s *Server) sendRejects(w http.ResponseWriter, r *http.Request, v *visit, path, name, uploadedBy string, file *store.FileSummary) {
	switch {
	case !v.Scoped() || uploadedByVisitor(v, uploadedBy):
		s.sendFile(w, r, v, path, name, csvType)
		return
	case file == nil:
		s.problem(w, r, v, http.StatusForbidden, "Not available to your account",
			"This file was not loaded, so which federation each of its rows is from is not known. "+
				"Its rows with problems are for the person who uploaded it and for users who see every federation.")
		return
	}
	f, _, ok := s.openRegular(w, r, v, path)
	if !ok {
		return
	}
	defer f.Close()
	rows, err := s.cfg.Store.FederationRows(r.Context(), file.ID, v.User.Federation)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	rj, err := readRejectsHeader(f)
	if err != nil {
		s.internal(w, r, v, fmt.Errorf("rejects of %s: %w", file.Name, err))
		return
	}
	attachment(w, name, csvType)
	if err := rj.copyRows(w, rows); err != nil {
		s.log.WarnContext(r.Context(), "rejects CSV cut short", "file", file.Name, "error", err.Error())
	}
}

// attachment sets the headers of a download called name.
func attachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mimeAttachment(name))
}

// rejectsReader reads a rejects CSV whose header has been read.
type rejectsReader struct {
	r      *csv.Reader
	header []string
	// line is the index of the line column: the fourth from the end,
	// before column, code and reason.
	line int
}

// readRejectsHeader reads the header of the rejects CSV in, after its
// byte-order mark. It returns an error when the header does not end with
// line, column, code and reason.
func readRejectsHeader(in io.Reader) (*rejectsReader, error) {
	br := bufio.NewReader(in)
	if b, err := br.Peek(len(byteOrderMark)); err == nil && string(b) == byteOrderMark {
		br.Discard(len(byteOrderMark))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	n := len(head)
	if n < 4 || !slices.Equal(head[n-4:], []string{"line", "column", "code", "reason"}) {
		return nil, fmt.Errorf("header %q does not end with line, column, code and reason", head)
	}
	return &rejectsReader{r: cr, header: head, line: n - 4}, nil
}

// copyRows writes the header and the lines whose row is in rows, sorted,
// to out as a rejects CSV: a byte-order mark, then CRLF lines.
func (rj *rejectsReader) copyRows(out io.Writer, rows []int) error {
	bw := bufio.NewWriter(out)
	bw.WriteString(byteOrderMark)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	cw.Write(rj.header)
	for {
		rec, err := rj.r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(rec) <= rj.line {
			continue
		}
		row, err := strconv.Atoi(rec[rj.line])
		if err != nil {
			continue
		}
		if _, ok := slices.BinarySearch(rows, row); ok {
			cw.Write(rec)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
