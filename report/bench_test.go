package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/internal/memwatch"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// Sizes of the workbook benchmark: a national registry, the catalogue's 21
// workstreams, and comments and warnings by the hundred thousand.
const (
	benchPractices   = 6500
	benchFederations = 42
)

// BenchmarkWorkbook writes the workbook for 6,500 practices, 21
// workstreams and, in turn, 10,000 and 100,000 comments with half as many
// warnings, streamed from PostgreSQL, against excelize's StreamWriter
// writing the same comment and warning cells bare (no styles, no other
// sheets) from the same queries in the same run. It reports the time
// ratio (x-bare) and the peak heap and RSS of each. SURVEYWORKER_BENCH_SIZES
// (comma-separated comment counts) replaces the sizes.
func BenchmarkWorkbook(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if s := os.Getenv("SURVEYWORKER_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 2 {
				b.Fatalf("SURVEYWORKER_BENCH_SIZES: bad size %q", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("comments=%d", n), func(b *testing.B) {
			in := benchInput(b, n)
			var bare time.Duration
			b.Run("writer=bare-stream", func(b *testing.B) { bare = benchWrite(b, func(p string) error { return writeBare(p, in) }, 0) })
			b.Run("writer=workbook", func(b *testing.B) { benchWrite(b, func(p string) error { return WriteWorkbook(p, in) }, bare) })
		})
	}
}

// benchWrite runs write once per iteration into a temporary file and
// reports peak memory and, when bare is set, the ratio of the time per
// iteration to it. It returns the time per iteration.
func benchWrite(b *testing.B, write func(path string) error, bare time.Duration) time.Duration {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	mem := memwatch.Start()
	var elapsed time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if err := write(path); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		n++
	}
	heap, rss := mem.Stop()
	per := elapsed / time.Duration(n)
	b.ReportMetric(heap, "peak-heap-MB")
	b.ReportMetric(rss, "peak-rss-MB")
	if info, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
	}
	if bare > 0 {
		b.ReportMetric(float64(per)/float64(bare), "x-bare")
	}
	return per
}

// writeBare writes the Comments and Data quality cells of in with a bare
// StreamWriter: the same values, no styles, no other sheets.
func writeBare(path string, in WorkbookInput) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetComments); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetComments)
	if err != nil {
		return err
	}
	row := 0
	mentions := map[string]string{}
	for c, err := range in.Comments {
		if err != nil {
			return err
		}
		ws, ok := mentions[c.Question]
		if !ok {
			ws = mentionedWorkstream(in.Catalogue, c.Question)
			mentions[c.Question] = ws
		}
		row++
		if err := sw.SetRow(cell(1, row), []any{ws, c.Federation, c.Role, c.Text, c.Question, c.File, c.Row}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetQuality); err != nil {
		return err
	}
	if sw, err = f.NewStreamWriter(SheetQuality); err != nil {
		return err
	}
	row = 0
	for w, err := range in.Quality.Warnings {
		if err != nil {
			return err
		}
		row++
		if err := sw.SetRow(cell(1, row), []any{w.File, w.Row, w.Column, warningLabel(w.Code), w.Value, w.Message, w.Candidates}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// benchInput loads a database with the benchmark's registry and one file
// of comments/2 respondents, each with two comments and one warning, ranks
// it and returns the workbook input the cycle would build.
func benchInput(b *testing.B, comments int) WorkbookInput {
	b.Helper()
	ctx := context.Background()
	st := storetest.NewStore(b)
	cat := survey.DefaultCatalogue()
	var ps []survey.Practice
	for i := range benchPractices {
		ps = append(ps, survey.Practice{ODSCode: fmt.Sprintf("B%05d", i), Name: fmt.Sprintf("Benchmark practice %d", i),
			Federation: fmt.Sprintf("Federation %02d", i%benchFederations), ListSize: 3000 + i%9000})
	}
	if _, err := st.UpsertPractices(ctx, ps); err != nil {
		b.Fatal(err)
	}
	respondents := comments / 2
	sum := sha256.Sum256([]byte(fmt.Sprint("bench", comments)))
	f := store.SourceFile{Name: "national-survey.csv", SHA256: hex.EncodeToString(sum[:]), Platform: "google-forms", Format: "csv",
		Workstreams: cat.IDs(), CommentQuestions: []string{"Anything else about Telephony (VOIP, Unified Communications)?", "Any other comments?"}}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == respondents {
			return nil, io.EOF
		}
		i++
		return benchRespondent(i, ps, cat), nil
	}
	if _, err := st.LoadFile(ctx, f, next); err != nil {
		b.Fatal(err)
	}
	r, err := analysis.Run(ctx, st, cat, fixtureOptions(fixtureTime), true)
	if err != nil {
		b.Fatal(err)
	}
	in := WorkbookInput{Ranking: r, GeneratedAt: fixtureTime, Location: london, Catalogue: cat, Rank: analysis.DefaultOptions()}
	if err := in.Load(ctx, st); err != nil {
		b.Fatal(err)
	}
	// Read both sequences once, so that neither writer pays for the first
	// scan of freshly loaded rows (PostgreSQL sets their hint bits then).
	for _, err := range in.Comments {
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, err := range in.Quality.Warnings {
		if err != nil {
			b.Fatal(err)
		}
	}
	return in
}

// benchRespondent is respondent i of the benchmark file: practice i mod
// 6,500, answers on the five-level scale, two comments of a realistic
// length and one warning.
func benchRespondent(i int, ps []survey.Practice, cat *survey.Catalogue) *store.RespondentRow {
	p := ps[i%len(ps)]
	r := &store.RespondentRow{Row: i + 1, Key: fmt.Sprintf("bench/%d", i), PracticeODS: p.ODSCode, PracticeText: p.Name,
		MatchMethod: "name", Role: fixtureRoles[i%len(fixtureRoles)], SubmittedAt: fixtureTime.Add(-time.Duration(i) * time.Minute)}
	for j := range cat.Workstreams {
		l := fixtureLevels[(i+j*7)%len(fixtureLevels)]
		r.Answers = append(r.Answers, store.Answer{Raw: l.raw, Score: l.score, Scored: true})
	}
	r.Comments = []string{
		fmt.Sprintf("Respondent %d: the phones drop calls on Monday mornings and patients give up queuing; a cloud system would let us take calls for other sites.", i),
		fmt.Sprintf("%s %d: logging in to five systems takes ten minutes every morning. Single sign on please!", fixtureComments[i%len(fixtureComments)][:8], i),
	}
	code := "answer_off_scale"
	msg := "the answer is not on the priority scale; stored without a score"
	if i%5 == 0 {
		code, msg = "practice_ambiguous", "the name is as close to more than one practice in the registry"+store.PracticeCandidatesMarker+
			"Benchmark practice 1 (B00001); Benchmark practice 2 (B00002); Benchmark practice 3 (B00003)"
	}
	r.Warnings = []store.Warning{{Column: `F "Cyber Security"`, Code: code, Value: "Sometimes", Message: msg}}
	return r
}
