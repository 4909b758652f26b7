package practices

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/internal/realworld"
	"github.com/surveyworker/surveyworker/survey"
)

// epraccurSample is the first 300 lines of a real epraccur file, read when
// present.
const epraccurSample = "ods/epraccur_sample_300.csv"

func TestReadEpraccur(t *testing.T) {
	f, err := os.Open("testdata/practices_epraccur.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Registry{Format: FormatEpraccur, Inactive: 2, NotGP: 1, Practices: []survey.Practice{
		{ODSCode: "K84501", Name: "JERICHO CANAL SURGERY", Federation: "10Q", Postcode: "OX2 6AB"},
		{ODSCode: "K84504", Name: "ST CLEMENT'S & IFFLEY PRACTICE", Federation: "10Q", Postcode: "OX4 1DZ"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestReadEpraccurErrors(t *testing.T) {
	rec := func(code, name string) string {
		return `"` + code + `","` + name + `"` + strings.Repeat(`,""`, 10) + `,"A"` + strings.Repeat(`,""`, 12) + `,"4",""` + "\r\n"
	}
	tests := []registryErrorCase{
		{"problems by line", rec("K84501", "A") + rec("K84501", "B") + rec("K84502", ""),
			[]string{"line 2: ods_code K84501 is also on line 1", "line 3: practice K84502 has no name"}},
		{"short record", rec("K84501", "A") + `"K84502","B"` + "\r\n", []string{"line 2", "malformed epraccur record"}},
	}
	checkRegistryErrors(t, func(r io.Reader) error { _, err := Read(r); return err }, tests)
}

// TestReadEpraccurSample reads real ODS data: every record is
// either imported or counted as skipped.
func TestReadEpraccurSample(t *testing.T) {
	f, err := os.Open(realworld.Path(t, epraccurSample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != FormatEpraccur || len(got.Practices) != 264 || got.Inactive != 35 || got.NotGP != 1 {
		t.Errorf("got %s with %d practices, %d inactive, %d not GP; want epraccur with 264, 35, 1",
			got.Format, len(got.Practices), got.Inactive, got.NotGP)
	}
	first := survey.Practice{ODSCode: "A81001", Name: "THE DENSHAM SURGERY", Federation: "00K", Postcode: "TS18 1HU"}
	if len(got.Practices) > 0 {
		if diff := cmp.Diff(first, got.Practices[0]); diff != "" {
			t.Errorf("first practice (-want +got):\n%s", diff)
		}
	}
	// The project's registry is still read as CSV.
	ps, err := os.Open("testdata/practices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if reg, err := Read(ps); err != nil || reg.Format != FormatCSV || len(reg.Practices) == 0 {
		t.Errorf("practices.csv: got %s with %d practices, %v", reg.Format, len(reg.Practices), err)
	}
}
