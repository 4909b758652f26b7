package practices

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlySurveyAndTabular keeps the registry and matcher free of
// the survey-reading packages above them.
func TestImportsOnlySurveyAndTabular(t *testing.T) {
	const module = "github.com/surveyworker/surveyworker/"
	allowed := map[string]bool{module + "survey": true, module + "ingest/tabular": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
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
			if strings.HasPrefix(p, module) && !allowed[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
