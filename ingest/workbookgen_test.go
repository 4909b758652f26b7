package ingest

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbookFromCSV builds the XLSX form of a CSV fixture as a platform's
// Excel download lays it out: the header rows as text, then in data rows
// the dateCols as date cells (read from the CSV with layout), the idCols
// as numbers and every other cell as text. NUL bytes, which a worksheet
// cannot hold, are dropped. edit, when not nil, changes the workbook
// before it is written (to merge cells, say).
func workbookFromCSV(t *testing.T, path, sheet string, headerRows int, layout string, dateCols, idCols []int,
	edit func(*excelize.File) error) []byte {
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
			v = strings.ReplaceAll(v, "\x00", "")
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
	if edit != nil {
		if err := edit(f); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// surveyMonkeyXLSX is testdata/surveymonkey_priorities.csv as
// SurveyMonkey's Excel export lays it out: the same two header rows with
// the grid question's text in a cell merged across its columns,
// respondent and collector IDs as numbers and the start and end dates as
// date cells.
func surveyMonkeyXLSX(t *testing.T) []byte {
	return workbookFromCSV(t, "testdata/surveymonkey_priorities.csv", "Sheet1", 2,
		"01/02/2006 15:04:05", []int{2, 3}, []int{0, 1},
		func(f *excelize.File) error { return f.MergeCell("Sheet1", "L1", "P1") })
}

// googleSheetXLSX is testdata/equivalence_google_forms.csv as the linked
// Google Sheet downloaded as XLSX: the same header in row 1 of the tab
// "Form Responses 1", the timestamps as date cells.
func googleSheetXLSX(t *testing.T) []byte {
	return workbookFromCSV(t, "testdata/equivalence_google_forms.csv", "Form Responses 1", 1,
		"02/01/2006 15:04:05", []int{0}, nil, nil)
}

// smartSurveyXLSX is testdata/smartsurvey_priorities.csv as an Excel
// download: the same two header rows, user IDs as numbers and the start
// and end times as date cells.
func smartSurveyXLSX(t *testing.T) []byte {
	return workbookFromCSV(t, "testdata/smartsurvey_priorities.csv", "Sheet1", 2,
		"02/01/2006 15:04:05", []int{5, 6}, []int{0}, nil)
}
