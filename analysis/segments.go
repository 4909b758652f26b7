package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// MinSegmentPractices is the fewest practices that must back a segment's
// cell for its practice priority to be shown; smaller cells are withheld,
// so that no cell reveals one or two practices' answers.
const MinSegmentPractices = 3

// NoFederation names the segment of practices that belong to no federation.
const NoFederation = "(no federation)"

// Role groups, in the order segments list them.
const (
	RoleGP              = "GP"
	RolePracticeManager = "Practice manager"
	RoleNurse           = "Nurse"
	RoleAdmin           = "Admin/reception"
	RoleOther           = "Other"
)

// RoleGroups lists the role groups in display order.
var RoleGroups = []string{RoleGP, RolePracticeManager, RoleNurse, RoleAdmin, RoleOther}

// roleRules are the keyword rules of [RoleGroup], tried in order; the
// first rule with a matching keyword wins. A keyword matches a whole word
// of the role, or a run of whole words for keywords with spaces; any
// character but a letter or digit separates words.
var roleRules = []struct {
	group    string
	keywords []string
}{
	// Management first: "Nurse manager" and "GP partner and practice
	// manager" answer for the running of the practice.
	{RolePracticeManager, []string{"manager", "management", "pm"}},
	// Nursing before GP: "Nurse practitioner" and "Nurse partner" are
	// nurses.
	{RoleNurse, []string{"nurse", "nurses", "nursing", "anp", "hca", "health care assistant",
		"healthcare assistant", "phlebotomist"}},
	{RoleGP, []string{"gp", "gps", "doctor", "dr", "general practitioner", "partner", "salaried",
		"registrar", "locum", "physician"}},
	{RoleAdmin, []string{"admin", "administrator", "administration", "administrative", "receptionist",
		"reception", "secretary", "clerk", "navigator",
		"coordinator", "co ordinator", "summariser", "typist", "office"}},
}

// RoleGroup classifies the free-text role a respondent typed into one of
// [RoleGroups], ignoring case and punctuation. The rules, tried in order,
// are: any of manager, management, PM → Practice manager; nurse, nursing,
// ANP, HCA, health(care) assistant, phlebotomist → Nurse; GP, doctor, Dr,
// general practitioner, partner, salaried, registrar, locum, physician →
// GP; admin(istrator), reception(ist), secretary, clerk, navigator,
// co(-)ordinator, summariser, typist, office → Admin/reception;
// anything else, including a blank role → Other.
func RoleGroup(role string) string {
	words := " " + strings.Join(roleWords(role), " ") + " "
	for _, r := range roleRules {
		for _, k := range r.keywords {
			if strings.Contains(words, " "+k+" ") {
				return r.group
			}
		}
	}
	return RoleOther
}

// roleWords splits role into lower-case words of letters and digits, so
// that "GP-partner" and "Dr." give "gp", "partner" and "dr".
func roleWords(role string) []string {
	return strings.FieldsFunc(strings.ToLower(role), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

// federationSegments returns the practice priority of every workstream
// within each federation, federations sorted by name.
func federationSegments(p *panel) []survey.Segment {
	var out []survey.Segment
	for _, rows := range federationRows(p) {
		name := p.practices[rows[0]].federation
		if name == "" {
			name = NoFederation
		}
		out = append(out, segment(survey.SegmentFederation, name, p.workstreams, p.priorities(rows)))
	}
	return out
}

// federationRows groups the panel's practice rows by federation, the
// federations sorted by name and the rows by practice code. Practices
// without a federation form one group of their own.
func federationRows(p *panel) [][]int {
	byFed := map[string][]int{}
	var names []string
	for i, pr := range p.practices {
		if _, ok := byFed[pr.federation]; !ok {
			names = append(names, pr.federation)
		}
		byFed[pr.federation] = append(byFed[pr.federation], i)
	}
	slices.Sort(names)
	out := make([][]int, len(names))
	for k, n := range names {
		out[k] = byFed[n]
	}
	return out
}

// segment builds a segment from per-workstream priorities, withholding
// cells backed by fewer than [MinSegmentPractices] practices.
func segment(kind, name string, ids []string, pri []priority) survey.Segment {
	s := survey.Segment{Kind: kind, Name: name, Cells: make([]survey.SegmentCell, len(ids))}
	for j, id := range ids {
		c := survey.SegmentCell{WorkstreamID: id, Practices: pri[j].practices}
		if c.Practices >= MinSegmentPractices {
			c.PracticePriority, c.Top2Share = pri[j].mean, pri[j].top2
		} else {
			c.Withheld = true
		}
		s.Cells[j] = c
	}
	return s
}

// RoleSegments returns the practice priority of every workstream of cat
// within each respondent role group, from per (practice, role text,
// workstream) sums. Role texts are classified with [RoleGroup]; within a
// practice and group every respondent's scored answer weighs the same (the
// group's practice mean is Σ sum / Σ scored over the practice's role texts
// in the group), and across practices each practice weighs its weight in
// weights, as in the overall practice priority; nil weights give each
// practice the same. Groups with no scored answer are left out. The order
// of scores does not matter.
func RoleSegments(cat *survey.Catalogue, scores []store.RoleScore, weights map[string]float64) []survey.Segment {
	type key struct {
		group, practice string
		ws              int
	}
	col := make(map[string]int, len(cat.Workstreams))
	for j, w := range cat.Workstreams {
		col[w.ID] = j
	}
	index := map[key]int{} // into keys and acc
	var keys []key
	var acc [][2]float64          // sum, scored
	groups := map[string]string{} // RoleGroup of each role text met
	for _, s := range scores {
		j, ok := col[s.Workstream]
		if !ok || s.Scored <= 0 {
			continue
		}
		g, ok := groups[s.Role]
		if !ok {
			g = RoleGroup(s.Role)
			groups[s.Role] = g
		}
		k := key{g, s.Practice, j}
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, k)
			acc = append(acc, [2]float64{})
		}
		acc[i][0] += s.Sum
		acc[i][1] += float64(s.Scored)
	}
	// Practices in code order, so each mean sums in a fixed order (the
	// order within a practice does not matter: each key is one cell).
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	byPractice := func(a, b int) int { return cmp.Compare(keys[a].practice, keys[b].practice) }
	if !slices.IsSortedFunc(order, byPractice) {
		slices.SortFunc(order, byPractice)
	}
	var out []survey.Segment
	for _, g := range RoleGroups {
		sum, wsum, top, n := make([]float64, len(col)), make([]float64, len(col)), make([]float64, len(col)), make([]int, len(col))
		for _, i := range order {
			k := keys[i]
			if k.group != g {
				continue
			}
			w := 1.0
			if weights != nil {
				w = weights[k.practice]
			}
			y := acc[i][0] / acc[i][1]
			sum[k.ws] += w * y
			wsum[k.ws] += w
			n[k.ws]++
			if y >= Top2Min-scoreEpsilon {
				top[k.ws] += w
			}
		}
		pri := make([]priority, len(col))
		answered := false
		for j := range pri {
			if n[j] > 0 && wsum[j] > 0 {
				pri[j] = priority{mean: sum[j] / wsum[j], top2: top[j] / wsum[j], practices: n[j]}
				answered = true
			}
		}
		if answered {
			out = append(out, segment(survey.SegmentRole, g, cat.IDs(), pri))
		}
	}
	return out
}
