package report

import (
	"testing"

	"github.com/surveyworker/surveyworker/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
