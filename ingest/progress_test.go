package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/internal/progress"
	"github.com/surveyworker/surveyworker/internal/progress/progresstest"
	"github.com/surveyworker/surveyworker/store/storetest"
)

// workbookWithDimension writes a copy of the example workbook whose sheet
// records its used range, as Excel and Microsoft Forms write it (excelize
// records "A1" only), and returns its path and last row.
func workbookWithDimension(t *testing.T) (string, int64) {
	t.Helper()
	f, err := excelize.OpenFile(exampleXLSX)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	end, err := excelize.CoordinatesToCellName(cols, len(rows))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetDimension(sheet, "A1:"+end); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dimension.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path, int64(len(rows))
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestReadProgress reads files row by row and checks the counts a task
// receives: rows and the part done only grow, the rows end at the
// respondents read and the part done at the file's size (CSV, in bytes as
// stored, whatever the encoding) or the sheet's last row (XLSX, when the
// workbook records it; else there is no total); then the load has only its
// commit left.
func TestReadProgress(t *testing.T) {
	xlsx, lastRow := workbookWithDimension(t)
	const utf16 = "testdata/qualtrics_choice_text_utf16.tsv"
	tests := []struct {
		name, path string
		total      int64
	}{
		{"csv", exampleCSV, fileSize(t, exampleCSV)},
		{"utf-16 text", utf16, fileSize(t, utf16)},
		{"xlsx with its dimension", xlsx, lastRow},
		{"xlsx without, no total", exampleXLSX, 0},
	}
	in := New(nil, Options{HMACKey: testKey})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.total
			var started, stopped int
			task := progresstest.Quiet(&started, &stopped).Start("ingest")
			defer task.Finish()
			info, err := fingerprint(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := in.open(tt.path, info, practices.NewMatcher(nil), nil, task)
			if err != nil {
				t.Fatal(err)
			}
			defer p.close()
			prev, rows := task.Counts(), int64(0)
			for {
				_, err := p.next()
				c := task.Counts()
				if errors.Is(err, io.EOF) {
					if c.Phase != "committing" || c.Rows != rows {
						t.Errorf("at the end: got %+v, want phase committing with %d rows", c, rows)
					}
					if prev.Total != want || want > 0 && prev.Done != want {
						t.Errorf("after the last row: done %d of %d, want %d of %d", prev.Done, prev.Total, want, want)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rows++
				if c.Rows != rows || c.Done < prev.Done || c.Total != want || c.Phase != "" {
					t.Fatalf("row %d: got %+v after %+v, want %d rows, done not less than before, total %d", rows, c, prev, rows, want)
				}
				prev = c
			}
			if rows == 0 {
				t.Error("no rows read")
			}
		})
	}
}

// TestIngestFileProgress checks that every file ingested is shown as one
// task, finished by the time IngestFile returns, duplicates included.
func TestIngestFileProgress(t *testing.T) {
	st := storetest.NewStore(t)
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, examplePractices(t)); err != nil {
		t.Fatal(err)
	}
	var started, stopped int
	in := New(st, Options{HMACKey: testKey, Now: func() time.Time { return testNow },
		Progress: progresstest.Quiet(&started, &stopped)})
	for i, path := range []string{exampleCSV, exampleXLSX, exampleCSV} {
		if _, err := in.IngestFile(ctx, path); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if started != i+1 || stopped != i+1 {
			t.Errorf("after %d files: %d tasks started and %d finished, want %d", i+1, started, stopped, i+1)
		}
	}
}

// BenchmarkReadProgress measures what showing progress costs the reading
// of a CSV export, without the database: the same 20,000 respondents read
// with no task and with a task updated on a terminal line. Compare the
// ns/row of the two.
func BenchmarkReadProgress(b *testing.B) {
	cat := benchCatalogue()
	ps := benchPractices(b)
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	bf, err := genBench(b.TempDir(), 20_000, cat, names)
	if err != nil {
		b.Fatal(err)
	}
	info, err := fingerprint(bf.CSV)
	if err != nil {
		b.Fatal(err)
	}
	in := New(nil, Options{Catalogue: cat, HMACKey: testKey})
	pm := practices.NewMatcher(ps)
	for _, tt := range []struct {
		name string
		rep  *progress.Reporter
	}{
		{"progress=none", nil},
		{"progress=terminal", progress.New(progress.Config{Terminal: io.Discard})},
	} {
		b.Run(tt.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				task := tt.rep.Start("ingest", slog.String("file", "bench.csv"))
				p, err := in.open(bf.CSV, info, pm, nil, task)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := p.next(); err != nil {
						if !errors.Is(err, io.EOF) {
							b.Fatal(err)
						}
						break
					}
					rows++
				}
				p.close()
				task.Finish()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
		})
	}
}
