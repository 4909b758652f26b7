// Package office runs the independent readers that check the workbooks
// surveyworker writes: LibreOffice, headless, to convert a workbook to PDF
// or to recalculate it and save it again as XLSX, and a Python with
// openpyxl to read what a workbook holds.
package office

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrMissing is wrapped by the errors of [Soffice] and [Python] when the
// reader is not installed.
var ErrMissing = errors.New("reader not installed")

// convertTimeout bounds one LibreOffice run, which takes seconds; a run
// that hangs is stopped rather than left to block a test or a build.
const convertTimeout = 3 * time.Minute

// Soffice returns the path of LibreOffice's soffice program.
func Soffice() (string, error) {
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("LibreOffice (soffice; Debian package libreoffice-calc-nogui): %w", ErrMissing)
}

// Python returns the path of a Python 3 that can import openpyxl: Debian's
// /usr/bin/python3 first (package python3-openpyxl), then python3 on PATH.
func Python() (string, error) {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Python 3 with openpyxl (Debian package python3-openpyxl): %w", ErrMissing)
}

// recalcProfile makes LibreOffice recalculate every formula of a workbook
// it opens instead of trusting the values saved with them, so that a
// converted workbook holds LibreOffice's own results.
const recalcProfile = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// Convert converts each of files with LibreOffice to format ("pdf" or
// "xlsx") into dir, recalculating every formula on the way, and returns
// the paths of the converted files in the order of files. Each call uses a
// profile of its own, so calls may run in parallel. A file LibreOffice
// cannot open is an error.
func Convert(dir, format string, files ...string) ([]string, error) {
	soffice, err := Soffice()
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "lo-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalcProfile), 0o644); err != nil {
		return nil, err
	}
	filter := map[string]string{"pdf": "pdf:calc_pdf_Export", "xlsx": "xlsx:Calc MS Excel 2007 XML"}[format]
	if filter == "" {
		return nil, fmt.Errorf("office: unknown format %q", format)
	}
	ctx, cancel := context.WithTimeout(context.Background(), convertTimeout)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "--nolockcheck",
		"-env:UserInstallation=file://" + profile, "--convert-to", filter, "--outdir", dir}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("office: soffice --convert-to %s: %w: %s", format, err, out)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+format)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("office: LibreOffice did not convert %s: %s", f, out)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
