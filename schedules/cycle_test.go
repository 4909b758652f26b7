package schedules

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// epraccurRecord returns one epraccur line for a practice with the given
// status and prescribing setting.
func epraccurRecord(code, name, status, setting string) string {
	f := make([]string, 27)
	f[0], f[1], f[9], f[12], f[14], f[25] = code, name, "OX1 1AA", status, "10Q", setting
	return `"` + strings.Join(f, `","`) + `"` + "\r\n"
}

// TestCycleDataQuality runs a cycle on an epraccur registry and an export
// with misspelt practices, and reads the Data quality sheet back.
func TestCycleDataQuality(t *testing.T) {
	st := storetest.NewStore(t)
	logger, _ := testLogger(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	practices := write("epraccur.csv", epraccurRecord("K84501", "JERICHO CANAL SURGERY", "A", "4")+
		epraccurRecord("K84502", "COWLEY ROAD MEDICAL PRACTICE", "A", "4")+
		epraccurRecord("K84503", "CLOSED SURGERY", "C", "4"))
	write("inbox/export.csv", "Timestamp,Which practice?,Priority [Cyber Security]\r\n"+
		"24/11/2026 10:00:00,Jerico Canal Surgery,High\r\n"+
		"24/11/2026 11:00:00,Cowley Rd,Low\r\n"+
		"24/11/2026 12:00:00,Nowhere,Sometimes\r\n")
	c := &Cycle{Store: st, Ingester: ingest.New(st, ingest.Options{HMACKey: []byte("test")}),
		Catalogue: survey.DefaultCatalogue(), Rank: analysis.DefaultOptions(), PracticesFile: practices,
		InboxDir: filepath.Join(dir, "inbox"), OutDir: filepath.Join(dir, "out"), Logger: logger,
		Now: func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) }}
	res, err := c.Run(context.Background(), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if res.Practices != 2 {
		t.Errorf("imported %d practices, want the 2 active ones", res.Practices)
	}
	f, err := excelize.OpenFile(res.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetQuality)
	if err != nil {
		t.Fatal(err)
	}
	var problems [][]string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Every problem, row by row" {
			problems = rows[i+2:]
		}
	}
	want := [][]string{
		{"export.csv", "3", `B "Which practice?"`, "Practice not found in the registry", "Cowley Rd",
			"No practice in the registry has this name", "COWLEY ROAD MEDICAL PRACTICE (K84502)"},
		{"export.csv", "4", `C "Priority [Cyber Security]"`, "Answer not on the priority scale", "Sometimes",
			"The answer is not on the priority scale; stored without a score"},
		{"export.csv", "4", `B "Which practice?"`, "Practice not found in the registry", "Nowhere",
			"No practice in the registry has this name"},
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("Data quality problems (-want +got):\n%s\nsheet: %q", diff, rows)
	}
	if res.Files[0].RejectsFile == "" {
		t.Errorf("no rejects file beside the archived export")
	}
}
