package report

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// viewInput returns the fixture's workbook input as the view for
// federations, loaded from the fixture's database.
func viewInput(t *testing.T, fx *fixture, federations ...string) WorkbookInput {
	t.Helper()
	in := fx.in
	in.Federations = federations
	if err := in.Load(context.Background(), fx.st); err != nil {
		t.Fatal(err)
	}
	return in
}

// sheetRows returns the rows of sheet.
func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestWorkbookFederationView writes the fixture's workbook as the view for
// the North federation, whose practices wrote no comment, and checks that
// the view puts North first and shows nothing other federations'
// respondents wrote.
func TestWorkbookFederationView(t *testing.T) {
	fx := newFixture(t)
	full := writeAndOpen(t, fx.in)
	f := writeAndOpen(t, viewInput(t, fx, "North"))

	summary := sheetRows(t, f, SheetSummary)
	want := "In North, all 4 of its practices answered (4 responses). Its practices put "
	if p := summary[3][0]; !strings.HasPrefix(p, want) || !strings.Contains(p, "across all practices they rank ") ||
		!strings.HasSuffix(p, "This copy is the view for North: the By federation sheet shows it first, and the Comments sheet "+
			"holds only the comments of respondents from its practices. The ranking is the same for everyone.") {
		t.Errorf("view paragraph = %q, want it to start %q and say what the copy holds", p, want)
	}
	if general, _ := full.GetCellValue(SheetSummary, "A4"); summary[4][0] != general {
		t.Errorf("A5 = %q, want the full workbook's paragraph %q", summary[4][0], general)
	}
	if a2 := summary[1][0]; !strings.Contains(a2, ", in the view for North.") {
		t.Errorf("A2 = %q, want it to name the view", a2)
	}
	labels := map[string][]string{}
	coverage := []string{}
	for _, r := range summary {
		if len(r) > 1 && r[0] != "" {
			labels[r[0]] = r[1:min(3, len(r))]
		}
		if len(r) > coverageColumn && r[coverageColumn-1] != "" && r[coverageColumn] != "" {
			coverage = append(coverage, r[coverageColumn-1])
		}
	}
	if diff := cmp.Diff([]string{"0", "of 8 in all: see Comments"}, labels["Comments"]); diff != "" {
		t.Errorf("Comments row (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Federation", "North", "City", "Rural", "South"}, coverage); diff != "" {
		t.Errorf("coverage column (-want +got):\n%s", diff)
	}

	heat := sheetRows(t, f, SheetFederation)
	if diff := cmp.Diff([]string{"Workstream", "All practices", "North", "City", "Rural", "South"}, heat[4][:6]); diff != "" {
		t.Errorf("By federation header (-want +got):\n%s", diff)
	}
	fullHeat := sheetRows(t, full, SheetFederation)
	if diff := cmp.Diff([]string{"Workstream", "All practices", "City", "North", "Rural", "South"}, fullHeat[4][:6]); diff != "" {
		t.Errorf("full By federation header (-want +got):\n%s", diff)
	}

	comments := sheetRows(t, f, SheetComments)
	if got := comments[len(comments)-1]; len(got) != 1 || got[0] != "No free-text comments have been received from the practices of North." {
		t.Errorf("Comments ends %q, want a line saying North's practices wrote none", got)
	}

	quality := sheetRows(t, f, SheetQuality)
	var problems []string
	listing := false
	for _, r := range quality {
		switch {
		case len(r) > 0 && r[0] == "Every problem, row by row":
			listing = true
		case listing && len(r) > 4 && r[0] != "File":
			problems = append(problems, r[0]+" "+r[1]+" "+r[4])
		}
	}
	if diff := cmp.Diff([]string{"late-returns.csv 3 ", "second-wave.csv 22 Banbury"}, problems); diff != "" {
		t.Errorf("problems listed (-want +got):\n%s", diff)
	}
	note := quality[len(quality)-1][0]
	if note != "1 more problem in the rows of other federations' respondents is counted in the table of files but not listed: "+
		"they show what those respondents answered, and this copy is the view for North." {
		t.Errorf("Data quality ends %q, want a line counting the problems left out", note)
	}
	for _, sheet := range f.GetSheetList() {
		for _, r := range sheetRows(t, f, sheet) {
			for _, c := range r {
				for _, secret := range append(fixtureComments, "Sometimes", "=1+1") {
					if strings.TrimSpace(secret) != "" && strings.Contains(c, strings.TrimSpace(secret)) {
						t.Errorf("%s shows %q, written by a respondent outside North", sheet, secret)
					}
				}
			}
		}
	}
}

// TestWorkbookFederationViewComments checks that the City view lists its
// practices' comments and not the one of a respondent matched to no
// practice.
func TestWorkbookFederationViewComments(t *testing.T) {
	fx := newFixture(t)
	f := writeAndOpen(t, viewInput(t, fx, "City"))
	rows := sheetRows(t, f, SheetComments)
	var got []string
	for _, r := range rows[commentsHeaderRow:] {
		if r[1] != "City" {
			t.Errorf("comment of federation %q in the City view: %q", r[1], r)
		}
		got = append(got, r[3])
	}
	if diff := cmp.Diff(fixtureComments, got); diff != "" {
		t.Errorf("City's comments (-want +got):\n%s", diff)
	}
	if !strings.Contains(rows[1][0], "Every free-text comment from respondents at the practices of City, as stored") {
		t.Errorf("Comments intro = %q", rows[1][0])
	}
}

func TestFederationSentence(t *testing.T) {
	r := sampleRanking()
	r.Segments = []survey.Segment{
		{Kind: survey.SegmentFederation, Name: "North", Cells: []survey.SegmentCell{
			{WorkstreamID: "online-consultation", PracticePriority: 0.5, Practices: 4},
			{WorkstreamID: "x", Practices: 2, Withheld: true},
			{WorkstreamID: "neg", PracticePriority: 0.75, Practices: 3},
			{WorkstreamID: "wifi", PracticePriority: 0.5, Practices: 3}}},
		{Kind: survey.SegmentFederation, Name: "Tiny", Cells: []survey.SegmentCell{
			{WorkstreamID: "online-consultation", Practices: 2, Withheld: true}}},
		{Kind: survey.SegmentRole, Name: "North", Cells: []survey.SegmentCell{
			{WorkstreamID: "x", PracticePriority: 1, Practices: 9}}},
	}
	in := WorkbookInput{Ranking: r, Coverage: []store.FederationCoverage{
		{Federation: "North", Practices: 5, Responding: 4, Respondents: 9},
		{Federation: "Tiny", Practices: 2, Responding: 2, Respondents: 2},
		{Federation: "Quiet", Practices: 3},
	}}
	tests := []struct{ name, want string }{
		{"North", "In North, 4 of its 5 practices answered (9 responses). Its practices put -5 (0.75), " +
			"Online consultation (0.50) and @Patient WiFi (0.50) first, by practice priority; across all practices they rank 3rd, 1st and 3rd."},
		{"Tiny", "In Tiny, both of its practices answered (2 responses), too few for its own priorities to be shown: " +
			"a workstream needs 3 of its practices behind it, so that no figure reveals one or two practices' answers."},
		{"Quiet", "In Quiet, 0 of its 3 practices answered, so it has no priorities of its own yet."},
		{"Nowhere", "Nowhere is not a federation of the practice registry, so none of its practices can be shown: " +
			"check the name in the leads file, or import the registry."},
	}
	for _, tt := range tests {
		if got := federationSentence(in, tt.name); got != tt.want {
			t.Errorf("federationSentence(%s):\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestViewSlug(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"North Oxfordshire"}, "north-oxfordshire"},
		{[]string{"City", "St Clement's & Iffley"}, "city+st-clement-s-iffley"},
		{[]string{"Ynys Môn"}, "ynys-môn"},
		{[]string{"<script>", "../.."}, "script"},
	}
	for _, tt := range tests {
		if got := ViewSlug(tt.in); got != tt.want {
			t.Errorf("ViewSlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := ordinal(1) + ordinal(2) + ordinal(3) + ordinal(4) + ordinal(11) + ordinal(12) + ordinal(21) + ordinal(112); got != "1st2nd3rd4th11th12th21st112th" {
		t.Errorf("ordinals = %q", got)
	}
}
