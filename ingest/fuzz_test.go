package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes through the whole reading path
// (fingerprint, decoding, CSV or XLSX, detection, mapping) and checks that
// it never panics and fails only with a *RejectError.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.*")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	in := New(nil, Options{HMACKey: testKey, Limits: Limits{MaxRecordBytes: 64 << 10, MaxUnzipBytes: 8 << 20}})
	ps := testPractices(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := parseRows(in, path, ps)
		var rej *RejectError
		if err != nil && !errors.As(err, &rej) {
			t.Errorf("error is not a rejection: %v", err)
		}
	})
}
