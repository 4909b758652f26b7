package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Result statuses.
const (
	// StatusLoaded means the file's new respondents were stored.
	StatusLoaded = "loaded"
	// StatusDuplicate means the same bytes were loaded before; nothing was
	// written.
	StatusDuplicate = "duplicate"
	// StatusRejected means the file cannot be loaded; the database is
	// unchanged and the error is a *RejectError.
	StatusRejected = "rejected"
	// StatusFailed means the file could not be handled for a reason that
	// is not the file's fault (the database is unreachable, the context
	// was cancelled); it is left where it is to be tried again.
	StatusFailed = "failed"
)

// Options configure an [Ingester]. The zero value of each field has a
// meaning, given below.
type Options struct {
	// Catalogue holds the workstreams answer columns are matched to; nil
	// means [survey.DefaultCatalogue].
	Catalogue *survey.Catalogue
	// HMACKey keys the hashes of e-mail addresses and respondent keys. It
	// must stay the same across runs for repeat submissions and re-exports
	// to be recognised; when empty a fixed key is used and a warning logged.
	HMACKey []byte
	// Logger receives one line per handled file; nil discards.
	Logger *slog.Logger
	// DateOrder is how ambiguous numeric dates are read; the zero value
	// decides per file (see [DateOrderAuto]).
	DateOrder DateOrder
	// Location is the time zone of timestamps that carry none; nil means
	// Europe/London (UTC if the zone database is missing).
	Location *time.Location
	// Now returns the current time, for reason files; nil means time.Now.
	Now func() time.Time
	// Limits bound the resources one file may use; zero fields take the
	// defaults of [DefaultLimits].
	Limits Limits
	// Mapping, when set, applies to every file: a column it names that is
	// not in a file's header rejects the file. See [Mapping].
	Mapping *Mapping
	// MappingsDir holds mapping files that apply automatically to a file
	// whose header has every column one names (the one naming the most
	// columns wins). It is read again for every file, so a mapping added
	// while serving is used at once. Empty means none; a missing folder
	// holds none. Unused when Mapping is set.
	MappingsDir string
	// Sheet names the worksheet to read in a workbook; a workbook without
	// it is rejected. Empty means the sheet of the mapping given in
	// Mapping, else a sheet named by a mapping of MappingsDir that the
	// workbook has, else the first sheet with data.
	Sheet string
	// Partial says whether responses the platform marks partial (see
	// docs/METHOD.md §14) are loaded; the zero value leaves them out.
	// Either way they are counted in [Result].
	Partial Partial
	// Encoding, when set, is the text encoding every CSV file without a
	// byte order mark is read in, "utf-8" or "windows-1252", whatever its
	// bytes say: for a file valid in neither, after looking at it with
	// [Ingester.Inspect]. A byte that fits no character becomes U+FFFD and
	// the file gets an "encoding_forced" warning. Empty decides per file.
	Encoding string
	// Progress, when set, is shown each file as it is loaded: the rows
	// read, how far through the file (CSV bytes, or worksheet rows when
	// the workbook records its last row) and the rate. Nil shows none.
	Progress *progress.Reporter
}

// Limits bound what one file may make the ingester read or hold: the
// bounds of reading its bytes, which the tabular reader enforces, and how
// far it reads ahead.
type Limits struct {
	tabular.Limits
	// LookaheadRows is how many data rows are read ahead to decide the
	// date order.
	LookaheadRows int
}

// DefaultLimits are the limits used for zero fields of [Limits].
var DefaultLimits = Limits{Limits: tabular.DefaultLimits, LookaheadRows: 1000}

// fallbackKey keys hashes when no HMAC key is configured.
var fallbackKey = []byte("surveyworker-unkeyed")

// Ingester reads survey exports and loads them into the store.
type Ingester struct {
	st     *store.Store
	opts   Options
	logger *slog.Logger
}

// New returns an Ingester loading into st. It fills the zero fields of opts
// with their defaults.
func New(st *store.Store, opts Options) *Ingester {
	in := &Ingester{st: st, logger: opts.Logger}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	if opts.Catalogue == nil {
		opts.Catalogue = survey.DefaultCatalogue()
	}
	if len(opts.HMACKey) == 0 {
		in.logger.Warn("no HMAC key configured; respondent hashes use a fixed key")
		opts.HMACKey = fallbackKey
	}
	if opts.Location == nil {
		opts.Location = londonOrUTC()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Limits = withDefaults(opts.Limits)
	in.opts = opts
	return in
}

// withDefaults returns l with its zero fields set from [DefaultLimits].
func withDefaults(l Limits) Limits {
	return Limits{Limits: l.Limits.OrDefaults(), LookaheadRows: cmp.Or(l.LookaheadRows, DefaultLimits.LookaheadRows)}
}

func londonOrUTC() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}

// Result says what happened to one file.
type Result struct {
	// File is the file's base name.
	File string `json:"file"`
	// Status is StatusLoaded, StatusDuplicate, StatusRejected or
	// StatusFailed.
	Status string `json:"status"`
	// Platform is the detected platform shape, e.g. "google-forms".
	Platform string `json:"platform,omitempty"`
	// Reason explains a rejection or failure.
	Reason string `json:"reason,omitempty"`
	// SHA256 is the digest of the file's bytes.
	SHA256 string `json:"sha256,omitempty"`
	// FileID is the stored file (the earlier one for a duplicate).
	FileID int64 `json:"file_id,omitempty"`
	// Rows is the number of data rows read; Respondents of them were new
	// and Duplicates already stored. Answers and Warnings were stored.
	Rows        int `json:"rows"`
	Respondents int `json:"respondents"`
	Duplicates  int `json:"duplicates"`
	Answers     int `json:"answers"`
	Warnings    int `json:"warnings"`
	// Partial is the number of rows read whose response the platform
	// marks partial: loaded (and in Respondents) only when partial
	// responses are included; PartialExcluded of them were left out.
	Partial         int `json:"partial"`
	PartialExcluded int `json:"partial_excluded"`
	// Ignored lists the headers of columns that were not recognised.
	Ignored []string `json:"ignored,omitempty"`
	// MovedTo is where an inbox file was moved, if it was.
	MovedTo string `json:"moved_to,omitempty"`
	// RejectsFile is the CSV of row problems written beside MovedTo, if
	// any (see [RejectsSuffix]).
	RejectsFile string `json:"rejects_file,omitempty"`
}

// IngestFile loads the file at path, leaving the file where it is. A file
// whose bytes were loaded before is a duplicate and writes nothing. A file
// that cannot be loaded returns a *RejectError (Status "rejected") and
// leaves the database unchanged; other errors (Status "failed") are not
// the file's fault. Bad input never panics: a panic while reading the file
// is recovered and returned as a rejection.
func (in *Ingester) IngestFile(ctx context.Context, path string) (Result, error) {
	return in.ingest(ctx, path, nil)
}

// ingest is [Ingester.IngestFile], writing the row problems to rj when it
// is not nil.
func (in *Ingester) ingest(ctx context.Context, path string, rj *rejects) (res Result, err error) {
	res = Result{File: fileName(path), Status: StatusFailed}
	defer func() {
		if p := recover(); p != nil {
			in.logger.Error("panic reading file", slog.String("file", res.File), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			err = &RejectError{File: res.File, Reason: fmt.Sprintf("internal error reading the file: %v", p)}
		}
		if err != nil {
			err = asRejection(res.File, err)
			res.Status, res.Reason = outcome(err)
		}
	}()
	// Deferred after the recovery, so the progress line is finished
	// before a panic is logged.
	task := in.opts.Progress.Start("ingest", slog.String("file", res.File))
	defer task.Finish()
	info, err := in.readInfo(path)
	if err != nil {
		return res, rejectionOf(res.File, err)
	}
	res.SHA256 = info.SHA256
	id, loaded, err := in.st.LoadedFile(ctx, info.SHA256)
	if err != nil {
		return res, err
	}
	if loaded {
		res.Status, res.FileID = StatusDuplicate, id
		return res, nil
	}
	registry, err := in.st.Practices(ctx)
	if err != nil {
		return res, err
	}
	return in.load(ctx, path, info, practices.NewMatcher(registry), res, rj, task)
}

// load parses the file and streams its rows into the store, counting them
// on task.
func (in *Ingester) load(ctx context.Context, path string, info tabular.Info, pm *practices.Matcher, res Result, rj *rejects, task *progress.Task) (Result, error) {
	p, err := in.open(path, info, pm, rj, task)
	if err != nil {
		return res, err
	}
	defer p.close()
	res.Platform, res.Ignored = p.layout.Platform, p.ignored()
	lr, err := in.st.LoadFile(ctx, p.file, p.next)
	if err != nil {
		return res, err
	}
	res.Status, res.FileID = StatusLoaded, lr.FileID
	if lr.Duplicate {
		res.Status = StatusDuplicate
	}
	res.Rows, res.Respondents, res.Duplicates = lr.Rows, lr.Respondents, lr.Duplicates
	res.Answers, res.Warnings = lr.Answers, lr.Warnings
	res.Partial, res.PartialExcluded = lr.Partial+lr.PartialExcluded, lr.PartialExcluded
	return res, nil
}

// asRejection returns err as a *RejectError when it is the file's fault,
// including data the database refused; other errors are returned as they
// are.
func asRejection(file string, err error) error {
	var rej *RejectError
	if errors.As(err, &rej) {
		return rej
	}
	if errors.Is(err, store.ErrRejectedData) {
		return &RejectError{File: file, Reason: "the database refused the file's data", Err: err}
	}
	return err
}

// outcome returns the status and reason for an error from [asRejection].
func outcome(err error) (string, string) {
	var rej *RejectError
	if errors.As(err, &rej) {
		return StatusRejected, rej.Error()
	}
	return StatusFailed, err.Error()
}

// fileName returns the base name of path.
func fileName(path string) string { return filepath.Base(path) }
