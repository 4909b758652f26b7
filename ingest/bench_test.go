package ingest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/internal/memwatch"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// BenchmarkIngest measures the intake benchmark for each size: the
// limits first (psql \copy of the normalised long rows, and a bare
// excelize Rows() iteration over each workbook), then end-to-end
// IngestFile of the CSV and of the two workbooks (inline strings, as
// excelize's StreamWriter writes them, and shared strings, as Microsoft
// Forms and Google Sheets do) into a fresh database per iteration. Rates
// are long answer rows per second; the end-to-end benchmarks also report
// their ratio to the matching limit and the peak memory of the process.
// A summary table with each figure beside its limit is printed last.
//
// Sizes are 10,000 and 100,000 respondents; SURVEYWORKER_BENCH_LARGE=1 adds
// 1,000,000 and SURVEYWORKER_BENCH_SIZES (comma-separated) replaces the
// list. Generated files live in a temporary directory.
func BenchmarkIngest(b *testing.B) {
	sizes, err := benchSizes()
	if err != nil {
		b.Fatal(err)
	}
	var summary []benchLine
	for _, n := range sizes {
		b.Run(fmt.Sprintf("respondents=%d", n), func(b *testing.B) { summary = append(summary, benchSize(b, n)...) })
	}
	printIngestSummary(summary)
}

// benchMeasure is what one benchmark of a size measured.
type benchMeasure struct {
	seconds, rate, heapMB, rssMB float64
}

// benchLine is one line of the summary: a reader beside its baseline.
type benchLine struct {
	respondents int
	name, base  string
	got, limit  benchMeasure
}

// printIngestSummary prints each end-to-end figure beside its baseline,
// measured in the same run.
func printIngestSummary(lines []benchLine) {
	if len(lines) == 0 {
		return
	}
	fmt.Printf("\ningest summary (times and peak memory of the Go process, this run)\n")
	fmt.Printf("%-12s %-12s %9s %8s %-24s %9s %8s %14s\n", "respondents", "ingest", "time", "RSS", "baseline", "time", "RSS", "throughput")
	rss := func(mb float64) string {
		if mb == 0 {
			return "-" // psql's memory is not the Go process's
		}
		return fmt.Sprintf("%.0fMB", mb)
	}
	for _, l := range lines {
		ratio := 0.0
		if l.limit.rate > 0 {
			ratio = l.got.rate / l.limit.rate
		}
		fmt.Printf("%-12d %-12s %8.2fs %8s %-24s %8.2fs %8s %13.2fx\n", l.respondents, l.name, l.got.seconds, rss(l.got.rssMB),
			l.base, l.limit.seconds, rss(l.limit.rssMB), ratio)
	}
	fmt.Println()
}

// benchSizes returns the respondent counts to run.
func benchSizes() ([]int, error) {
	if s := os.Getenv("SURVEYWORKER_BENCH_SIZES"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("SURVEYWORKER_BENCH_SIZES: bad size %q", f)
			}
			out = append(out, n)
		}
		return out, nil
	}
	sizes := []int{10_000, 100_000}
	if os.Getenv("SURVEYWORKER_BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes, nil
}

// benchRates are the limits measured for one size.
type benchRates struct {
	copy, copyIndexed, excelize, excelizeShared benchMeasure
}

func benchSize(b *testing.B, n int) []benchLine {
	storetest.URL(b) // skips the whole size when there is no PostgreSQL
	cat := benchCatalogue()
	practices := benchPractices(b)
	names := make([]string, len(practices))
	for i, p := range practices {
		names[i] = p.Name
	}
	bf, err := genBench(b.TempDir(), n, cat, names)
	if err != nil {
		b.Fatalf("generate %d respondents: %v", n, err)
	}
	var rates benchRates
	var csv, xlsx, shared benchMeasure
	b.Run("limit=psql-copy", func(b *testing.B) { rates.copy = benchCopy(b, bf, false) })
	b.Run("limit=psql-copy-indexed", func(b *testing.B) { rates.copyIndexed = benchCopy(b, bf, true) })
	b.Run("limit=excelize-rows", func(b *testing.B) { rates.excelize = benchExcelize(b, bf, bf.XLSX) })
	b.Run("limit=excelize-rows-shared", func(b *testing.B) { rates.excelizeShared = benchExcelize(b, bf, bf.XLSXShared) })
	b.Run("ingest=csv", func(b *testing.B) {
		csv = benchIngest(b, bf, bf.CSV, cat, practices, map[string]float64{"x-copy": rates.copy.rate, "x-copy-indexed": rates.copyIndexed.rate})
	})
	b.Run("ingest=xlsx", func(b *testing.B) {
		xlsx = benchIngest(b, bf, bf.XLSX, cat, practices, map[string]float64{"x-excelize": rates.excelize.rate})
	})
	b.Run("ingest=xlsx-shared", func(b *testing.B) {
		shared = benchIngest(b, bf, bf.XLSXShared, cat, practices, map[string]float64{"x-excelize": rates.excelizeShared.rate})
	})
	return []benchLine{
		{n, "csv", "psql \\copy", csv, rates.copy},
		{n, "csv", "psql \\copy, indexed", csv, rates.copyIndexed},
		{n, "xlsx inline", "excelize Rows()", xlsx, rates.excelize},
		{n, "xlsx shared", "excelize Rows(), shared", shared, rates.excelizeShared},
	}
}

// benchPractices returns the example practice registry, which the
// generated respondents name.
func benchPractices(b testing.TB) []survey.Practice {
	f, err := os.Open(filepath.Join("..", "examples", "practices.csv"))
	if err != nil {
		b.Fatalf("practice registry: %v", err)
	}
	defer f.Close()
	ps, err := ReadPractices(f)
	if err != nil {
		b.Fatalf("practice registry: %v", err)
	}
	return ps
}

// benchIngest ingests path into a fresh database per iteration and reports
// long rows per second, the ratio to each non-zero limit and peak memory.
func benchIngest(b *testing.B, bf benchFiles, path string, cat *survey.Catalogue, ps []survey.Practice, limits map[string]float64) benchMeasure {
	ctx := context.Background()
	mem := memwatch.Start()
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		in := benchIngester(b, ctx, cat, ps)
		b.StartTimer()
		t0 := time.Now()
		res, err := in.IngestFile(ctx, path)
		elapsed += time.Since(t0)
		if err != nil || res.Status != StatusLoaded || res.Answers != bf.Answers {
			b.Fatalf("ingest %s: status %s, %d answers, want %d: %v", filepath.Base(path), res.Status, res.Answers, bf.Answers, err)
		}
	}
	heap, rss := mem.Stop()
	rate := float64(bf.Answers) * float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(float64(bf.Respondents)*float64(b.N)/elapsed.Seconds(), "respondents/s")
	for unit, limit := range limits {
		if limit > 0 {
			b.ReportMetric(rate/limit, unit)
		}
	}
	b.ReportMetric(heap, "peak-heap-MB")
	if rss > 0 {
		b.ReportMetric(rss, "peak-rss-MB")
	}
	return benchMeasure{seconds: elapsed.Seconds() / float64(b.N), rate: rate, heapMB: heap, rssMB: rss}
}

// benchIngester returns an Ingester on a fresh database holding the
// benchmark catalogue and the practices.
func benchIngester(b testing.TB, ctx context.Context, cat *survey.Catalogue, ps []survey.Practice) *Ingester {
	st := storetest.NewStore(b)
	if err := st.SyncCatalogue(ctx, cat); err != nil {
		b.Fatal(err)
	}
	if _, err := st.UpsertPractices(ctx, ps); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	return New(st, Options{Catalogue: cat, HMACKey: []byte("bench-key"), Now: func() time.Time { return now }})
}

// benchCopyTable has the columns of answers; indexed adds its primary key
// and workstream index (not its foreign keys).
const (
	benchCopyTable = `CREATE TABLE bench_answers (respondent_id bigint NOT NULL, workstream_id text NOT NULL,
		raw text NOT NULL DEFAULT '', score real)`
	benchCopyIndexes = `ALTER TABLE bench_answers ADD PRIMARY KEY (respondent_id, workstream_id);
		CREATE INDEX ON bench_answers (workstream_id)`
)

// benchCopy times psql \copy of the long rows into a plain table shaped
// like answers, in a fresh database per iteration, and returns its time
// and long rows per second (0 when psql is missing).
func benchCopy(b *testing.B, bf benchFiles, indexed bool) benchMeasure {
	psql, err := findPsql()
	if err != nil {
		b.Skip(err)
	}
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		url := storetest.URL(b)
		ddl := benchCopyTable
		if indexed {
			ddl += "; " + benchCopyIndexes
		}
		runPsql(b, psql, url, ddl)
		b.StartTimer()
		t0 := time.Now()
		runPsql(b, psql, url, `\copy bench_answers FROM '`+bf.Long+`'`)
		elapsed += time.Since(t0)
	}
	rate := float64(bf.Answers) * float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "rows/s")
	return benchMeasure{seconds: elapsed.Seconds() / float64(b.N), rate: rate}
}

// findPsql returns psql beside the PostgreSQL server binaries (following
// a symlinked initdb), else psql on PATH.
func findPsql() (string, error) {
	if dir, err := store.FindPostgres(); err == nil {
		if initdb, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb")); err == nil {
			dir = filepath.Dir(initdb)
		}
		if p := filepath.Join(dir, "psql"); fileExists(p) {
			return p, nil
		}
	}
	p, err := exec.LookPath("psql")
	if err != nil {
		return "", fmt.Errorf("psql not found beside the PostgreSQL server binaries or on PATH: %w", err)
	}
	return p, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func runPsql(b *testing.B, psql, url, command string) {
	out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command).CombinedOutput()
	if err != nil {
		b.Fatalf("psql %q: %v: %s", command, err, out)
	}
}

// benchExcelize times a bare excelize Rows() iteration over the workbook
// at path, reading every cell, and returns what it measured.
func benchExcelize(b *testing.B, bf benchFiles, path string) benchMeasure {
	mem := memwatch.Start()
	var elapsed time.Duration
	for b.Loop() {
		t0 := time.Now()
		if got := iterateXLSX(b, path); got != bf.Respondents+1 {
			b.Fatalf("excelize read %d rows, want %d", got, bf.Respondents+1)
		}
		elapsed += time.Since(t0)
	}
	heap, rss := mem.Stop()
	rate := float64(bf.Answers) * float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(heap, "peak-heap-MB")
	if rss > 0 {
		b.ReportMetric(rss, "peak-rss-MB")
	}
	return benchMeasure{seconds: elapsed.Seconds() / float64(b.N), rate: rate, heapMB: heap, rssMB: rss}
}

// iterateXLSX reads every row of the first sheet and returns how many,
// with raw cell values as the ingester reads them (formatting every cell
// would make the limit slower than it need be).
func iterateXLSX(b testing.TB, path string) int {
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Error(); err != nil {
		b.Fatal(err)
	}
	return n
}
