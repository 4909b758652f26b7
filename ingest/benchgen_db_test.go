package ingest

import (
	"context"
	"testing"
)

// TestBenchExportsIngest keeps the benchmark's generated exports loadable:
// every shape of a small export ingests completely, every answer column
// matched, with the answers the long rows hold.
func TestBenchExportsIngest(t *testing.T) {
	ctx := context.Background()
	cat := benchCatalogue()
	if err := cat.Validate(); err != nil {
		t.Fatalf("benchmark catalogue: %v", err)
	}
	if got, want := len(cat.Workstreams), 40; got != want {
		t.Fatalf("benchmark catalogue has %d workstreams, want %d", got, want)
	}
	ps := benchPractices(t)
	bf, err := genBench(t.TempDir(), 50, cat, []string{ps[0].Name, ps[1].Name})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bf.CSV, bf.XLSX, bf.XLSXShared} {
		res, err := benchIngester(t, ctx, cat, ps).IngestFile(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if res.Status != StatusLoaded || res.Respondents != bf.Respondents || res.Answers != bf.Answers || len(res.Ignored) != 0 {
			t.Errorf("%s: status %s, %d respondents, %d answers, ignored %q; want loaded, %d, %d, none",
				res.File, res.Status, res.Respondents, res.Answers, res.Ignored, bf.Respondents, bf.Answers)
		}
	}
	for _, path := range []string{bf.XLSX, bf.XLSXShared} {
		if got, want := iterateXLSX(t, path), bf.Respondents+1; got != want {
			t.Errorf("%s: excelize read %d rows, want %d", path, got, want)
		}
	}
}
