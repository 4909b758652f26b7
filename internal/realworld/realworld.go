// Package realworld finds the real files that tests read but the
// repository does not hold: public survey exports of many platforms, the
// csv-spectrum edge cases and NHS practice-list samples, kept in
// shared/realworld beside the repository's folder.
//
// A test asks for a file or a pattern by its path inside that folder.
// When the file is missing, the test is skipped with the path it wanted;
// under CI=true a missing file fails the test instead, so a fixture that
// went astray can never turn a test into one that cannot fail.
package realworld

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of the shared/realworld folder beside the
// repository, whether or not it exists. The repository is the nearest
// folder above the working directory (a test's package folder) that holds
// go.mod.
func Dir() string {
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "realworld")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "realworld")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(filepath.Dir(dir), "shared", "realworld")
		}
	}
}

// Path returns the absolute path of the file at rel inside [Dir]. When it
// does not exist, Path skips the test, or fails it under CI=true.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(tb, p, err.Error())
	}
	return p
}

// Glob returns the files matching pattern inside [Dir], in name order.
// When none match, Glob skips the test, or fails it under CI=true.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	p := filepath.Join(Dir(), filepath.FromSlash(pattern))
	files, err := filepath.Glob(p)
	if err != nil {
		tb.Fatalf("realworld: pattern %s: %v", p, err)
	}
	if len(files) == 0 {
		missing(tb, p, "no file matches")
	}
	return files
}

// missing skips or fails tb for the absent path.
func missing(tb testing.TB, path, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("real-world fixture %s is missing (%s); CI=true requires it", path, why)
		return
	}
	tb.Skipf("real-world fixture %s is missing (%s)", path, why)
}
