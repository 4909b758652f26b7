package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/internal/realworld"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// testKey is the HMAC key of every test.
var testKey = []byte("test-key")

// golden is what a file parses to, written as JSON.
type golden struct {
	Layout *layout                `json:"layout,omitempty"`
	File   *goldenFile            `json:"file,omitempty"`
	Rows   []*store.RespondentRow `json:"rows,omitempty"`
	Error  string                 `json:"error,omitempty"`
}

type goldenFile struct {
	Encoding         string          `json:"encoding"`
	Workstreams      []string        `json:"workstreams"`
	CommentQuestions []string        `json:"comment_questions"`
	Warnings         []store.Warning `json:"warnings"`
}

// testIngester returns an ingester with no store, for parsing alone.
func testIngester(t testing.TB) *Ingester {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return New(nil, Options{HMACKey: testKey, Location: loc})
}

// testPractices reads testdata/practices.csv.
func testPractices(t testing.TB) []survey.Practice {
	t.Helper()
	return readPracticesFile(t, "practices/testdata/practices.csv")
}

// readPracticesFile reads a practice registry CSV or fails the test.
func readPracticesFile(t testing.TB, path string) []survey.Practice {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ReadPractices(f)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// realGolden is what the golden of a real export records: the detected
// structure and counts only. Header texts and answers stay in the shared
// files they come from and are not copied into this repository.
type realGolden struct {
	Platform   string         `json:"platform,omitempty"`
	Format     string         `json:"format,omitempty"`
	Encoding   string         `json:"encoding,omitempty"`
	Delimiter  string         `json:"delimiter,omitempty"`
	HeaderRows int            `json:"header_rows"`
	Columns    int            `json:"columns"`
	Roles      map[string]int `json:"roles,omitempty"`
	Rows       int            `json:"rows"`
	Warnings   int            `json:"warnings"`
	Error      string         `json:"error,omitempty"`
	// Respondents and Partial are what inspect counts, and Problem is
	// whether it finds one.
	Respondents int  `json:"respondents"`
	Partial     int  `json:"partial,omitempty"`
	Problem     bool `json:"problem"`
}

func summarizeReal(g golden) realGolden {
	r := realGolden{Rows: len(g.Rows), Error: g.Error}
	if g.Layout != nil {
		l := g.Layout
		r.Platform, r.Format, r.Encoding, r.Delimiter, r.HeaderRows = l.Platform, l.Format, l.Encoding, l.Delimiter, l.HeaderRows
		r.Columns, r.Roles = len(l.Columns), map[string]int{}
		for _, c := range l.Columns {
			r.Roles[fmt.Sprint(c.Role)]++
		}
	}
	if g.File != nil {
		r.Warnings = len(g.File.Warnings)
	}
	return r
}

// parseAll detects and parses the file at path without a database.
func parseAll(t testing.TB, in *Ingester, path string, ps []survey.Practice) golden {
	t.Helper()
	var g golden
	if l, err := in.inspect(path); err == nil {
		g.Layout = &l
	}
	rows, file, err := parseRows(in, path, ps)
	if file != nil {
		g.Layout = &file.layout
		g.File = &goldenFile{Encoding: file.file.Encoding, Workstreams: file.file.Workstreams,
			CommentQuestions: file.file.CommentQuestions, Warnings: file.file.Warnings}
	}
	g.Rows = rows
	if err != nil {
		g.Error = err.Error()
	}
	return g
}

// parseFile returns every respondent row of a file, against the test
// registry.
func parseFile(in *Ingester, path string) ([]*store.RespondentRow, *parsed, error) {
	f, err := os.Open("practices/testdata/practices.csv")
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	ps, err := ReadPractices(f)
	if err != nil {
		return nil, nil, err
	}
	return parseRows(in, path, ps)
}

// parseRows returns every respondent row of a file.
func parseRows(in *Ingester, path string, ps []survey.Practice) ([]*store.RespondentRow, *parsed, error) {
	info, err := in.readInfo(path)
	if err != nil {
		return nil, nil, rejectionOf(fileName(path), err)
	}
	p, err := in.open(path, info, practices.NewMatcher(ps), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	defer p.close()
	var rows []*store.RespondentRow
	for {
		r, err := p.next()
		if errors.Is(err, io.EOF) {
			return rows, p, nil
		}
		if err != nil {
			return rows, p, err
		}
		rows = append(rows, r)
	}
}

// checkGolden compares got, as indented JSON, with the golden file,
// rewriting it under -update.
func checkGolden(t *testing.T, path string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestGolden parses every fixture in testdata, and every real export of
// shared/realworld (see [realworld.Glob]), and compares the layout, rows
// and warnings with testdata/golden.
func TestGolden(t *testing.T) {
	in, ps := testIngester(t), testPractices(t)
	files, _ := filepath.Glob("testdata/*.*")
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "practices") { // registries, not exports
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata/golden", filepath.Base(f)+".json"), parseAll(t, in, f, ps))
		})
	}
	t.Run("real", func(t *testing.T) {
		for _, f := range realworld.Glob(t, "exports/*/*.*") {
			t.Run(filepath.Base(f), func(t *testing.T) {
				g := summarizeReal(parseAll(t, in, f, ps))
				ins, err := in.Inspect(f)
				if err != nil {
					t.Fatal(err)
				}
				g.Respondents, g.Partial, g.Problem = ins.Respondents, ins.Partial, ins.Problem != ""
				checkGolden(t, filepath.Join("testdata/golden/real", filepath.Base(f)+".json"), g)
			})
		}
	})
}

// TestGoldenRejections checks that every reject_* fixture is rejected with
// a *RejectError naming the file, and never panics.
func TestGoldenRejections(t *testing.T) {
	in, ps := testIngester(t), testPractices(t)
	files, _ := filepath.Glob("testdata/reject_*")
	for _, f := range files {
		_, _, err := parseRows(in, f, ps)
		var rej *RejectError
		if !errors.As(err, &rej) {
			t.Errorf("%s: got error %v, want a *RejectError", f, err)
			continue
		}
		if rej.File != filepath.Base(f) || !strings.Contains(rej.Error(), filepath.Base(f)) {
			t.Errorf("%s: rejection %q does not name the file", f, rej.Error())
		}
	}
	if len(files) == 0 {
		t.Fatal("no reject_* fixtures")
	}
	_ = bytes.MinRead
}
