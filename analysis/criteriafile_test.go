package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

func writeCriteria(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadCriteria(t *testing.T) {
	tests := []struct {
		name, file, body string
	}{
		{"csv", "criteria.csv", "workstream,mandated,gpfv,impact,considered_with\n" +
			"printing,yes,no,5,cyber-security;wifi\n" +
			"wifi,,, 1,\n"},
		{"csv with id and fewer columns, in another order", "criteria.CSV", "Impact,ID,Mandated,considered_with\n" +
			"5,printing,Y,cyber-security; wifi\n" +
			"1,wifi,,\n"},
		{"yaml under workstreams", "criteria.yaml", "workstreams:\n" +
			"  - id: printing\n    mandated: yes\n    gpfv: no\n    impact: 5\n    considered_with: [cyber-security, wifi]\n" +
			"  - {id: wifi, impact: 1}\n"},
		{"yaml list", "criteria.yml", "- {workstream: printing, mandated: true, impact: 5, considered_with: [cyber-security, wifi]}\n" +
			"- {id: wifi, impact: 1}\n"},
	}
	cat := mustCatalogue(t, exampleCatalogue)
	want := mustCatalogue(t, exampleCatalogue)
	want.Workstreams[1].Mandated, want.Workstreams[1].Impact = true, 5
	want.Workstreams[1].ConsideredWith = []string{"cyber-security", "wifi"}
	want.Workstreams[2].Impact = 1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadCriteria(writeCriteria(t, tt.file, tt.body), cat)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("catalogue (-want +got):\n%s", diff)
			}
		})
	}
	if cat.Workstreams[1].Impact != 4 {
		t.Errorf("LoadCriteria changed the catalogue it was given")
	}
}

func TestLoadCriteriaErrors(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"unknown workstream", "c.csv", "workstream,impact\nprinting,3\nteleportation,5\n",
			`c.csv:3: unknown workstream "teleportation"`},
		{"unknown considered_with", "c.csv", "workstream,considered_with\nprinting,wifi;warp-drive\n",
			`c.csv:2: workstream "printing": considered_with names unknown workstream "warp-drive"`},
		{"impact out of range", "c.csv", "workstream,impact\nprinting,6\n", `c.csv:2: impact "6": want a whole number from 1 to 5`},
		{"not yes or no", "c.csv", "workstream,gpfv\nprinting,maybe\n", `c.csv:2: gpfv: "maybe": want yes or no`},
		{"unknown column", "c.csv", "workstream,cost\n", `c.csv:1: unknown column "cost"`},
		{"no workstream column", "c.csv", "impact\n3\n", `c.csv:1: no workstream column`},
		{"empty workstream", "c.csv", "workstream,impact\n,3\n", `c.csv:2: empty workstream`},
		{"listed twice", "c.csv", "workstream,impact\nprinting,3\nwifi,2\nprinting,4\n",
			`c.csv:4: workstream "printing" already given on line 2`},
		{"considered with itself", "c.csv", "workstream,considered_with\nprinting,printing\n", `considered_with names itself`},
		{"yaml unknown workstream", "c.yaml", "- {id: wifi, impact: 2}\n- {id: nope}\n", `c.yaml:2: unknown workstream "nope"`},
		{"yaml unknown key", "c.yaml", "- id: wifi\n  cost: 3\n", `c.yaml:2: unknown key "cost"`},
		{"yaml bad impact", "c.yaml", "workstreams:\n  - id: wifi\n    impact: high\n", `c.yaml:3: impact "high"`},
		{"yaml without id", "c.yaml", "- {impact: 2}\n", `c.yaml:1: entry without id`},
		{"yaml not a list", "c.yaml", "wifi: 2\n", `c.yaml:1: want a list`},
		{"extension", "c.txt", "", `unknown extension ".txt"`},
	}
	cat := mustCatalogue(t, exampleCatalogue)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCriteria(writeCriteria(t, tt.file, tt.body), cat)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestCriteriaChangeRanking checks that overridden criteria reach the
// score: printing made mandated moves to the mandated tier.
func TestCriteriaChangeRanking(t *testing.T) {
	cat, err := LoadCriteria(writeCriteria(t, "c.csv", "workstream,mandated\nprinting,yes\n"), mustCatalogue(t, exampleCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions()
	opts.Criteria = "c.csv"
	r, err := Compute(cat, aggregate(exampleResponses), store.Totals{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w := rowByID(t, r, "printing"); w.Tier != survey.TierMandated || !w.Mandated {
		t.Errorf("printing: tier %q, mandated %v; want the mandated tier", w.Tier, w.Mandated)
	}
	if r.Params.Criteria != "c.csv" {
		t.Errorf("params criteria = %q, want c.csv", r.Params.Criteria)
	}
}
