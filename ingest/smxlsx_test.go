package ingest

import (
	"bytes"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// surveyMonkeyXLSX builds the XLSX form of testdata/surveymonkey_priorities.csv
// as SurveyMonkey's Excel export lays it out: the same two header rows with
// each question's text in a cell merged across its columns, respondent IDs
// as numbers and dates as date cells.
func surveyMonkeyXLSX(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/surveymonkey_priorities.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	for r, rec := range recs {
		for c, v := range rec {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			setSurveyMonkeyCell(t, f, sheet, cell, r, c, strings.ReplaceAll(v, "\x00", ""), style)
		}
	}
	first, _ := excelize.CoordinatesToCellName(12, 1)
	last, _ := excelize.CoordinatesToCellName(16, 1)
	if err := f.MergeCell(sheet, first, last); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// setSurveyMonkeyCell writes one cell: IDs as numbers and the start and end
// dates as date cells in data rows, text otherwise.
func setSurveyMonkeyCell(t *testing.T, f *excelize.File, sheet, cell string, row, col int, v string, style int) {
	t.Helper()
	var err error
	switch {
	case row < 2 || v == "":
		err = f.SetCellStr(sheet, cell, v)
	case col < 2:
		n, _ := strconv.Atoi(v)
		err = f.SetCellInt(sheet, cell, int64(n))
	case col < 4:
		d, perr := time.Parse("01/02/2006 15:04:05", v)
		if perr != nil {
			t.Fatal(perr)
		}
		if err = f.SetCellValue(sheet, cell, d); err == nil {
			err = f.SetCellStyle(sheet, cell, cell, style)
		}
	default:
		err = f.SetCellStr(sheet, cell, v)
	}
	if err != nil {
		t.Fatal(err)
	}
}
