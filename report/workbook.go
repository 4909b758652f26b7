package report

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// DefaultTitle is the workbook and e-mail title when none is given.
const DefaultTitle = "Primary care IT roadmap ranking"

// Sheet names, in workbook order.
const (
	SheetSummary  = "Summary"
	SheetRanking  = "Ranking"
	SheetSegments = "Segments"
)

// WorkbookInput is what [WriteWorkbook] needs.
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
	// the ranking method states them. Empty shows a pointer to the method
	// document instead.
	TierRules []string
	// Quality fills the Data quality sheet; its zero value shows no
	// problems and no files.
	Quality DataQuality
}

// sheetWriter writes one sheet of the workbook.
type sheetWriter struct {
	name  string
	write func(b *book, in WorkbookInput)
}

// sheets lists the workbook's sheets in order. Each writer lives in its own
// file (sheet_*.go).
var sheets = []sheetWriter{
	{SheetSummary, writeSummary},
	{SheetRanking, writeRanking},
	{SheetSegments, writeSegments},
	{SheetQuality, writeQuality},
}

// WriteWorkbook writes the workbook for in to path. It writes a temporary
// file in the same directory and renames it over path, so readers never
// see a half-written workbook. The same input gives the same cell contents.
func WriteWorkbook(path string, in WorkbookInput) error {
	in = in.withDefaults()
	b := newBook()
	defer b.f.Close()
	for i, s := range sheets {
		b.addSheet(i, s.name)
		s.write(b, in)
		// After the writer: an AutoFilter rewrites the sheet properties.
		b.setPrintLayout(s.name)
	}
	b.setDocProps(in)
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

// setPrintLayout prints a table sheet landscape and one page wide, so a
// printed table is never split across pages by column; the Summary, a
// tall list, prints portrait on one page.
func (b *book) setPrintLayout(name string) {
	if b.err != nil {
		return
	}
	orientation, wide, tall, fit := "landscape", 1, 0, true
	if name == SheetSummary {
		orientation, tall = "portrait", 1
	}
	b.fail("page layout "+name, b.f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}))
	b.fail("page layout "+name, b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
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

// saveAtomic writes f to a temporary file beside path and renames it into
// place.
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
	if _, err = f.WriteTo(tmp); err != nil {
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
