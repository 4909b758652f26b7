package analysis

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/survey"
)

// graph builds a catalogue from "id: listed ids" pairs, in the order given.
func graph(lists map[string][]string, ids ...string) *survey.Catalogue {
	cat := &survey.Catalogue{}
	for _, id := range ids {
		cat.Workstreams = append(cat.Workstreams, survey.Workstream{ID: id, Name: "W " + id, Impact: 1, ConsideredWith: lists[id]})
	}
	return cat
}

func TestDeliveryOrder(t *testing.T) {
	vh, mand, hi, med := survey.TierVeryHigh, survey.TierMandated, survey.TierHigh, survey.TierMedium
	tests := []struct {
		name  string
		lists map[string][]string
		rows  []survey.RankedWorkstream
		want  []Bundle
	}{
		{
			name:  "a prerequisite comes first whatever its tier",
			lists: map[string][]string{"voip": {"network"}},
			rows:  []survey.RankedWorkstream{row("voip", vh, 0.9), row("network", med, 0.3)},
			want:  []Bundle{{Step: 1, Workstreams: []string{"network"}}, {Step: 2, Workstreams: []string{"voip"}, After: []int{1}}},
		},
		{
			name:  "a cycle is one bundle, best first",
			lists: map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"b"}},
			rows:  []survey.RankedWorkstream{row("a", med, 0.2), row("b", vh, 0.8), row("c", hi, 0.6), row("d", vh, 0.95)},
			want: []Bundle{
				{Step: 1, Workstreams: []string{"b", "c", "a"}},
				{Step: 2, Workstreams: []string{"d"}, After: []int{1}},
			},
		},
		{
			name:  "two-way listing is a cycle",
			lists: map[string][]string{"x": {"y"}, "y": {"x"}},
			rows:  []survey.RankedWorkstream{row("x", hi, 0.6), row("y", hi, 0.6)},
			want:  []Bundle{{Step: 1, Workstreams: []string{"x", "y"}}},
		},
		{
			name:  "self-loops, repeats and unknown workstreams are ignored",
			lists: map[string][]string{"a": {"a", "b", "b", "ghost"}},
			rows:  []survey.RankedWorkstream{row("a", vh, 0.9), row("b", med, 0.1)},
			want:  []Bundle{{Step: 1, Workstreams: []string{"b"}}, {Step: 2, Workstreams: []string{"a"}, After: []int{1}}},
		},
		{
			name: "disconnected workstreams in ranking order: tier, score, name",
			rows: []survey.RankedWorkstream{row("m", med, 0.45), row("h2", hi, 0.55), row("h1", hi, 0.55),
				row("o", mand, 0.2), row("v", vh, 0.71)},
			want: []Bundle{
				{Step: 1, Workstreams: []string{"v"}}, {Step: 2, Workstreams: []string{"o"}},
				{Step: 3, Workstreams: []string{"h1"}}, {Step: 4, Workstreams: []string{"h2"}},
				{Step: 5, Workstreams: []string{"m"}},
			},
		},
		{
			name:  "ready bundles go by their best member",
			lists: map[string][]string{"p": {"q"}, "q": {"p"}, "r": {"s"}},
			rows: []survey.RankedWorkstream{row("p", med, 0.3), row("q", hi, 0.51), row("r", vh, 0.9),
				row("s", hi, 0.52)},
			want: []Bundle{
				{Step: 1, Workstreams: []string{"s"}},
				{Step: 2, Workstreams: []string{"r"}, After: []int{1}},
				{Step: 3, Workstreams: []string{"q", "p"}},
			},
		},
		{
			name:  "a chain through bundles",
			lists: map[string][]string{"top": {"mid1"}, "mid1": {"mid2"}, "mid2": {"mid1", "base"}},
			rows:  []survey.RankedWorkstream{row("top", vh, 0.9), row("mid1", hi, 0.6), row("mid2", hi, 0.5), row("base", med, 0.1)},
			want: []Bundle{
				{Step: 1, Workstreams: []string{"base"}},
				{Step: 2, Workstreams: []string{"mid1", "mid2"}, After: []int{1}},
				{Step: 3, Workstreams: []string{"top"}, After: []int{2}},
			},
		},
		{
			name: "no workstreams",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			for _, r := range tt.rows {
				ids = append(ids, r.WorkstreamID)
			}
			got := DeliveryOrder(graph(tt.lists, ids...), tt.rows)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DeliveryOrder (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeliveryOrderIsAnOrder checks, on the roadmap's own catalogue and on
// shuffled inputs, that every bundle comes after the bundles it lists,
// that every workstream is placed once and that the input order does not
// matter.
func TestDeliveryOrderIsAnOrder(t *testing.T) {
	cat := survey.DefaultCatalogue()
	var rows []survey.RankedWorkstream
	rng := rand.New(rand.NewPCG(1, 2))
	for _, w := range cat.Workstreams {
		rows = append(rows, row(w.ID, survey.Tiers[rng.IntN(4)], rng.Float64()))
	}
	want := DeliveryOrder(cat, rows)
	stepOf := map[string]int{}
	for _, b := range want {
		for _, id := range b.Workstreams {
			if stepOf[id] != 0 {
				t.Errorf("%s placed twice", id)
			}
			stepOf[id] = b.Step
		}
	}
	if len(stepOf) != len(cat.Workstreams) {
		t.Errorf("placed %d workstreams, want %d", len(stepOf), len(cat.Workstreams))
	}
	for _, w := range cat.Workstreams {
		for _, o := range w.ConsideredWith {
			if stepOf[o] > stepOf[w.ID] {
				t.Errorf("%s (step %d) lists %s, placed later at step %d", w.ID, stepOf[w.ID], o, stepOf[o])
			}
		}
	}
	for i := range 20 {
		shuffled := slices.Clone(rows)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		c := *cat
		c.Workstreams = slices.Clone(cat.Workstreams)
		rng.Shuffle(len(c.Workstreams), func(a, b int) { c.Workstreams[a], c.Workstreams[b] = c.Workstreams[b], c.Workstreams[a] })
		if diff := cmp.Diff(want, DeliveryOrder(&c, shuffled)); diff != "" {
			t.Fatalf("shuffle %d changed the order (-want +got):\n%s", i, diff)
		}
	}
}

// TestDeliveryOrderRoadmap pins the order of the published roadmap's
// catalogue under the roadmap's own tiers: the seven infrastructure
// workstreams that list one another form the first bundle.
func TestDeliveryOrderRoadmap(t *testing.T) {
	cat := survey.DefaultCatalogue()
	var rows []survey.RankedWorkstream
	for i, w := range cat.Workstreams {
		rows = append(rows, row(w.ID, w.DocTier, 1-float64(i)/100))
	}
	got := DeliveryOrder(cat, rows)
	first := slices.Clone(got[0].Workstreams)
	slices.Sort(first)
	want := []string{"clinical-software", "computer-speeds", "cyber-security", "desktop", "mobile-working", "network-speeds", "telephony"}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first bundle (-want +got):\n%s", diff)
	}
	if got[1].Workstreams[0] != "record-sharing" {
		t.Errorf("second step = %v, want record-sharing, the best workstream ready once the first bundle is placed", got[1].Workstreams)
	}
}

func TestConsideredBy(t *testing.T) {
	cat := graph(map[string][]string{"a": {"b", "c"}, "b": {"c", "b"}, "c": nil}, "a", "b", "c")
	want := map[string][]string{"b": {"a"}, "c": {"a", "b"}}
	if diff := cmp.Diff(want, ConsideredBy(cat)); diff != "" {
		t.Errorf("ConsideredBy (-want +got):\n%s", diff)
	}
}
