package analysis

import (
	"slices"

	"github.com/surveyworker/surveyworker/survey"
)

// A Bundle is one step of a delivery order: the workstreams that are
// delivered together. A workstream that is on no cycle of the
// considered-with graph is a bundle of its own; the workstreams of a cycle
// (each reachable from every other by following "must be considered with")
// form one bundle, since none of them can be finished before the others.
type Bundle struct {
	// Step is the bundle's place in the order, from 1.
	Step int
	// Workstreams are the bundle's workstream IDs, best first (tier, then
	// score, then name, as the ranking orders them).
	Workstreams []string
	// After are the steps of the bundles this one must be considered
	// with, in increasing order; every one of them comes earlier.
	After []int
}

// DeliveryOrder suggests an order in which to deliver the ranked
// workstreams rows, given the catalogue's "considered with" lists: a
// workstream that lists another must be considered with it, so the one it
// lists comes first.
//
// The order is a topological order of the considered-with graph with each
// strongly connected component (found with Tarjan's algorithm) collapsed
// into a [Bundle]. Among the bundles whose prerequisites are all placed,
// the next is the one whose best workstream ranks best: by tier, then by
// score, then by name and ID. Listings of unknown workstreams, of a
// workstream by itself and repeated listings are ignored; workstreams of
// rows that are not in cat have no listings. The result is the same
// whatever the order of rows and of the catalogue.
func DeliveryOrder(cat *survey.Catalogue, rows []survey.RankedWorkstream) []Bundle {
	g := newDeliveryGraph(cat, rows)
	comps := g.components()
	return g.order(comps)
}

// deliveryGraph is the considered-with graph over the ranked workstreams,
// nodes in ranking order (best first).
type deliveryGraph struct {
	rows  []survey.RankedWorkstream
	edges [][]int // node → the nodes it must be considered with
}

func newDeliveryGraph(cat *survey.Catalogue, rows []survey.RankedWorkstream) *deliveryGraph {
	g := &deliveryGraph{rows: slices.Clone(rows)}
	slices.SortStableFunc(g.rows, compareRows)
	index := make(map[string]int, len(g.rows))
	for i, r := range g.rows {
		index[r.WorkstreamID] = i
	}
	g.edges = make([][]int, len(g.rows))
	if cat == nil {
		return g
	}
	for _, w := range cat.Workstreams {
		from, ok := index[w.ID]
		if !ok {
			continue
		}
		for _, id := range w.ConsideredWith {
			to, ok := index[id]
			if ok && to != from && !slices.Contains(g.edges[from], to) {
				g.edges[from] = append(g.edges[from], to)
			}
		}
		slices.Sort(g.edges[from])
	}
	return g
}

// components returns the strongly connected components of g (Tarjan's
// algorithm), as a component number per node. Components are numbered in
// the order Tarjan completes them: every edge leads to a component of the
// same or a smaller number.
func (g *deliveryGraph) components() []int {
	n := len(g.rows)
	t := tarjan{g: g, index: make([]int, n), low: make([]int, n), onStack: make([]bool, n), comp: make([]int, n)}
	for i := range t.index {
		t.index[i] = -1
	}
	for v := range n {
		if t.index[v] < 0 {
			t.visit(v)
		}
	}
	return t.comp
}

type tarjan struct {
	g           *deliveryGraph
	next, comps int
	index, low  []int
	onStack     []bool
	stack       []int
	comp        []int
}

// visit is Tarjan's depth-first search from v. The recursion is as deep as
// the longest path of the graph: a catalogue has tens of workstreams.
func (t *tarjan) visit(v int) {
	t.index[v], t.low[v] = t.next, t.next
	t.next++
	t.stack = append(t.stack, v)
	t.onStack[v] = true
	for _, w := range t.g.edges[v] {
		switch {
		case t.index[w] < 0:
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		case t.onStack[w]:
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] != t.index[v] {
		return
	}
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[w] = false
		t.comp[w] = t.comps
		if w == v {
			break
		}
	}
	t.comps++
}

// order places the components of g: repeatedly the best ready component,
// one whose prerequisites are all placed. A component's rank is that of
// its best node, and nodes are numbered in ranking order, so the best
// ready component is the one with the smallest first node.
func (g *deliveryGraph) order(comp []int) []Bundle {
	count := 0
	for _, c := range comp {
		count = max(count, c+1)
	}
	members := make([][]int, count)
	for v, c := range comp {
		members[c] = append(members[c], v) // in node order: best first
	}
	needs := make([][]int, count) // component → the components it lists
	waiting := make([]int, count) // prerequisites not yet placed
	for v, ws := range g.edges {
		for _, w := range ws {
			a, b := comp[v], comp[w]
			if a != b && !slices.Contains(needs[a], b) {
				needs[a] = append(needs[a], b)
				waiting[a]++
			}
		}
	}
	step := make([]int, count)
	var out []Bundle
	for len(out) < count {
		next := -1
		for c := range count {
			if step[c] == 0 && waiting[c] == 0 && (next < 0 || members[c][0] < members[next][0]) {
				next = c
			}
		}
		out = append(out, g.bundle(len(out)+1, members[next], needs[next], step))
		step[next] = len(out)
		for c := range count {
			if slices.Contains(needs[c], next) {
				waiting[c]--
			}
		}
	}
	return out
}

// bundle describes the component of nodes, placed at step s, given the
// components it needs and the steps placed so far.
func (g *deliveryGraph) bundle(s int, nodes, needs []int, step []int) Bundle {
	b := Bundle{Step: s}
	for _, v := range nodes {
		b.Workstreams = append(b.Workstreams, g.rows[v].WorkstreamID)
	}
	for _, c := range needs {
		b.After = append(b.After, step[c])
	}
	slices.Sort(b.After)
	return b
}

// ConsideredBy returns, for each workstream ID of cat, the IDs of the
// other workstreams that list it as "considered with", in catalogue
// order: the other direction of [survey.Workstream.ConsideredWith].
func ConsideredBy(cat *survey.Catalogue) map[string][]string {
	out := make(map[string][]string, len(cat.Workstreams))
	for _, w := range cat.Workstreams {
		for _, o := range w.ConsideredWith {
			if o != w.ID && !slices.Contains(out[o], w.ID) {
				out[o] = append(out[o], w.ID)
			}
		}
	}
	return out
}
