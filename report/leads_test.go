package report

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadLeads(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Lead
		wantErr []string // substrings of the error, in order
	}{
		{
			name: "plain",
			in:   "name,email\nAlex Lead,it-lead@example.nhs.uk\nSam Manager,sam.manager@example.org\n",
			want: []Lead{{"Alex Lead", "it-lead@example.nhs.uk"}, {"Sam Manager", "sam.manager@example.org"}},
		},
		{
			name: "BOM, CRLF, header case and spacing, extra column, blank line",
			in:   "\ufeffName , EMAIL ,role\r\nAlex Lead, it-lead@example.nhs.uk ,IT\r\n\r\n,digital@example.org,\r\n",
			want: []Lead{{"Alex Lead", "it-lead@example.nhs.uk"}, {"", "digital@example.org"}},
		},
		{
			name: "display name form",
			in:   "email\n\"Alex Lead <it-lead@example.nhs.uk>\"\n",
			want: []Lead{{"Alex Lead", "it-lead@example.nhs.uk"}},
		},
		{
			name: "header only",
			in:   "name,email\n",
		},
		{
			name:    "no email column",
			in:      "name,address\nAlex,it-lead@example.nhs.uk\n",
			wantErr: []string{"line 1", `no "email" column`},
		},
		{
			name:    "empty file",
			in:      "",
			wantErr: []string{`no "email" column`},
		},
		{
			name:    "all problems with line numbers",
			in:      "name,email\nA,not-an-address\nB,\nC,it-lead@example.nhs.uk\nD,IT-Lead@example.nhs.uk\n",
			wantErr: []string{"line 2: email \"not-an-address\"", "line 3: email is empty", "line 5: email IT-Lead@example.nhs.uk repeats line 4"},
		},
		{
			name:    "malformed CSV",
			in:      "name,email\n\"Alex,it-lead@example.nhs.uk\n",
			wantErr: []string{"line 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLeads(strings.NewReader(tt.in))
			if len(tt.wantErr) > 0 {
				checkErrOrder(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("leads (-want +got):\n%s", diff)
			}
		})
	}
}

func checkErrOrder(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %q", want)
	}
	msg := err.Error()
	for _, w := range want {
		i := strings.Index(msg, w)
		if i < 0 {
			t.Fatalf("error %q lacks %q", err, w)
		}
		msg = msg[i+len(w):]
	}
}

func TestReadLeadsErrorType(t *testing.T) {
	_, err := ReadLeads(strings.NewReader("name,email\nA,bad\n"))
	var le *LeadError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("error %v: want a *LeadError for line 2", err)
	}
}

func TestLoadLeadsExample(t *testing.T) {
	leads, err := LoadLeads(filepath.Join("..", "examples", "leads.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) < 2 {
		t.Errorf("examples/leads.csv has %d leads, want at least 2", len(leads))
	}
	if _, err := LoadLeads(filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Errorf("missing file: got nil error")
	}
}
