package report

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// DefaultTitle is the workbook and e-mail title when none is given.
const DefaultTitle = "Primary care IT roadmap ranking"

// Sheet names, in workbook order.
const (
	SheetSummary      = "Summary"
	SheetRanking      = "Ranking"
	SheetWhatIf       = "What-if"
	SheetTiers        = "Tiers"
	SheetFederation   = "By federation"
	SheetRole         = "By role"
	SheetDependencies = "Dependencies"
	SheetComments     = "Comments"
	SheetQuality      = "Data quality"
	SheetMethod       = "Method"
)

// WorkbookInput is what [WriteWorkbook] needs. Only Ranking is required;
// [WorkbookInput.Load] fills the fields read from the database.
type WorkbookInput struct {
	// Ranking is the ranking to present; its counts fill the Summary sheet.
	Ranking survey.Ranking
	// GeneratedAt is when the report was made; it is shown in Location
	// and in ISO 8601. Zero means Ranking.CreatedAt.
	GeneratedAt time.Time
	// Location is the time zone times are shown in; nil means
	// Europe/London (UTC when the zone database is unavailable).
	Location *time.Location
	// Title heads the Summary sheet; empty means [DefaultTitle].
	Title string
	// TierRules describe how tiers were assigned, one rule per entry, as
	// the ranking method states them. Empty derives them from Rank.
	TierRules []string
	// Catalogue holds the workstreams' names, published tiers and
	// "considered with" lists; nil means [survey.DefaultCatalogue].
	Catalogue *survey.Catalogue
	// Rank are the options the ranking was computed with: the tier
	// thresholds, the dependency cap and the mandate floor that the
	// What-if sheet's formulas repeat. Zero fields mean the defaults.
	Rank analysis.Options
	// Previous is the stored run the ranking is compared with (the run of
	// Ranking.Previous), for what moved and why; nil when there is none.
	Previous *survey.Ranking
	// Coverage counts, per federation of the registry, the practices and
	// those that responded.
	Coverage []store.FederationCoverage
	// FirstResponse and LastResponse bound the survey's submission times;
	// zero when unknown.
	FirstResponse, LastResponse time.Time
	// Comments are the free-text comments for the Comments sheet, read as
	// the sheet is written; nil means none.
	Comments iter.Seq2[store.Comment, error]
	// Quality fills the Data quality sheet; its zero value shows no
	// problems and no files.
	Quality DataQuality
	// Federations, when set, makes the workbook the view of a lead of
	// these federations (the registry's names): the Summary opens with a
	// paragraph about them and lists them first, the By federation sheet
	// shows their columns first, and [WorkbookInput.Load] reads only their
	// respondents' comments, and no warning showing what respondents of
	// other federations wrote. Every other sheet, and the ranking, are the
	// same in every view. Empty means the full workbook.
	Federations []string
	// ViewComments is, in a federation view, the number of comments the
	// Comments sheet lists; Load sets it.
	ViewComments int
	// Version is the surveyworker version shown on the Method sheet; empty
	// means the version the binary was built as.
	Version string
}

// DataQuality is what the Data quality sheet shows: the files that could
// not be loaded, each loaded file's respondents and problems, and every
// problem found in their rows. It holds no personal data: answers are
// stored with e-mail addresses and phone numbers masked.
type DataQuality struct {
	// Rejected are the files in the inbox's quarantine.
	Rejected []survey.RejectedFile
	// Files are the loaded files with their warnings counted by code.
	Files []store.FileQuality
	// Warnings are the stored row and file warnings, read as the sheet is
	// written; nil means none.
	Warnings iter.Seq2[store.RowWarning, error]
	// Withheld counts, in a federation view, the warnings left out of
	// Warnings because they show what respondents of other federations
	// wrote; Load sets it.
	Withheld int
}

// Load fills the fields of in that are read from st: the previous run,
// the coverage, the response period, the files and the comment and
// warning sequences, which are read while the workbook is written (so
// ctx must stay live until [WriteWorkbook] returns), of the view of
// in.Federations when it is set. Rejected files are not in the database;
// set Quality.Rejected from the inbox.
func (in *WorkbookInput) Load(ctx context.Context, st *store.Store) error {
	if p := in.Ranking.Previous; p != nil {
		prev, err := st.Ranking(ctx, p.RunID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fmt.Errorf("report: previous ranking: %w", err)
		default:
			in.Previous = prev
		}
	}
	var err error
	if in.Coverage, err = st.Coverage(ctx); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if in.FirstResponse, in.LastResponse, err = st.ResponsePeriod(ctx); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if in.Quality.Files, err = st.FileQualities(ctx); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	in.Comments = st.Comments(ctx, in.Federations...)
	in.Quality.Warnings = st.Warnings(ctx, in.Federations...)
	if len(in.Federations) == 0 {
		return nil
	}
	if in.ViewComments, err = st.CommentCount(ctx, in.Federations...); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if in.Quality.Withheld, err = st.WithheldWarnings(ctx, in.Federations...); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// sheetWriter writes one sheet of the workbook.
type sheetWriter struct {
	name string
	// streamed sheets are written with a StreamWriter; their page layout
	// is set before the rows.
	streamed bool
	write    func(b *book, in WorkbookInput)
	// printed, when set, returns the widths of the widest printed page's
	// columns and, when it matters, the height of its rows in points. The
	// sheet is then printed at the scale that fits them, so that its
	// manual page breaks hold (spreadsheets ignore manual breaks on a sheet
	// fitted to the page); otherwise it is fitted to the page's width.
	printed func(in WorkbookInput) (widths []float64, height float64)
}

// sheets lists the workbook's sheets in order. Each writer lives in its own
// file (sheet_*.go).
var sheets = []sheetWriter{
	{SheetSummary, false, writeSummary, nil},
	{SheetRanking, false, writeRanking, func(in WorkbookInput) ([]float64, float64) { return rankingWidths(in), 0 }},
	{SheetWhatIf, true, writeWhatIf, whatIfPrinted},
	{SheetTiers, false, writeTiers, nil},
	{SheetFederation, false, writeFederations, nil},
	{SheetRole, false, writeRoles, nil},
	{SheetDependencies, false, writeDependencies, nil},
	{SheetComments, true, writeComments, nil},
	{SheetQuality, true, writeQuality, nil},
	{SheetMethod, false, writeMethod, nil},
}

// WriteWorkbook writes the workbook for in to path. It writes a temporary
// file in the same directory and renames it over path, so readers never
// see a half-written workbook. The same input gives the same cell contents.
//
// The Comments and Data quality sheets are streamed from in's sequences
// to temporary files and the workbook is zipped straight to disk, so
// memory does not grow with the number of comments and warnings.
func WriteWorkbook(path string, in WorkbookInput) error {
	in = in.withDefaults()
	b := newBook()
	defer b.f.Close()
	for i, s := range sheets {
		b.addSheet(i, s.name)
	}
	for _, s := range sheets {
		var widths []float64
		var height float64
		if s.printed != nil {
			widths, height = s.printed(in)
		}
		if s.streamed {
			b.setPrintLayout(s.name, in, widths, height)
		}
		s.write(b, in)
		if !s.streamed {
			// After the writer: an AutoFilter rewrites the sheet properties.
			b.setPrintLayout(s.name, in, widths, height)
		}
	}
	b.setDocProps(in)
	b.setCalcOnLoad()
	if b.err != nil {
		return fmt.Errorf("report: workbook %s: %w", path, b.err)
	}
	if err := saveAtomic(b.f, path); err != nil {
		return fmt.Errorf("report: workbook %s: %w", path, err)
	}
	return nil
}

func (in WorkbookInput) withDefaults() WorkbookInput {
	if in.GeneratedAt.IsZero() {
		in.GeneratedAt = in.Ranking.CreatedAt
	}
	if in.Location == nil {
		in.Location = defaultLocation()
	}
	if in.Title == "" {
		in.Title = DefaultTitle
	}
	if in.Catalogue == nil {
		in.Catalogue = survey.DefaultCatalogue()
	}
	d := analysis.DefaultOptions()
	if in.Rank.Thresholds == (analysis.Thresholds{}) {
		in.Rank.Thresholds = d.Thresholds
	}
	if in.Rank.DependencyCap == 0 {
		in.Rank.DependencyCap = d.DependencyCap
	}
	if len(in.TierRules) == 0 {
		in.TierRules = tierRules(in.Rank)
	}
	if in.Version == "" {
		in.Version = buildVersion()
	}
	return in
}

// defaultLocation is Europe/London, or UTC without a zone database.
func defaultLocation() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}

// addSheet creates sheet number i (0-based); the first reuses the sheet a
// new workbook starts with.
func (b *book) addSheet(i int, name string) {
	if b.err != nil {
		return
	}
	if i == 0 {
		b.fail("sheet "+name, b.f.SetSheetName(b.f.GetSheetName(0), name))
	} else {
		_, err := b.f.NewSheet(name)
		b.fail("sheet "+name, err)
	}
}

// Page margins in inches: narrow, so A4 landscape holds a wide table at
// full size.
var (
	marginSide   = 0.4
	marginTop    = 0.6
	marginHeader = 0.25
)

// setPrintLayout prints every sheet on A4 landscape, with the sheet's
// name and the page number in the header. A sheet without printed widths
// is fitted to one page wide, so a printed table is never split across
// pages by column; one with them is printed at the scale that fits those
// columns, and height points of rows when height is not 0.
func (b *book) setPrintLayout(name string, in WorkbookInput, widths []float64, height float64) {
	if b.err != nil {
		return
	}
	a4, orientation, wide, tall, fit, first := 9, "landscape", 1, 0, true, uint(1)
	if name == SheetSummary {
		tall = 1 // the Summary is one page, for a board paper
	}
	layout := &excelize.PageLayoutOptions{Size: &a4, Orientation: &orientation, FirstPageNumber: &first}
	if widths == nil {
		layout.FitToWidth, layout.FitToHeight = &wide, &tall
	} else {
		scale := printScale(widths, height)
		layout.AdjustTo, fit = &scale, false
	}
	b.fail("page layout "+name, b.f.SetPageLayout(name, layout))
	b.fail("page layout "+name, b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.fail("page margins "+name, b.f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{
		Left: &marginSide, Right: &marginSide, Top: &marginTop, Bottom: &marginTop,
		Header: &marginHeader, Footer: &marginHeader}))
	b.fail("header "+name, b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddHeader: "&L&8" + headerText(in.Title) + "&C&8&\"-,Bold\"&A&R&8Page &P",
		OddFooter: "&L&8" + headerText(in.GeneratedAt.In(in.Location).Format(displayTime)) + "&R&8surveyworker",
	}))
}

// printScale returns the print scale, in per cent, at which columns of
// the given widths fit the width of an A4 landscape page between the
// margins, with a little to spare, and height points of rows its height
// (when height is not 0): at most 100. A column of width w (in characters
// of the default font) prints about 7.5w+5 pixels wide, at 96 pixels an
// inch.
func printScale(widths []float64, height float64) uint {
	px := 0.0
	for _, w := range widths {
		px += 7.5*w + 5
	}
	scale := 97 * (11.69 - 2*marginSide) * 96 / px
	if height > 0 {
		scale = min(scale, 97*(8.27-2*marginTop)*72/height)
	}
	return uint(max(10, min(100, int(scale))))
}

// headerText escapes & in text placed in a page header, where it starts a
// code.
func headerText(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '&' {
			out = append(out, '&')
		}
		out = append(out, r)
	}
	return string(out)
}

// setDocProps sets the document properties, with fixed times so the same
// input gives the same file.
func (b *book) setDocProps(in WorkbookInput) {
	if b.err != nil {
		return
	}
	at := in.GeneratedAt.UTC().Format(time.RFC3339)
	b.fail("document properties", b.f.SetDocProps(&excelize.DocProperties{
		Title: in.Title, Creator: "surveyworker", LastModifiedBy: "surveyworker",
		Created: at, Modified: at, Language: "en-GB",
	}))
}

// setCalcOnLoad asks the spreadsheet to recalculate every formula when the
// workbook is opened, so the What-if sheet never shows a stale value.
func (b *book) setCalcOnLoad() {
	if b.err != nil {
		return
	}
	on := true
	b.fail("calculation properties", b.f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &on}))
}

// saveAtomic writes f to a temporary file beside path and renames it into
// place. The archive is written straight to the file, not assembled in
// memory first.
func saveAtomic(f *excelize.File, path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = writeZipTo(f, tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeZipTo writes f's archive to w. excelize assembles a workbook in a
// buffer before copying it out; its zip-writer hook lets the archive go to
// w directly, so the buffer stays empty.
func writeZipTo(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	if buf.Len() > 0 { // not expected: the hook received all of it
		_, err = buf.WriteTo(w)
	}
	return err
}
