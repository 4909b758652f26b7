package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// totalsModel keeps, in Go, the respondents a database holds after loads,
// forgets and re-matches, as [store.Store.LoadFile] documents them, and
// computes from them what the ranking should read, exactly: each sum is
// a big.Rat of the scores' shortest decimals, rounded to a double once.
type totalsModel struct {
	files map[string][]modelRow // kept rows by file name
	order []string
	// registry gives the practices' federations and list sizes.
	registry map[string]survey.Practice
}

// modelRow is one respondent of the model.
type modelRow struct {
	key, practice, text, role string
	answers                   []store.Answer
}

// load applies LoadFile's rules: a row whose key is stored for another
// file, or earlier in this one, is not kept.
func (m *totalsModel) load(name string, rows []modelRow) {
	seen := map[string]bool{}
	for _, rs := range m.files {
		for _, r := range rs {
			seen[r.key] = true
		}
	}
	var kept []modelRow
	for _, r := range rows {
		if !seen[r.key] {
			seen[r.key] = true
			kept = append(kept, r)
		}
	}
	m.files[name] = kept
	m.order = append(m.order, name)
}

func (m *totalsModel) forget(name string) {
	delete(m.files, name)
	m.order = slices.DeleteFunc(m.order, func(n string) bool { return n == name })
}

func (m *totalsModel) rematch(text, code string) {
	for _, rs := range m.files {
		for i := range rs {
			if rs[i].practice == "" && rs[i].text == text {
				rs[i].practice = code
			}
		}
	}
}

// inputs returns the ranking inputs the model's respondents give.
func (m *totalsModel) inputs(workstreams []string) store.RankingInputs {
	var answers []store.StoredAnswer
	var totals store.Totals
	practices := map[string]bool{}
	for _, name := range m.order {
		for _, r := range m.files[name] {
			totals.Respondents++
			if r.practice == "" {
				continue
			}
			practices[r.practice] = true
			for j, a := range r.answers {
				if a.Raw == "" {
					continue
				}
				sa := store.StoredAnswer{Practice: r.practice, Role: strings.TrimSpace(r.role), Workstream: workstreams[j]}
				if a.Scored {
					sa.Score = &a.Score
				}
				answers = append(answers, sa)
			}
		}
	}
	totals.Practices, totals.Files = len(practices), len(m.order)
	return exactInputs(answers, m.registry, totals)
}

// exactInputs aggregates answers as the ranking reads them, exactly: each
// sum is a big.Rat of the scores' shortest decimals, rounded to a double
// once, and a mean is that double divided by the count. registry gives
// the practices' federations and list sizes.
func exactInputs(answers []store.StoredAnswer, registry map[string]survey.Practice, totals store.Totals) store.RankingInputs {
	type cell struct {
		sum              *big.Rat
		scored, answered int
	}
	type pkey struct{ practice, ws string }
	type rkey struct{ practice, role, ws string }
	pcells, rcells := map[pkey]*cell{}, map[rkey]*cell{}
	add := func(c *cell, score *float64) *cell {
		if c == nil {
			c = &cell{sum: new(big.Rat)}
		}
		c.answered++
		if score != nil {
			d, ok := new(big.Rat).SetString(strconv.FormatFloat(*score, 'g', -1, 64))
			if !ok {
				panic(*score)
			}
			c.sum.Add(c.sum, d)
			c.scored++
		}
		return c
	}
	for _, a := range answers {
		pk := pkey{a.Practice, a.Workstream}
		rk := rkey{a.Practice, a.Role, a.Workstream}
		pcells[pk] = add(pcells[pk], a.Score)
		rcells[rk] = add(rcells[rk], a.Score)
	}
	in := store.RankingInputs{Totals: totals}
	for k, c := range pcells {
		s := store.PracticeScore{Practice: k.practice, Federation: registry[k.practice].Federation,
			ListSize: registry[k.practice].ListSize, Workstream: k.ws, Scored: c.scored, Respondents: c.answered}
		if c.scored > 0 {
			sum, _ := c.sum.Float64()
			s.Mean = sum / float64(c.scored)
		}
		in.Scores = append(in.Scores, s)
	}
	for k, c := range rcells {
		sum, _ := c.sum.Float64()
		in.Roles = append(in.Roles, store.RoleScore{Practice: k.practice, Role: k.role, Workstream: k.ws,
			Sum: sum, Scored: c.scored, Respondents: c.answered})
	}
	slices.SortFunc(in.Scores, func(a, b store.PracticeScore) int {
		return strings.Compare(a.Practice+"\x00"+a.Workstream, b.Practice+"\x00"+b.Workstream)
	})
	slices.SortFunc(in.Roles, func(a, b store.RoleScore) int {
		return strings.Compare(a.Practice+"\x00"+a.Role+"\x00"+a.Workstream, b.Practice+"\x00"+b.Role+"\x00"+b.Workstream)
	})
	return in
}

// bitsEqual compares doubles by their bits, so that a difference in the
// last place is a difference.
var bitsEqual = cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })

// checkTotals checks the survey totals every way a ranking reads them
// against the model, to the bit, and against a recomputation from the
// stored answers.
func checkTotals(t *testing.T, st *store.Store, m *totalsModel, workstreams []string, step string) {
	t.Helper()
	ctx := context.Background()
	want := m.inputs(workstreams)
	got, err := st.RankingInputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, bitsEqual); d != "" {
		t.Errorf("%s: ranking inputs (-model +store):\n%s", step, d)
	}
	scores, err := st.PracticeScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := st.RoleScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	totals, err := st.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got, store.RankingInputs{Scores: scores, Roles: roles, Totals: totals}, bitsEqual); d != "" {
		t.Errorf("%s: RankingInputs and the three queries differ (-RankingInputs +queries):\n%s", step, d)
	}
	check, err := st.RecomputeTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !check.Equal() {
		t.Errorf("%s: recomputing the totals from the answers changed them: %+v", step, check)
	}
}

// awkwardScores are scores whose double sums depend on the order of
// addition: tenths, ninths, thirds and Borda points.
var awkwardScores = []float64{0.7, 0.1, 0.2, 0.3, 1.0 / 9, 2.0 / 3, 1.0 / 3, 0.6, 4.0 / 7, 0.9, 1, 0, 0.25}

// TestTotalsFollowLoadsForgetsAndRematches loads files whose scores do
// not add up exactly in double precision, a re-export repeating earlier
// respondents, a file repeating a row, forgets a file and re-matches an
// answer, and after each step checks the ranking's inputs against an
// exact model, and the stored totals against a recomputation from the
// answers (Store.RecomputeTotals, as rank --recompute runs it).
//
// It runs twice: with the totals accumulated while the rows are copied,
// and with them computed by PostgreSQL from the rows kept, which a load
// does when a file's totals would take too much memory.
//
// A third run uses a database whose sessions print doubles with 15
// digits (extra_float_digits = 0, as a role or database may set it, and
// as PostgreSQL before 12 did): every statement that sums scores as text
// must set its own precision.
func TestTotalsFollowLoadsForgetsAndRematches(t *testing.T) {
	t.Run("accumulated", func(t *testing.T) { testTotalsFollow(t, storetest.NewStore(t)) })
	t.Run("computed-in-postgresql", func(t *testing.T) {
		defer store.SetMaxTotalsBytes(0)()
		testTotalsFollow(t, storetest.NewStore(t))
	})
	t.Run("fifteen-digit-sessions", func(t *testing.T) {
		url := storetest.URL(t)
		db := sqlx.MustConnect("postgres", url)
		var name string
		if err := db.Get(&name, `SELECT current_database()`); err != nil {
			t.Fatal(err)
		}
		db.MustExec(`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` SET extra_float_digits = 0`)
		db.Close()
		testTotalsFollow(t, storetest.Open(t, url))
	})
}

func testTotalsFollow(t *testing.T, st *store.Store) {
	ctx := context.Background()
	if _, err := st.UpsertPractices(ctx, []survey.Practice{
		{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North", ListSize: 9000},
		{ODSCode: "K84002", Name: "Isis"},
		{ODSCode: "K84003", Name: "Jericho"},
	}); err != nil {
		t.Fatal(err)
	}
	ws := []string{"wifi", "telephony", "cyber-security"}
	rnd := rand.New(rand.NewPCG(1, 2))
	gen := func(prefix string, n int) []modelRow {
		var out []modelRow
		practices := []string{"K84001", "K84002", "", "K84003"}
		roles := []string{"GP partner", " GP partner ", "Practice Manager", ""}
		for i := range n {
			r := modelRow{key: fmt.Sprintf("%s-%d", prefix, i), practice: practices[rnd.IntN(len(practices))],
				role: roles[rnd.IntN(len(roles))]}
			if r.practice == "" {
				r.text = []string{"Jerico", "Nowhere"}[rnd.IntN(2)]
			}
			for range ws {
				switch k := rnd.IntN(len(awkwardScores) + 2); {
				case k == len(awkwardScores):
					r.answers = append(r.answers, store.Answer{Raw: "Don't know"})
				case k > len(awkwardScores):
					r.answers = append(r.answers, store.Answer{})
				default:
					r.answers = append(r.answers, store.Answer{Raw: "x", Score: awkwardScores[k], Scored: true})
				}
			}
			out = append(out, r)
		}
		return out
	}
	m := &totalsModel{files: map[string][]modelRow{},
		registry: map[string]survey.Practice{"K84001": {Federation: "North", ListSize: 9000}}}
	load := func(name string, rows []modelRow) {
		t.Helper()
		i := 0
		next := func() (*store.RespondentRow, error) {
			if i == len(rows) {
				return nil, io.EOF
			}
			r := rows[i]
			i++
			return &store.RespondentRow{Row: i + 1, Key: r.key, PracticeODS: r.practice, PracticeText: r.text,
				Role: r.role, Answers: r.answers}, nil
		}
		f := store.SourceFile{Name: name, SHA256: nameSHA(name), Platform: "test", Format: "csv", Workstreams: ws}
		if _, err := st.LoadFile(ctx, f, next); err != nil {
			t.Fatal(err)
		}
		m.load(name, rows)
	}
	first := gen("a", 300)
	load("a.csv", first)
	checkTotals(t, st, m, ws, "first file")

	// A re-export: every respondent of the first file again, and new ones,
	// one of them twice.
	again := append(slices.Clone(first), gen("b", 200)...)
	again = append(again, again[len(again)-1])
	load("b.csv", again)
	checkTotals(t, st, m, ws, "re-export")

	load("c.csv", gen("c", 150))
	checkTotals(t, st, m, ws, "third file")

	if _, err := st.ForgetFile(ctx, nameSHA("a.csv")); err != nil {
		t.Fatal(err)
	}
	m.forget("a.csv")
	checkTotals(t, st, m, ws, "forget the first file")

	n, err := st.RematchPractices(ctx, []store.PracticeMatch{{Text: "Jerico", ODSCode: "K84003", Method: "alias"}})
	if err != nil || n == 0 {
		t.Fatalf("re-match: %d, %v; want some respondents matched", n, err)
	}
	m.rematch("Jerico", "K84003")
	checkTotals(t, st, m, ws, "re-match")
}

// nameSHA returns a made-up SHA-256 for a test file: that of its name.
func nameSHA(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// TestTotalsMatchAnswersOnFixtures ingests every export of the
// repository's test data and examples into one database and compares what
// the ranking reads from the survey totals with what the queries over
// every answer, which the totals replaced, return: to the bit.
func TestTotalsMatchAnswersOnFixtures(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewStore(t)
	f, err := os.Open(filepath.Join("..", "examples", "practices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ingest.ReadPractices(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertPractices(ctx, ps); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(st, ingest.Options{HMACKey: []byte("fixtures")})
	var files []string
	for _, pattern := range []string{"../ingest/testdata/*.csv", "../ingest/testdata/*.tsv", "../ingest/testdata/*.xlsx", "../examples/inbox/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	loaded := 0
	for _, path := range files {
		res, err := in.IngestFile(ctx, path)
		if err == nil && res.Status == ingest.StatusLoaded {
			loaded++
		}
	}
	if loaded < 20 {
		t.Fatalf("loaded %d of %d fixtures; want at least 20", loaded, len(files))
	}
	got, err := st.RankingInputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Scores) < 100 || len(got.Roles) < 100 {
		t.Fatalf("%d practice scores and %d role scores; want more of each from %d files", len(got.Scores), len(got.Roles), loaded)
	}
	answers, err := st.StoredAnswers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	registry := map[string]survey.Practice{}
	for _, p := range ps {
		registry[p.ODSCode] = p
	}
	exact := exactInputs(answers, registry, got.Totals)
	if d := cmp.Diff(exact, got, bitsEqual); d != "" {
		t.Errorf("ranking inputs (-exact sums of the answers +totals):\n%s", d)
	}
	old, err := st.AnswersRankingInputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The queries over the answers added scores in double precision, in
	// the order the database met them: where that was exact, they agree
	// to the bit; elsewhere, within the last places.
	near := cmpopts.EquateApprox(1e-15, 0)
	if d := cmp.Diff(old, got, near); d != "" {
		t.Errorf("ranking inputs (-queries over the answers +totals):\n%s", d)
	}
	differ := 0
	for i := range old.Scores {
		if i < len(got.Scores) && math.Float64bits(old.Scores[i].Mean) != math.Float64bits(got.Scores[i].Mean) {
			differ++
		}
	}
	for i := range old.Roles {
		if i < len(got.Roles) && math.Float64bits(old.Roles[i].Sum) != math.Float64bits(got.Roles[i].Sum) {
			differ++
		}
	}
	t.Logf("%d practice and %d role rows; %d differ from the double-precision sums in the last place", len(got.Scores), len(got.Roles), differ)

	// Ranked from either, the workstreams come in the same order and tiers.
	cat := survey.DefaultCatalogue()
	opts := analysis.DefaultOptions()
	opts.Resamples = analysis.MinResamples
	rankOf := func(in store.RankingInputs) []string {
		r, err := analysis.Compute(cat, in.Scores, in.Totals, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range r.Rows {
			out = append(out, fmt.Sprintf("%d %s %s %d", w.Rank, w.WorkstreamID, w.Tier, w.Practices))
		}
		return out
	}
	if d := cmp.Diff(rankOf(old), rankOf(got)); d != "" {
		t.Errorf("rankings (-from the answers +from the totals):\n%s", d)
	}
}

// TestExactDecimalsAgreeWithPostgreSQL checks that the decimal a load
// accumulates for a score is the one PostgreSQL gives the stored double
// (score::text::numeric), on which a recomputation of the totals rests:
// for scale points n/k, Borda points, and random doubles of 0 to 1.
func TestExactDecimalsAgreeWithPostgreSQL(t *testing.T) {
	var xs []float64
	for k := 1; k <= 100; k++ {
		for n := 0; n <= k; n++ {
			xs = append(xs, float64(n)/float64(k), 1-float64(n)/float64(k))
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	for range 20_000 {
		xs = append(xs, r.Float64(), math.Ldexp(r.Float64(), -r.IntN(60)))
	}
	xs = append(xs, 5e-324, 1e-20, math.Nextafter(1, 0), 0.1, 0.7, 1)
	texts := make([]string, len(xs))
	for i, x := range xs {
		texts[i] = store.ExactDecimal(x, 3)
	}
	db := sqlx.MustConnect("postgres", storetest.URL(t))
	defer db.Close()
	var bad []string
	err := db.Select(&bad, `SELECT x::text || ' vs ' || d FROM unnest($1::float8[], $2::text[]) AS u (x, d)
		WHERE 3 * x::text::numeric <> d::numeric`, pq.Array(xs), pq.Array(texts))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d doubles have another decimal in PostgreSQL, e.g. %v", len(bad), len(xs), bad[:min(len(bad), 5)])
	}
}
