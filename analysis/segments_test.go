package analysis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

func TestRoleGroup(t *testing.T) {
	tests := []struct {
		role, want string
	}{
		{"GP", RoleGP},
		{"gp partner", RoleGP},
		{"Salaried GP", RoleGP},
		{"Dr.", RoleGP},
		{"GP Registrar (ST3)", RoleGP},
		{"Locum", RoleGP},
		{"GP-partner", RoleGP},
		{"Partner", RoleGP},
		{"Practice Manager", RolePracticeManager},
		{"practice manager", RolePracticeManager},
		{"Deputy Practice Manager", RolePracticeManager},
		{"Business manager", RolePracticeManager},
		{"PM", RolePracticeManager},
		{"GP partner and practice manager", RolePracticeManager},
		{"Nurse manager", RolePracticeManager},
		{"Practice Nurse", RoleNurse},
		{"Nurse Practitioner", RoleNurse},
		{"ANP", RoleNurse},
		{"HCA", RoleNurse},
		{"Healthcare Assistant", RoleNurse},
		{"Receptionist", RoleAdmin},
		{"Reception team", RoleAdmin},
		{"Admin", RoleAdmin},
		{"Medical Secretary", RoleAdmin},
		{"Care Navigator", RoleAdmin},
		{"Co-ordinator", RoleAdmin},
		{"Pharmacist", RoleOther},
		{"Paramedic", RoleOther},
		{"", RoleOther},
		// Whole words only: "drive" is not "dr", "gpfv" is not "gp".
		{"IT driver", RoleOther},
		{"GPFV lead", RoleOther},
	}
	for _, tt := range tests {
		if got := RoleGroup(tt.role); got != tt.want {
			t.Errorf("RoleGroup(%q) = %q, want %q", tt.role, got, tt.want)
		}
	}
}

// TestRoleSegments checks role segments on a hand-worked example.
// K1 has two GPs, who typed their roles differently, and a practice
// manager; K2 and K3 one GP each.
//
//	GP, K1: (1 + 0.75 + 0.5) / 3 = 0.75 (each respondent equal)
//	GP:     (0.75 + 1 + 0.5) / 3 = 0.75, top-two 2/3, 3 practices
//	Practice manager: 1 practice, withheld
func TestRoleSegments(t *testing.T) {
	cat := mustCatalogue(t, exampleCatalogue)
	scores := []store.RoleScore{
		{Practice: "K1", Role: "GP partner", Workstream: "cyber-security", Sum: 1.75, Scored: 2, Respondents: 2},
		{Practice: "K1", Role: "Salaried GP", Workstream: "cyber-security", Sum: 0.5, Scored: 1, Respondents: 1},
		{Practice: "K1", Role: "Practice Manager", Workstream: "cyber-security", Sum: 0.25, Scored: 1, Respondents: 1},
		{Practice: "K2", Role: "gp", Workstream: "cyber-security", Sum: 1, Scored: 1, Respondents: 1},
		{Practice: "K3", Role: "Dr", Workstream: "cyber-security", Sum: 0.5, Scored: 1, Respondents: 1},
		{Practice: "K3", Role: "Dr", Workstream: "printing", Respondents: 1}, // Don't know
		{Practice: "K3", Role: "Dr", Workstream: "retired", Sum: 1, Scored: 1, Respondents: 1},
	}
	withheld := func(id string, n int) survey.SegmentCell {
		return survey.SegmentCell{WorkstreamID: id, Practices: n, Withheld: true}
	}
	want := []survey.Segment{
		{Kind: survey.SegmentRole, Name: RoleGP, Cells: []survey.SegmentCell{
			{WorkstreamID: "cyber-security", PracticePriority: 0.75, Top2Share: 2.0 / 3, Practices: 3},
			withheld("printing", 0), withheld("wifi", 0), withheld("patient-online", 0)}},
		{Kind: survey.SegmentRole, Name: RolePracticeManager, Cells: []survey.SegmentCell{
			withheld("cyber-security", 1), withheld("printing", 0), withheld("wifi", 0), withheld("patient-online", 0)}},
	}
	got := RoleSegments(cat, scores, nil)
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("role segments (-want +got):\n%s", diff)
	}
	// Input order does not matter.
	rev := make([]store.RoleScore, len(scores))
	for i, s := range scores {
		rev[len(scores)-1-i] = s
	}
	if diff := cmp.Diff(got, RoleSegments(cat, rev, nil)); diff != "" {
		t.Errorf("role segments depend on input order (-forward +reversed):\n%s", diff)
	}
	// Weighted by list size: K1 1,000 patients (mean 0.75), K2 3,000 (1),
	// K3 1,000 (0.5): (750 + 3000 + 500) / 5000 = 0.85, and the top-two
	// share is K1 and K2's weight, 4000 / 5000.
	weighted := RoleSegments(cat, scores, map[string]float64{"K1": 1000, "K2": 3000, "K3": 1000})
	want[0].Cells[0] = survey.SegmentCell{WorkstreamID: "cyber-security", PracticePriority: 0.85, Top2Share: 0.8, Practices: 3}
	if diff := cmp.Diff(want, weighted, approx); diff != "" {
		t.Errorf("role segments weighted by list size (-want +got):\n%s", diff)
	}
}

// TestFederationSegments: North has three practices (cyber security 1,
// 0.75, 0.5: P = 0.75, top-two 2/3), City two (withheld).
func TestFederationSegments(t *testing.T) {
	fed := func(code, f string, y float64) store.PracticeScore {
		s := ps(code, "cyber-security", y, 1)
		s.Federation = f
		return s
	}
	cat := mustCatalogue(t, exampleCatalogue)
	r, err := Compute(cat, []store.PracticeScore{
		fed("K1", "North", 1), fed("K2", "North", 0.75), fed("K3", "North", 0.5),
		fed("K4", "City", 1), fed("K5", "City", 1),
	}, store.Totals{}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Segments) != 2 || r.Segments[0].Name != "City" || r.Segments[1].Name != "North" {
		t.Fatalf("segments = %+v, want City and North", r.Segments)
	}
	if c := r.Segments[0].Cells[0]; !c.Withheld || c.Practices != 2 || c.PracticePriority != 0 {
		t.Errorf("City cyber security = %+v, want withheld with 2 practices", c)
	}
	want := survey.SegmentCell{WorkstreamID: "cyber-security", PracticePriority: 0.75, Top2Share: 2.0 / 3, Practices: 3}
	if diff := cmp.Diff(want, r.Segments[1].Cells[0], approx); diff != "" {
		t.Errorf("North cyber security (-want +got):\n%s", diff)
	}
}

// TestAddingTopRatingNeverLowersPriority is a property test over random
// panels: adding a practice that rates workstream X at the top of the scale
// (Very high, 1) and the others lower never lowers X's practice priority.
// (A practice whose highest rating is below the top could: its mean for X
// may lie below the current P.)
func TestAddingTopRatingNeverLowersPriority(t *testing.T) {
	cat := survey.DefaultCatalogue()
	ids := cat.IDs()
	rng := rand.New(rand.NewPCG(5, 6))
	for draw := range 300 {
		var scores []store.PracticeScore
		for i := range 1 + rng.IntN(20) {
			for _, id := range ids {
				if rng.IntN(5) > 0 {
					scores = append(scores, ps(fmt.Sprintf("K%03d", i), id, float64(rng.IntN(5))/4, 1))
				}
			}
		}
		x := ids[rng.IntN(len(ids))]
		before, err := newPanel(ids, scores)
		if err != nil {
			t.Fatal(err)
		}
		// The new practice rates X Very high and everything else lower.
		added := append(scores, ps("K999", x, 1, 1))
		for _, id := range ids {
			if id != x {
				added = append(added, ps("K999", id, float64(rng.IntN(4))/4, 1))
			}
		}
		after, err := newPanel(ids, added)
		if err != nil {
			t.Fatal(err)
		}
		j := slices.Index(ids, x)
		if b, a := before.priorities(nil)[j].mean, after.priorities(nil)[j].mean; a < b-1e-12 {
			t.Fatalf("draw %d: %s priority fell from %v to %v", draw, x, b, a)
		}
	}
}
