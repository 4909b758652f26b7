package report

import (
	"errors"
	"os"
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
			want: []Lead{{Name: "Alex Lead", Email: "it-lead@example.nhs.uk", Line: 2},
				{Name: "Sam Manager", Email: "sam.manager@example.org", Line: 3}},
		},
		{
			name: "BOM, CRLF, header case and spacing, extra column, blank line",
			in:   "\ufeffName , EMAIL ,role\r\nAlex Lead, it-lead@example.nhs.uk ,IT\r\n\r\n,digital@example.org,\r\n",
			want: []Lead{{Name: "Alex Lead", Email: "it-lead@example.nhs.uk", Line: 2}, {Email: "digital@example.org", Line: 4}},
		},
		{
			name: "display name form",
			in:   "email\n\"Alex Lead <it-lead@example.nhs.uk>\"\n",
			want: []Lead{{Name: "Alex Lead", Email: "it-lead@example.nhs.uk", Line: 2}},
		},
		{
			name: "federations column, several separated by semicolons",
			in: "name,email,federations\nAlex,it-lead@example.nhs.uk,\nSam,sam@example.org,North Oxfordshire\n" +
				"Jo,jo@example.org,\" City ; north  oxfordshire;;Oxford   City;\"\n",
			want: []Lead{{Name: "Alex", Email: "it-lead@example.nhs.uk", Line: 2},
				{Name: "Sam", Email: "sam@example.org", Federations: []string{"North Oxfordshire"}, Line: 3},
				{Name: "Jo", Email: "jo@example.org", Federations: []string{"City", "north oxfordshire", "Oxford City"}, Line: 4}},
		},
		{
			name: "YAML, told by its content",
			in: "# leads of the roadmap\nleads:\n  - name: Alex\n    email: it-lead@example.nhs.uk\n" +
				"  - name: Sam\n    email: \"Sam Patel <sam@example.org>\"\n    federations: [North Oxfordshire, City]\n" +
				"  - email: jo@example.org\n    federations: City; South\n",
			want: []Lead{{Name: "Alex", Email: "it-lead@example.nhs.uk", Line: 3},
				{Name: "Sam", Email: "sam@example.org", Federations: []string{"North Oxfordshire", "City"}, Line: 5},
				{Email: "jo@example.org", Federations: []string{"City", "South"}, Line: 8}},
		},
		{
			name: "YAML with no leads",
			in:   "leads:\n",
		},
		{
			name:    "YAML problems with line numbers",
			in:      "leads:\n  - name: A\n    email: not-an-address\n  - name: B\n    emial: b@example.org\n  - email: c@example.org\n    federations: {a: b}\n  - email: C@example.org\n",
			wantErr: []string{"line 5: unknown key \"emial\"", "line 7: federations: want a single value"},
		},
		{
			name:    "YAML problems of addresses",
			in:      "leads:\n  - name: A\n    email: not-an-address\n  - email: c@example.org\n  - email: C@example.org\n",
			wantErr: []string{"line 2: email \"not-an-address\"", "line 5: email C@example.org repeats line 4"},
		},
		{
			name:    "YAML that is not a list of leads",
			in:      "---\nrecipients: []\n",
			wantErr: []string{"line 2: unknown key \"recipients\""},
		},
		{
			name:    "invalid YAML",
			in:      "leads:\n  - name: [A\n",
			wantErr: []string{"yaml:"},
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

// TestLoadLeadsByExtension reads a leads file as its extension says, and
// by its content when the extension says nothing.
func TestLoadLeadsByExtension(t *testing.T) {
	dir := t.TempDir()
	yamlText := "leads:\n  - email: sam@example.org\n    federations: [North]\n"
	tests := []struct {
		name, text string
		want       []Lead
		wantErr    string
	}{
		{"leads.yaml", yamlText, []Lead{{Email: "sam@example.org", Federations: []string{"North"}, Line: 2}}, ""},
		{"leads.YML", "- email: sam@example.org\n", nil, "want \"leads:\""},
		{"leads.txt", yamlText, []Lead{{Email: "sam@example.org", Federations: []string{"North"}, Line: 2}}, ""},
		{"leads", "email,federations\nsam@example.org,North\n", []Lead{{Email: "sam@example.org", Federations: []string{"North"}, Line: 2}}, ""},
		{"leads.csv", yamlText, nil, `no "email" column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadLeads(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("got %v, want an error naming %s with %q", err, path, tt.wantErr)
				}
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

func TestResolveFederations(t *testing.T) {
	leads := []Lead{
		{Email: "all@example.org", Line: 2},
		{Email: "north@example.org", Federations: []string{"north  oxfordshire", "City"}, Line: 3},
		{Email: "typo@example.org", Federations: []string{"Nrth Oxfordshire"}, Line: 4},
	}
	got, unknown := ResolveFederations(leads, []string{"North Oxfordshire", "Oxford City", "City"})
	want := []Lead{
		{Email: "all@example.org", Line: 2},
		{Email: "north@example.org", Federations: []string{"North Oxfordshire", "City"}, Line: 3},
		{Email: "typo@example.org", Federations: []string{"Nrth Oxfordshire"}, Line: 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]UnknownFederation{{Lead: leads[2], Name: "Nrth Oxfordshire"}}, unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if leads[1].Federations[0] != "north  oxfordshire" {
		t.Errorf("ResolveFederations changed its argument: %v", leads[1].Federations)
	}
}
