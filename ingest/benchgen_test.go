package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// The benchmark exports are wide: the 21 catalogue workstreams plus
// benchExtra invented ones, so every respondent answers 40 grid columns.
// The invented workstreams are added to a copy of the default catalogue
// (see benchCatalogue) and synced into each benchmark database, so all 40
// columns are matched and loaded; aliases of existing workstreams would be
// dropped as duplicate columns and would not widen the load.
const benchExtra = 19

// benchCatalogue returns the default catalogue with benchExtra invented
// workstreams appended.
func benchCatalogue() *survey.Catalogue {
	cat := survey.DefaultCatalogue()
	for i := range benchExtra {
		n := len(cat.Workstreams) + 1
		cat.Workstreams = append(cat.Workstreams, survey.Workstream{
			ID:     fmt.Sprintf("bench-extra-%02d", n),
			Name:   fmt.Sprintf("Benchmark extra workstream %s", benchWords[i]),
			Impact: 1 + i%5,
		})
	}
	return cat
}

// benchWords name the invented workstreams; words, not numbers, so no
// two names normalise alike.
var benchWords = []string{"alder", "birch", "cedar", "damson", "elder", "fir", "ginkgo", "hazel",
	"ivy", "juniper", "katsura", "larch", "maple", "nutmeg", "oak", "pine", "quince", "rowan", "spruce"}

var benchRoles = []string{"GP Partner", "Practice Manager", "Salaried GP", "Practice Nurse", "IT Lead",
	"Administrator", "Reception Manager"}

var benchComments = []string{
	"Phones drop calls every Monday morning; patients give up queuing.",
	"Logging in to five systems takes ten minutes.\nSingle sign on please!",
	`Our "new" PCs are slower than the old ones, honestly.`,
	"Call me on 01865 512345 or email someone@nhs.net to discuss the Wi-Fi.",
}

// benchFiles are the generated exports of one benchmark size.
type benchFiles struct {
	// CSV is the Google Forms CSV export.
	CSV string
	// XLSX is the Microsoft Forms workbook with the same answers, written
	// by excelize's StreamWriter: inline strings.
	XLSX string
	// XLSXShared is the same workbook as Microsoft Forms downloads it:
	// every text a shared string, so each e-mail address is one.
	XLSXShared string
	// Long is the same answers as tab-separated long rows (respondent_id,
	// workstream_id, raw, score) in COPY text format.
	Long string
	// Respondents is the number of data rows.
	Respondents int
	// Answers is the number of non-blank answers, the long rows.
	Answers int
}

// benchRespondent is one generated respondent.
type benchRespondent struct {
	at          time.Time
	email, role string
	practice    string
	answers     []int // index into the scale, -1 "Don't know", -2 blank
	comment     string
}

// genBench writes the exports of n respondents into dir with a fixed seed.
// practices are the practice names respondents choose from.
func genBench(dir string, n int, cat *survey.Catalogue, practices []string) (benchFiles, error) {
	bf := benchFiles{CSV: filepath.Join(dir, "bench-google-forms.csv"), XLSX: filepath.Join(dir, "bench-microsoft-forms.xlsx"),
		XLSXShared: filepath.Join(dir, "bench-microsoft-forms-shared.xlsx"),
		Long:       filepath.Join(dir, "bench-answers.tsv"), Respondents: n}
	w, err := newBenchWriters(bf, cat)
	if err != nil {
		return bf, err
	}
	r := rand.New(rand.NewPCG(2026, uint64(n)))
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for i := range n {
		p := benchRespondent{
			at:       start.Add(time.Duration(i)*7*time.Second + time.Duration(r.IntN(7000))*time.Millisecond).Truncate(time.Second),
			email:    fmt.Sprintf("respondent%07d@nhs.net", i+1),
			role:     benchRoles[r.IntN(len(benchRoles))],
			practice: practices[r.IntN(len(practices))],
			answers:  exampleAnswers(r, cat),
		}
		if r.IntN(4) == 0 {
			p.comment = benchComments[r.IntN(len(benchComments))]
		}
		if bf.Answers, err = w.write(i, p, bf.Answers); err != nil {
			w.close()
			return bf, err
		}
	}
	return bf, w.close()
}

var (
	benchGoogleScale = []string{"Very high priority", "High priority", "Medium priority", "Low priority", "Not a priority"}
	benchMSScale     = []string{"Very high", "High", "Medium", "Low", "Not a priority"}
)

// benchWriters write the three shapes side by side.
type benchWriters struct {
	cat        *survey.Catalogue
	files      []*os.File
	csv        *csv.Writer
	long       *bufio.Writer
	xlsx       *excelize.File
	sw         *excelize.StreamWriter
	shared     *sharedWorkbook
	dateStyle  int
	xlsxPath   string
	longRecord []byte
}

func newBenchWriters(bf benchFiles, cat *survey.Catalogue) (*benchWriters, error) {
	w := &benchWriters{cat: cat, xlsxPath: bf.XLSX}
	for _, p := range []string{bf.CSV, bf.Long} {
		f, err := os.Create(p)
		if err != nil {
			w.close()
			return nil, err
		}
		w.files = append(w.files, f)
	}
	w.csv = csv.NewWriter(w.files[0])
	w.csv.UseCRLF = true
	w.long = bufio.NewWriterSize(w.files[1], 1<<16)
	if err := w.startXLSX(); err != nil {
		w.close()
		return nil, err
	}
	var err error
	if w.shared, err = newSharedWorkbook(bf.XLSXShared); err != nil {
		w.close()
		return nil, err
	}
	w.shared.row(w.xlsxHeader())
	return w, w.csv.Write(w.csvHeader())
}

func (w *benchWriters) csvHeader() []string {
	h := []string{"Timestamp", "Email address", "Which practice do you work at? (name or ODS code)", "What is your role?"}
	for _, ws := range w.cat.Workstreams {
		h = append(h, exampleGrid+" ["+ws.Name+"]")
	}
	return append(h, "Any other comments about IT in your practice?")
}

func (w *benchWriters) startXLSX() error {
	w.xlsx = excelize.NewFile()
	var err error
	if w.dateStyle, err = w.xlsx.NewStyle(&excelize.Style{CustomNumFmt: ptr("m/d/yy h:mm")}); err != nil {
		return err
	}
	if w.sw, err = w.xlsx.NewStreamWriter("Sheet1"); err != nil {
		return err
	}
	return w.sw.SetRow("A1", w.xlsxHeader())
}

// xlsxHeader is the Microsoft Forms header of the workbooks.
func (w *benchWriters) xlsxHeader() []any {
	h := []any{"ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
		"Which practice are you from?", "What is your role?"}
	for _, ws := range w.cat.Workstreams {
		h = append(h, ws.Name)
	}
	return append(h, "Is there anything else you would like to tell us about IT at your practice?")
}

// write writes respondent i in every shape and returns answers plus the
// number of its non-blank answers.
func (w *benchWriters) write(i int, p benchRespondent, answers int) (int, error) {
	rec := []string{p.at.Format("02/01/2006 15:04:05"), p.email, p.practice, p.role}
	row := []any{i + 1, excelize.Cell{StyleID: w.dateStyle, Value: p.at.Add(-5 * time.Minute)},
		excelize.Cell{StyleID: w.dateStyle, Value: p.at}, p.email, "", nil, p.practice, p.role}
	shared := []any{i + 1, p.at.Add(-5 * time.Minute), p.at, p.email, "", nil, p.practice, p.role}
	for j, a := range p.answers {
		rec = append(rec, answerText(benchGoogleScale, a))
		row = append(row, answerText(benchMSScale, a))
		shared = append(shared, answerText(benchMSScale, a))
		if a != -2 {
			answers++
			w.writeLong(i+1, w.cat.Workstreams[j].ID, answerText(benchGoogleScale, a))
		}
	}
	if err := w.csv.Write(append(rec, p.comment)); err != nil {
		return answers, err
	}
	w.shared.row(append(shared, p.comment))
	cell, _ := excelize.CoordinatesToCellName(1, i+2)
	return answers, w.sw.SetRow(cell, append(row, p.comment))
}

// writeLong writes one long row in COPY text format; no value needs
// escaping.
func (w *benchWriters) writeLong(id int, ws, raw string) {
	b := strconv.AppendInt(w.longRecord[:0], int64(id), 10)
	b = append(append(append(append(b, '\t'), ws...), '\t'), raw...)
	b = append(b, '\t')
	if s, missing, ok := survey.ParsePriority(raw); ok && !missing {
		b = strconv.AppendFloat(b, float64(s), 'g', -1, 32)
	} else {
		b = append(b, `\N`...)
	}
	w.longRecord = append(b, '\n')
	w.long.Write(w.longRecord)
}

// close flushes and closes every writer, returning the first error.
func (w *benchWriters) close() error {
	var errs []error
	if w.csv != nil {
		w.csv.Flush()
		errs = append(errs, w.csv.Error())
	}
	if w.long != nil {
		errs = append(errs, w.long.Flush())
	}
	if w.sw != nil {
		errs = append(errs, w.sw.Flush(), w.xlsx.SaveAs(w.xlsxPath), w.xlsx.Close())
	}
	if w.shared != nil {
		errs = append(errs, w.shared.close())
	}
	for _, f := range w.files {
		errs = append(errs, f.Close())
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
