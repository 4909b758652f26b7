package ingest

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbookFromCSV builds the XLSX form of a CSV fixture as a platform's
// Excel download lays it out: the header rows as text, then in data rows
// the dateCols as date cells (read from the CSV with layout), the idCols
// as numbers and every other cell as text.
func workbookFromCSV(t *testing.T, path, sheet string, headerRows int, layout string, dateCols, idCols []int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy hh:mm:ss")})
	if err != nil {
		t.Fatal(err)
	}
	for r, rec := range recs {
		for c, v := range rec {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			switch {
			case r < headerRows || v == "":
				err = f.SetCellStr(sheet, cell, v)
			case slices.Contains(idCols, c):
				n, perr := strconv.ParseInt(v, 10, 64)
				if perr != nil {
					t.Fatal(perr)
				}
				err = f.SetCellInt(sheet, cell, n)
			case slices.Contains(dateCols, c):
				d, perr := time.Parse(layout, v)
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
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// googleSheetXLSX is testdata/equivalence_google_forms.csv as the linked
// Google Sheet downloaded as XLSX: the same header in row 1 of the tab
// "Form Responses 1", the timestamps as date cells.
func googleSheetXLSX(t *testing.T) []byte {
	return workbookFromCSV(t, "testdata/equivalence_google_forms.csv", "Form Responses 1", 1,
		"02/01/2006 15:04:05", []int{0}, nil)
}

// smartSurveyXLSX is testdata/smartsurvey_priorities.csv as an Excel
// download: the same two header rows, user IDs as numbers and the start
// and end times as date cells.
func smartSurveyXLSX(t *testing.T) []byte {
	return workbookFromCSV(t, "testdata/smartsurvey_priorities.csv", "Sheet1", 2,
		"02/01/2006 15:04:05", []int{5, 6}, []int{0})
}
