// Command screenshots renders every printed page of a workbook to PNG
// through LibreOffice, so that anyone can see the report without Excel:
// the workbook is converted to PDF (A4 landscape, as it prints), and each
// page to a PNG named after its sheet, in sheet order.
//
//	go run ./internal/screenshots -out docs/screenshots out/demo/roadmap.xlsx
//
// It needs soffice (LibreOffice), pdftoppm and pdftotext (poppler-utils).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/internal/office"
)

func main() {
	out := flag.String("out", "docs/screenshots", "`folder` for the PNG files (its PNG files are replaced)")
	dpi := flag.Int("dpi", 100, "resolution of the PNG files")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: screenshots [-out DIR] [-dpi N] WORKBOOK.xlsx")
	}
	if err := run(flag.Arg(0), *out, *dpi); err != nil {
		log.Fatal(err)
	}
}

func run(workbook, out string, dpi int) error {
	sheets, err := sheetNames(workbook)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	pdfs, err := office.Convert(tmp, "pdf", workbook)
	if err != nil {
		return err
	}
	pages, err := pageCount(pdfs[0])
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// The workbook's pages are named NN-sheet-P.png; other pictures in
	// out (the web pages') are left alone.
	old, _ := filepath.Glob(filepath.Join(out, "[0-9][0-9]-*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	perSheet := map[string]int{}
	for p := 1; p <= pages; p++ {
		sheet, err := pageSheet(pdfs[0], p, sheets)
		if err != nil {
			return err
		}
		perSheet[sheet]++
		name := fmt.Sprintf("%02d-%s-%d", indexOf(sheets, sheet)+1, slug(sheet), perSheet[sheet])
		cmd := exec.Command("pdftoppm", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-r", strconv.Itoa(dpi),
			"-png", "-singlefile", pdfs[0], filepath.Join(out, name))
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("pdftoppm page %d: %v: %s", p, err, b)
		}
		fmt.Println(filepath.Join(out, name+".png"))
	}
	return nil
}

func sheetNames(path string) ([]string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

// pageNumber matches the header line, which ends with the page number.
var pageNumber = regexp.MustCompile(`\sPage \d+\s*$`)

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

func pageCount(pdf string) (int, error) {
	b, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		return 0, fmt.Errorf("pdfinfo: %w", err)
	}
	m := pagesLine.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("pdfinfo: no page count")
	}
	return strconv.Atoi(string(m[1]))
}

// pageSheet returns the sheet a page belongs to: the sheet name in the
// page's header, which the workbook prints in the middle of the line
// that ends with the page number.
func pageSheet(pdf string, page int, sheets []string) (string, error) {
	b, err := exec.Command("pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), "-layout", pdf, "-").Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext page %d: %w", page, err)
	}
	first := ""
	for _, l := range strings.Split(string(b), "\n") {
		if pageNumber.MatchString(l) {
			first = l
			break
		}
	}
	byLength := append([]string(nil), sheets...)
	sort.Slice(byLength, func(i, j int) bool { return len(byLength[i]) > len(byLength[j]) })
	for _, s := range byLength {
		if regexp.MustCompile(`(^|\s{2,})` + regexp.QuoteMeta(s) + `(\s{2,}|$)`).MatchString(first) {
			return s, nil
		}
	}
	return "", fmt.Errorf("page %d: no sheet name in its header %q", page, first)
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func slug(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
}
