package ingest

import (
	"flag"
	"testing"

	"github.com/surveyworker/surveyworker/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files, generated fixtures and the examples")

func TestMain(m *testing.M) { storetest.Main(m) }
