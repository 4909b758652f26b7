package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/ingest/tabular/tabulartest"
	"github.com/surveyworker/surveyworker/internal/realworld"
)

func TestInspect(t *testing.T) {
	tests := []struct {
		file        string
		platform    string
		respondents int
		workstreams int
		problem     bool
	}{
		{"../examples/inbox/practice-it-priorities-google-forms.csv", "google-forms", 25, 21, false},
		{"../examples/inbox/practice-it-priorities-microsoft-forms.xlsx", "microsoft-forms", 15, 21, false},
		{"testdata/surveymonkey_priorities.csv", "surveymonkey", 3, 0, false},
		{"testdata/qualtrics_choice_text.csv", "qualtrics", 3, 0, false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			got, err := testIngester(t).Inspect(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			ws := 0
			for _, c := range got.Columns {
				if c.Workstream != "" {
					ws++
				}
			}
			if got.Platform != tt.platform || got.Respondents != tt.respondents || (got.Problem != "") != tt.problem {
				t.Errorf("Inspect = platform %q, respondents %d, problem %q; want %q, %d, problem %v",
					got.Platform, got.Respondents, got.Problem, tt.platform, tt.respondents, tt.problem)
			}
			if tt.workstreams > 0 && ws != tt.workstreams {
				t.Errorf("workstream columns = %d, want %d", ws, tt.workstreams)
			}
			if ws == 0 {
				t.Errorf("no workstream columns found")
			}
		})
	}
}

func TestInspectDescribesRejectedFile(t *testing.T) {
	got, err := testIngester(t).Inspect("testdata/reject_no_workstreams.csv")
	if err != nil {
		t.Fatalf("Inspect of a file without workstreams: %v; want a description, not an error", err)
	}
	if got.Problem == "" || len(got.Columns) == 0 {
		t.Errorf("Inspect of a file without workstreams = %+v; want its columns and a problem", got)
	}
}

// TestInspectUnreadableFiles describes files that are not tables, or whose
// text is valid in no encoding, instead of failing: the reason is the
// problem, and a file in no encoding is still read for its platform.
func TestInspectUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bomb, err := tabulartest.Workbook(tabulartest.SharedStrings("<si><t>Timestamp</t></si>", 40_000_000))
	if err != nil {
		t.Fatal(err)
	}
	offset := func(n int64) *int64 { return &n }
	tests := []struct {
		name, path, platform, problem string
		offset                        *int64
	}{
		{"empty", write("empty.csv", nil), "", "the file is empty", nil},
		{"binary", write("binary.csv", bytes.Repeat([]byte{0, 1, 2, 3, 0xFF}, 400)), "", "binary", nil},
		{"legacy workbook", write("old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)), "", "Excel 97-2003", nil},
		{"shared strings bomb", write("bomb.xlsx", bomb), "", "decompression bomb", nil},
		{"no encoding", "testdata/reject_bad_encoding.csv", "google-forms", "neither UTF-8 (invalid byte at offset 79)", offset(79)},
		{"real Typeform export in no encoding", realworld.Path(t, "exports/typeform/typeform_wakefield_spring_2017_redacted.csv"),
			"typeform", "invalid byte at offset 802", offset(802)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testIngester(t).Inspect(tt.path)
			if err != nil {
				t.Fatalf("Inspect: %v; want a description", err)
			}
			if got.Platform != tt.platform || !strings.Contains(got.Problem, tt.problem) {
				t.Errorf("Inspect = platform %q, problem %q; want %q and a problem mentioning %q", got.Platform, got.Problem, tt.platform, tt.problem)
			}
			if diff := cmp.Diff(tt.offset, got.InvalidByteOffset); diff != "" {
				t.Errorf("invalid byte offset (-want +got):\n%s", diff)
			}
			if tt.platform != "" && (got.Respondents == 0 || got.Encoding != "unknown") {
				t.Errorf("Inspect = %d respondents, encoding %q; want some, unknown", got.Respondents, got.Encoding)
			}
		})
	}
}

// TestForcedEncoding reads a file valid in no encoding as the options
// force, with a warning, and refuses it otherwise.
func TestForcedEncoding(t *testing.T) {
	const file = "testdata/reject_bad_encoding.csv"
	if _, _, err := parseFile(testIngester(t), file); err == nil || !strings.Contains(err.Error(), "--encoding") {
		t.Fatalf("without a forced encoding: %v; want a rejection naming --encoding", err)
	}
	for _, enc := range []string{"utf-8", "windows-1252"} {
		t.Run(enc, func(t *testing.T) {
			in := testIngester(t)
			in.opts.Encoding = enc
			rows, p, err := parseFile(in, file)
			if err != nil {
				t.Fatal(err)
			}
			if p.file.Encoding != enc || countCode(p.file.Warnings, "encoding_forced") != 1 {
				t.Errorf("encoding %q, warnings %+v; want %s and one encoding_forced", p.file.Encoding, p.file.Warnings, enc)
			}
			if len(rows) != 1 || rows[0].Answers[0].Raw != "\uFFFDHigh" {
				t.Errorf("rows %+v, want one whose answer keeps the bad byte as U+FFFD", rows)
			}
		})
	}
}
