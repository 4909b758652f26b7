package practices

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

func TestReadList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []survey.Practice
	}{
		{
			name: "BOM, reordered columns, aliases, list size with comma",
			in: "\uFEFFName,Federation,ODS_Code,aliases,List Size,postcode,notes\r\n" +
				"Jericho Canal Surgery,Oxford City,k84501, Jericho Surgery ; Canal Surgery ;,\"11,840\",ox2 6ab,ignored\r\n",
			want: []survey.Practice{{ODSCode: "K84501", Name: "Jericho Canal Surgery", Federation: "Oxford City",
				ListSize: 11840, Postcode: "OX2 6AB", Aliases: []string{"Jericho Surgery", "Canal Surgery"}}},
		},
		{
			name: "semicolons, only the required columns, blank lines",
			in:   "ods_code;name;federation\n\nK84502;Cowley Road Medical Practice;\n\n",
			want: []survey.Practice{{ODSCode: "K84502", Name: "Cowley Road Medical Practice"}},
		},
	}
	for _, tt := range tests {
		got, err := ReadList(strings.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestReadListErrors(t *testing.T) {
	tests := []registryErrorCase{
		{"empty", "", []string{"empty"}},
		{"missing column", "ods_code,name\nK84501,A\n", []string{"line 1", "missing column(s) federation"}},
		{"bad rows", "ods_code,name,federation,list_size\n" +
			"K84501,A,F,10\n" +
			"\"K8450\n2\",B,F,\n" + // a quoted line break: the record starts on line 3
			"K84503,,F,\n" +
			"K84501,D,F,\n" +
			"K84504,E,F,many\n",
			[]string{"line 3: ods_code", "line 5: practice K84503 has no name", "line 6: ods_code K84501 is also on line 2",
				`line 7: list_size "many"`}},
		{"malformed", "ods_code,name,federation\nK84501,\"A,F\n", []string{"line 2", "malformed CSV"}},
	}
	checkRegistryErrors(t, func(r io.Reader) error { _, err := ReadList(r); return err }, tests)
}

// registryErrorCase is a registry that must be refused, and what the error
// must say.
type registryErrorCase struct {
	name, in string
	want     []string
}

// checkRegistryErrors reads each case with read and checks its error.
func checkRegistryErrors(t *testing.T, read func(io.Reader) error, tests []registryErrorCase) {
	t.Helper()
	for _, tt := range tests {
		err := read(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.name, err, w)
			}
		}
	}
}
