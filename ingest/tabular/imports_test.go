package tabular

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNothingOfOurs keeps the bytes-to-rows layer free of the
// packages above it.
func TestImportsNothingOfOurs(t *testing.T) {
	for _, imp := range packageImports(t, ".") {
		if strings.HasPrefix(imp, "github.com/surveyworker/surveyworker") {
			t.Errorf("tabular imports %s", imp)
		}
	}
}

// packageImports returns the imports of the non-test Go files of dir.
func packageImports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range af.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			out = append(out, p)
		}
	}
	return out
}
