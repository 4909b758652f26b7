package analysis

import (
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// levels maps the fixtures' answer codes to scores; "DK" (Don't know) is
// missing.
var levels = map[string]float64{"VH": 1, "H": 0.75, "M": 0.5, "L": 0.25, "N": 0}

// response is one respondent of a fixture: answer codes by workstream ID.
type response struct {
	practice   string // ODS code; "" when unmatched
	federation string
	answers    map[string]string
	role       string // as typed
}

// aggregate does in Go what [store.Store.PracticeScores] does in SQL: the
// mean of each practice's scored answers per workstream. Unmatched
// respondents are left out.
func aggregate(rs []response) []store.PracticeScore {
	type key struct{ practice, workstream string }
	acc := map[key]*store.PracticeScore{}
	var keys []key
	for _, r := range rs {
		if r.practice == "" {
			continue
		}
		for ws, code := range r.answers {
			k := key{r.practice, ws}
			s := acc[k]
			if s == nil {
				s = &store.PracticeScore{Practice: r.practice, Federation: r.federation, Workstream: ws}
				acc[k] = s
				keys = append(keys, k)
			}
			s.Respondents++
			if v, ok := levels[code]; ok {
				s.Mean += v
				s.Scored++
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return strings.Compare(a.practice+"\x00"+a.workstream, b.practice+"\x00"+b.workstream)
	})
	out := make([]store.PracticeScore, len(keys))
	for i, k := range keys {
		out[i] = *acc[k]
		if out[i].Scored > 0 {
			out[i].Mean /= float64(out[i].Scored)
		}
	}
	return out
}

// exampleCatalogue is the catalogue of the worked example in docs/METHOD.md.
const exampleCatalogue = `workstreams:
  - {id: cyber-security, name: Cyber Security, impact: 5, gpfv: true}
  - {id: printing, name: Improving Printing, impact: 4, considered_with: [cyber-security]}
  - {id: wifi, name: Wifi, impact: 2, gpfv: true, mandated: true, considered_with: [cyber-security]}
  - {id: patient-online, name: Patient Online, impact: 3, gpfv: true, mandated: true, considered_with: [wifi]}
`

// exampleResponses are the respondents of the worked example: practice
// K84001 has two, K84003 does not know about printing, and the last
// respondent's practice was not matched.
var exampleResponses = []response{
	{"K84001", "North", map[string]string{"cyber-security": "VH", "printing": "H", "wifi": "M"}, "GP Partner"},
	{"K84001", "North", map[string]string{"cyber-security": "H", "printing": "VH", "wifi": "L"}, "Practice Manager"},
	{"K84002", "City", map[string]string{"cyber-security": "VH", "printing": "M", "wifi": "H"}, "Salaried GP"},
	{"K84003", "City", map[string]string{"cyber-security": "H", "printing": "DK", "wifi": "M"}, "gp"},
	{"", "", map[string]string{"cyber-security": "N", "printing": "N", "wifi": "N"}, "Receptionist"},
}

func mustCatalogue(t *testing.T, yaml string) *survey.Catalogue {
	t.Helper()
	c, err := survey.ParseCatalogue(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roadmapRoles are the roles given to the roadmap survey's respondents in
// turn, as typed, so that the role segments have groups of several sizes.
var roadmapRoles = []string{"GP partner", "Practice Manager", "Receptionist", "Senior practice nurse", "Salaried GP"}

// roleScores does in Go what [store.Store.RoleScores] does in SQL.
func roleScores(rs []response) []store.RoleScore {
	type key struct{ practice, role, workstream string }
	acc := map[key]*store.RoleScore{}
	for _, r := range rs {
		if r.practice == "" {
			continue
		}
		for ws, code := range r.answers {
			k := key{r.practice, strings.TrimSpace(r.role), ws}
			s := acc[k]
			if s == nil {
				s = &store.RoleScore{Practice: k.practice, Role: k.role, Workstream: ws}
				acc[k] = s
			}
			s.Respondents++
			if v, ok := levels[code]; ok {
				s.Sum += v
				s.Scored++
			}
		}
	}
	var out []store.RoleScore
	for _, s := range acc {
		out = append(out, *s)
	}
	return out
}

// readRoadmapSurvey reads testdata/roadmap_survey.csv (see testdata/README.md)
// into respondents.
func readRoadmapSurvey(t *testing.T) []response {
	t.Helper()
	f, err := os.Open("testdata/roadmap_survey.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byPractice := map[string][]response{}
	var order []string
	for _, rec := range recs[1:] {
		for col, cell := range rec[1:] {
			code, fed, _ := strings.Cut(recs[0][col+1], ":")
			if _, ok := byPractice[code]; !ok {
				order = append(order, code)
			}
			for k, ans := range strings.Split(cell, "/") {
				if _, ok := levels[ans]; !ok && ans != "DK" {
					t.Fatalf("%s, %s: unknown answer %q", rec[0], code, ans)
				}
				if k == len(byPractice[code]) {
					role := roadmapRoles[(len(order)+k)%len(roadmapRoles)]
					byPractice[code] = append(byPractice[code], response{code, fed, map[string]string{}, role})
				}
				byPractice[code][k].answers[rec[0]] = ans
			}
		}
	}
	var out []response
	for _, code := range order {
		out = append(out, byPractice[code]...)
	}
	return out
}
