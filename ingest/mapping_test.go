package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []MappedColumn // Line and role left out
		err  []string       // substrings of the error
	}{
		{"flat", "practice: Q1\nworkstreams:\n  Q7_1: wifi\npersonal: [Q3, Q4]\n",
			[]MappedColumn{{Column: "Q1", Role: "practice"}, {Column: "Q7_1", Role: "workstream", Workstream: "wifi"},
				{Column: "Q3", Role: "personal"}, {Column: "Q4", Role: "personal"}}, nil},
		{"list", "columns:\n  - column: \"Which  practice?\"\n    role: practice\n  - column: C\n    workstream: telephony\n  - column: D\n    role: response_id\n",
			[]MappedColumn{{Column: "Which practice?", Role: "practice"}, {Column: "C", Role: "workstream", Workstream: "telephony"},
				{Column: "D", Role: "response-id"}}, nil},
		{"single list item as scalar", "ignore: Q9\n", []MappedColumn{{Column: "Q9", Role: "ignored"}}, nil},
		{"empty", "", nil, []string{"m.yaml", "empty"}},
		{"not keys", "- Q1\n", nil, []string{"line 1", "want keys"}},
		{"unknown key", "practice: Q1\nworkstream: Q2\n", nil, []string{"m.yaml line 2", `unknown key "workstream"`, "workstreams"}},
		{"unknown workstream", "workstreams:\n  Q7_1: cyber\n", nil, []string{"line 2", `unknown workstream ID "cyber"`, "cyber-security", "wifi"}},
		{"column twice", "practice: Q1\nrole: Q1\n", nil, []string{"line 2", `column "Q1" is already named on line 1`}},
		{"practice twice", "columns:\n  - {column: A, role: practice}\n  - {column: B, role: practice}\n", nil, []string{"line 3", "only one column may be the practice"}},
		{"workstream twice", "workstreams: {A: wifi, B: wifi}\n", nil, []string{"workstream wifi is already given"}},
		{"bad role", "columns:\n  - column: A\n    role: answer\n", nil, []string{"line 2", `role "answer" is not one of`}},
		{"workstream without ID", "columns:\n  - column: A\n    role: workstream\n", nil, []string{"needs a workstream ID"}},
		{"ID with another role", "columns:\n  - {column: A, role: practice, workstream: wifi}\n", nil, []string{"the role is practice"}},
		{"nothing named", "scale: {min: 1, max: 5, higher_is_more_important: true}\n", nil, []string{"names no column"}},
		{"scale without direction", "practice: A\nscale:\n  min: 1\n  max: 5\n", nil, []string{"line 3", "higher_is_more_important"}},
		{"scale both", "practice: A\nscale: {labels: [a, b], min: 1, max: 2, higher_is_more_important: true}\n", nil, []string{"not both"}},
		{"scale backwards", "practice: A\nscale: {min: 5, max: 1, higher_is_more_important: true}\n", nil, []string{"min below max"}},
		{"scale unknown key", "practice: A\nscale: {lables: [a, b], higher_is_more_important: true}\n", nil, []string{`unknown key "lables"`}},
		{"bad YAML", "practice: [A\n", nil, []string{"m.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping("m.yaml", strings.NewReader(tt.yaml), nil)
			if tt.err != nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", m)
				}
				for _, s := range tt.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make([]MappedColumn, len(m.Columns))
			for i, c := range m.Columns {
				got[i] = MappedColumn{Column: c.Column, Role: c.Role, Workstream: c.Workstream}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(MappedColumn{})); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScaleScore(t *testing.T) {
	labels := &Scale{Labels: []string{"Essential", "Useful", "Not needed"}}
	numeric := &Scale{Min: 0, Max: 10, HigherIsMoreImportant: true}
	tests := []struct {
		scale       *Scale
		raw         string
		score       float64
		missing, ok bool
	}{
		{labels, "Essential", 1, false, true},
		{labels, " useful ", 0.5, false, true},
		{labels, "Not needed", 0, false, true},
		{labels, "Don't know", 0, true, true},
		{labels, "High", 0, false, false},
		{numeric, "10", 1, false, true},
		{numeric, "5", 0.5, false, true},
		{numeric, "0", 0, false, true},
		{numeric, "11", 0, false, false},
		{numeric, "2.5", 0, false, false},
		{numeric, "N/A", 0, true, true},
	}
	for _, tt := range tests {
		p := tt.scale.score(tt.raw)
		if float64(p.score) != tt.score || p.missing != tt.missing || p.ok != tt.ok {
			t.Errorf("%v.score(%q) = %v %v %v, want %v %v %v", tt.scale, tt.raw, p.score, p.missing, p.ok, tt.score, tt.missing, tt.ok)
		}
	}
}

// mappedIngester returns a test ingester applying the mapping file at path.
func mappedIngester(t *testing.T, path string) *Ingester {
	t.Helper()
	m, err := LoadMapping(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := testIngester(t)
	in.opts.Mapping = m
	return in
}

// TestMappingGolden reads an export whose workstream headers mean nothing
// without its mapping, and compares what it parses to with the golden.
func TestMappingGolden(t *testing.T) {
	const file = "testdata/mapping/cryptic.csv"
	if _, _, err := parseRows(testIngester(t), file, nil); err == nil {
		t.Fatalf("%s loads without its mapping", file)
	}
	in := mappedIngester(t, "testdata/mapping/cryptic.yaml")
	g := parseAll(t, in, file, testPractices(t))
	if g.Error != "" {
		t.Fatal(g.Error)
	}
	checkGolden(t, "testdata/golden/mapping/cryptic.csv.json", g)
}

func TestMappingNamesMissingHeader(t *testing.T) {
	m, err := ParseMapping("m.yaml", strings.NewReader("practice: Q1\nworkstreams:\n  Q8_1: wifi\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	in := testIngester(t)
	in.opts.Mapping = m
	_, _, err = parseRows(in, "testdata/mapping/cryptic.csv", nil)
	var rej *RejectError
	if !errors.As(err, &rej) || !strings.Contains(err.Error(), `"Q8_1"`) {
		t.Errorf("got %v, want a rejection naming Q8_1", err)
	}
}

// TestMappingOverridesDetection maps a Google Forms export: the mapping's
// practice column replaces the detected one, and a mapped workstream
// replaces the column detected for it.
func TestMappingOverridesDetection(t *testing.T) {
	const file = "testdata/google_forms_uk.csv"
	in := testIngester(t)
	l, err := in.inspect(file)
	if err != nil {
		t.Fatal(err)
	}
	var wsCol, practiceCol, other column
	for _, c := range l.Columns {
		switch {
		case c.Workstream == "cyber-security":
			wsCol = c
		case c.Role == rolePractice:
			practiceCol = c
		case c.Role == roleRole:
			other = c
		}
	}
	yaml := "practice: " + other.Letter + "\nworkstreams:\n  " + yamlScalar(practiceCol.Header) + ": cyber-security\n"
	if in.opts.Mapping, err = ParseMapping("m.yaml", strings.NewReader(yaml), nil); err != nil {
		t.Fatal(err)
	}
	got, err := in.inspect(file)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, c := range got.Columns {
		roles[c.Letter] = c.Role.String() + " " + c.Workstream
	}
	want := map[string]string{other.Letter: "practice ", practiceCol.Letter: "workstream cyber-security", wsCol.Letter: "ignored "}
	for letter, w := range want {
		if roles[letter] != w {
			t.Errorf("column %s: got %q, want %q", letter, roles[letter], w)
		}
	}
	if got.Platform != "google-forms" {
		t.Errorf("platform %q, want google-forms", got.Platform)
	}
}

func TestMappingsDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("testdata/mapping/cryptic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write("cryptic.yaml", string(b))
	write("smaller.yml", "practice: Q1\nworkstreams: {Q7_1: wifi}\n")
	write("other.yaml", "practice: Q1\nworkstreams: {Q8_1: wifi}\n")
	write("notes.txt", "not a mapping")
	in := testIngester(t)
	in.opts.MappingsDir = dir
	info, err := fingerprint("testdata/mapping/cryptic.csv")
	if err != nil {
		t.Fatal(err)
	}
	l, _, m, err := in.describe("testdata/mapping/cryptic.csv", info)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil || filepath.Base(m.File) != "cryptic.yaml" || l.Platform != "generic" {
		t.Fatalf("got mapping %v, platform %q; want cryptic.yaml, generic", m, l.Platform)
	}
	if _, _, err := parseRows(in, "testdata/mapping/cryptic.csv", nil); err != nil {
		t.Fatal(err)
	}

	write("twin.yaml", string(b))
	_, _, err = parseRows(in, "testdata/mapping/cryptic.csv", nil)
	if err == nil || !strings.Contains(err.Error(), "cryptic.yaml") || !strings.Contains(err.Error(), "twin.yaml") {
		t.Errorf("two mappings that fit equally: got %v, want an error naming both", err)
	}

	write("broken.yaml", "workstreams: {Q7_1: nowhere}\n")
	if _, _, err := parseRows(in, "testdata/mapping/cryptic.csv", nil); err == nil || !strings.Contains(err.Error(), "broken.yaml") {
		t.Errorf("broken mapping: got %v, want an error naming it", err)
	}
}

func TestGenericDetection(t *testing.T) {
	cat := survey.DefaultCatalogue()
	accept := func(row []string) bool { return meaningfulHeader(classify(generic, row, cat)) }
	tests := []struct {
		name     string
		top      [][]string
		platform string
		title    int
	}{
		{"workstream column", [][]string{{"Name", "Cyber Security", "Colour"}}, "generic", 0},
		{"practice column", [][]string{{"Which practice?", "Q7_1"}}, "generic", 0},
		{"title row", [][]string{{"IT survey"}, {"Practice", "Wifi"}}, "generic", 1},
		{"nothing known", [][]string{{"Name", "Score"}}, "", 0},
		{"one column", [][]string{{"Wifi"}}, "", 0},
		{"platform below a title that looks generic", [][]string{{"Practice survey", "Wifi"}, {"Timestamp", "Q"}}, "google-forms", 1},
	}
	for _, tt := range tests {
		d, ok := detectShapeFor(tt.top, accept)
		got := ""
		if ok {
			got = d.shape.platform
		}
		if got != tt.platform || (ok && d.titleRows != tt.title) {
			t.Errorf("%s: got %q (title rows %d), want %q (%d)", tt.name, got, d.titleRows, tt.platform, tt.title)
		}
	}
	if shapes[len(shapes)-1] != generic {
		t.Error("the generic shape is not the last")
	}
}

// TestStarterMappingRoundTrip writes the starter mapping of an export that
// cannot be loaded, edits it as a lead would, and loads the export with it.
func TestStarterMappingRoundTrip(t *testing.T) {
	const file = "testdata/mapping/cryptic.csv"
	in := testIngester(t)
	r, err := in.Inspect(file)
	if err != nil {
		t.Fatal(err)
	}
	if r.Platform != "generic" || r.Problem == "" || r.Respondents != 3 {
		t.Fatalf("Inspect = platform %q, problem %q, %d respondents; want generic, a problem, 3", r.Platform, r.Problem, r.Respondents)
	}
	var b strings.Builder
	if err := r.WriteStarterMapping(&b, survey.DefaultCatalogue().IDs()); err != nil {
		t.Fatal(err)
	}
	text := editStarter(t, b.String(), map[string]string{"Q1": "practice", "Q7_1": "workstream cyber-security", "Q7_3": "workstream wifi"})
	m, err := ParseMapping("starter.yaml", strings.NewReader(text), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(m.Columns) != len(r.Columns) {
		t.Errorf("the starter names %d columns, want all %d", len(m.Columns), len(r.Columns))
	}
	in.opts.Mapping = m
	rows, p, err := parseRows(in, file, testPractices(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.file.Workstreams; !cmp.Equal(got, []string{"cyber-security", "wifi"}) || len(rows) != 3 || rows[0].PracticeODS != "K84501" {
		t.Errorf("loaded workstreams %v, %d rows; want cyber-security and wifi, 3 rows", got, len(rows))
	}
	if a := rows[0].Answers[1]; !a.Scored || a.Score != 1 {
		t.Errorf("answer 5 for wifi = %+v, want score 1", a)
	}
}

// editStarter changes the roles of the named columns in a starter mapping;
// a role "workstream ID" gives the column that workstream.
func editStarter(t *testing.T, text string, roles map[string]string) string {
	t.Helper()
	for col, r := range roles {
		re := regexp.MustCompile(`(- column: "` + regexp.QuoteMeta(col) + `"[^\n]*\n    role: )[a-z-]+\n`)
		if !re.MatchString(text) {
			t.Fatalf("starter has no column %s:\n%s", col, text)
		}
		repl := "${1}" + r + "\n"
		if id, ok := strings.CutPrefix(r, "workstream "); ok {
			repl = "${1}workstream\n    workstream: " + id + "\n"
		}
		text = re.ReplaceAllString(text, repl)
	}
	return text
}
