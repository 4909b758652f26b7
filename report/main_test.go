package report

import (
	"testing"

	"surveyworker/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
