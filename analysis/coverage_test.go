package analysis

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// The test imports ingest to drive the real intake; the analysis package
// itself never does.

// studySeed seeds the coverage study; the same seed gives the same
// surveys and so the same figures.
const studySeed uint64 = 20261201

// coverageReplicates is the number of surveys per size in TestCoverage.
// With 21 workstreams each, a size's coverage then has a standard error of
// about 0.007 (from the spread between surveys), so the band of 0.87–0.93
// lies over four standard errors either side of the 0.90 the method aims
// at, and the fixed seed's figures (0.914, 0.910 and 0.908) are at least
// two from its edges.
const coverageReplicates = 80

// coverageWorkers is the number of databases TestCoverage loads at once:
// the database does most of the work, and more than three gain nothing on
// two cores.
const coverageWorkers = 3

// TestCoverage is the coverage study of docs/METHOD.md §9 in small: 80
// surveys each of 30, 60 and 150 practices are drawn from simulated
// populations with known truth, written as Google Forms exports, read by
// the real intake into PostgreSQL and ranked by Run, as rank does. It
// fails when a size's 90% intervals cover less than 0.87 or more than 0.93
// of the true scores. Each survey's ranking must also match the same
// answers aggregated in memory (see sameAsInMemory), which shows that the
// in-memory study of BenchmarkCoverage measures what the intake and Run
// give.
//
// The surveys are spread over a few databases, each holding the practice
// registry once and forgetting each survey's file once it is ranked; the
// figures are tallied in survey order, so they do not depend on which
// database ranked which survey.
func TestCoverage(t *testing.T) {
	t.Parallel()
	cat := survey.DefaultCatalogue()
	sizes := []int{30, 60, 150}
	type job struct{ size, rep int }
	var jobs []job
	for k := range sizes {
		for rep := range coverageReplicates {
			jobs = append(jobs, job{k, rep})
		}
	}
	rankings := make([]survey.Ranking, len(jobs))
	truths := make([][]float64, len(jobs))
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for w := range coverageWorkers {
		st := storetest.NewStore(t)
		path := filepath.Join(t.TempDir(), "survey.csv")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(jobs); k += coverageWorkers {
				sc := studyScenario{practices: sizes[jobs[k].size]}
				pop, rs := studyDraw(studySeed, sc, jobs[k].rep, len(cat.Workstreams))
				r, err := rankThroughIntake(st, cat, rs, k == w, path)
				if err != nil {
					errs <- fmt.Errorf("size %d, survey %d: %w", sc.practices, jobs[k].rep, err)
					return
				}
				rankings[k], truths[k] = r, pop.truth
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	opts, err := testOptions().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range sizes {
		var tally studyTally
		var per []float64
		for i, j := range jobs {
			if j.size == k {
				per = append(per, scoreRanking(&tally, cat, rankings[i], truths[i], opts))
			}
		}
		lo, hi := coverageRange(per)
		t.Logf("%d practices: coverage %.3f (%.3f–%.3f) over %d workstreams; tier confidence stated vs right: %s",
			n, tally.coverage(), lo, hi, tally.cases, tally.bands())
		if c := tally.coverage(); c < 0.87 || c > 0.93 {
			t.Errorf("%d practices: 90%% intervals covered %.3f of the true scores, want 0.87–0.93", n, c)
		}
	}
}

// calibrationSurveys is the number of surveys of each size that
// TestTierConfidenceCalibrated ranks in memory.
const calibrationSurveys = 300

// TestTierConfidenceCalibrated guards the calibration of the tier
// confidence: 300 surveys each of 30, 60 and 150 practices, drawn with the
// study's fixed seed and ranked in memory by the chosen method (TestCoverage
// shows that the intake and Run give the same rankings), so the figures are
// the same on every run and the test cannot flake. Among the workstreams in
// doubt (stated below 0.95) the share whose tier is right must be within
// 0.03 of the mean stated confidence, and so must every band of stated
// confidence, beyond two binomial standard errors of its share right for a
// band of at least 100 cases (a band of a few hundred cases cannot show a
// gap of 0.03 by itself; docs/METHOD.md §9 has the full study's bands).
func TestTierConfidenceCalibrated(t *testing.T) {
	t.Parallel() // computes while TestCoverage waits on the database
	cat := survey.DefaultCatalogue()
	opts, err := testOptions().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	chosen := studyMethods[len(studyMethods)-1:]
	var pooled studyTally
	for _, n := range []int{30, 60, 150} {
		s := summariseMethod(runScenario(t, cat, opts, studyScenario{practices: n}, calibrationSurveys, chosen), 0)
		t.Logf("%d practices: %s", n, s.tally.bandsWithError())
		if pooled.band == nil {
			pooled.band = make([]studyBand, len(s.tally.band))
		}
		for k, b := range s.tally.band {
			pooled.band[k].cases += b.cases
			pooled.band[k].right += b.right
			pooled.band[k].stated += b.stated
		}
	}
	stated, right, doubt := pooled.inDoubt()
	t.Logf("in doubt: stated %.3f vs right %.3f (%d cases)", stated, right, doubt)
	if doubt < 500 || math.Abs(stated-right) > 0.03 {
		t.Errorf("workstreams in doubt: stated confidence %.3f, share right %.3f over %d cases; want within 0.03 over at least 500",
			stated, right, doubt)
	}
	for k, b := range pooled.band {
		if b.cases < 100 {
			continue
		}
		share := float64(b.right) / float64(b.cases)
		se := math.Sqrt(share * (1 - share) / float64(b.cases))
		if gap := math.Abs(b.stated/float64(b.cases) - share); gap > 0.03+2*se {
			t.Errorf("band %s: stated %.3f, right %.3f over %d cases; want within 0.03 + 2 SE (%.3f)",
				bandName(k), b.stated/float64(b.cases), share, b.cases, 0.03+2*se)
		}
	}
}

// rankThroughIntake loads rs into st as a Google Forms export written at
// path (the practice registry first when register is true), ranks it with
// Run, checks the ranking against the same answers aggregated in memory,
// and forgets the file.
func rankThroughIntake(st *store.Store, cat *survey.Catalogue, rs []studyRespondent, register bool, path string) (survey.Ranking, error) {
	ctx := context.Background()
	if register {
		if _, err := st.UpsertPractices(ctx, studyRegistry()); err != nil {
			return survey.Ranking{}, err
		}
	}
	if err := os.WriteFile(path, googleFormsExport(cat, rs), 0o644); err != nil {
		return survey.Ranking{}, err
	}
	in := ingest.New(st, ingest.Options{Catalogue: cat, HMACKey: []byte("coverage study"),
		Now: func() time.Time { return testTime }})
	res, err := in.IngestFile(ctx, path)
	if err != nil || res.Status != ingest.StatusLoaded {
		return survey.Ranking{}, fmt.Errorf("intake: %+v, %v", res, err)
	}
	got, err := Run(ctx, st, cat, testOptions(), false)
	if err != nil {
		return survey.Ranking{}, err
	}
	if err := sameAsInMemory(cat, rs, got); err != nil {
		return survey.Ranking{}, err
	}
	_, err = st.ForgetFile(ctx, res.SHA256)
	return got, err
}

// sameAsInMemory reports an error unless every row of r has the score,
// tier, practice priority, practices, interval and tier probability that
// the answers rs give when aggregated in memory, without the intake and
// the database. The rank ranges are left out: they come from the same
// Compute, whose bootstrap other tests check.
func sameAsInMemory(cat *survey.Catalogue, rs []studyRespondent, r survey.Ranking) error {
	p, err := newPanel(cat.IDs(), studyScores(rs, cat.IDs()))
	if err != nil {
		return err
	}
	opts, err := testOptions().withDefaults()
	if err != nil {
		return err
	}
	vals := criterionValues(cat, p.priorities(nil), opts)
	want := rankRows(cat, p.priorities(nil), vals, opts)
	applyIntervals(want, p, cat, vals, opts)
	ignore := cmpopts.IgnoreFields(survey.RankedWorkstream{}, "RankLow", "RankHigh")
	if diff := cmp.Diff(want, r.Rows, cmpopts.EquateApprox(0, 1e-9), ignore); diff != "" {
		return fmt.Errorf("the intake and Run differ from the answers in memory (-memory +intake):\n%s", diff)
	}
	return nil
}

// studyRegistry is the practice registry of every study survey: the codes
// of studyCode, in their federations.
func studyRegistry() []survey.Practice {
	var out []survey.Practice
	for f, fed := range studyFederations {
		for k := range studyMaxSampled {
			code := studyCode(f, k)
			out = append(out, survey.Practice{ODSCode: code, Name: "Practice " + code, Federation: fed.name})
		}
	}
	return out
}

// googleFormsExport writes rs as a Google Forms responses sheet downloaded
// as CSV, as examples_gen_test.go in ingest does: a timestamp, an e-mail
// address, the practice's ODS code, the role and one grid column per
// workstream, named as the catalogue names it.
func googleFormsExport(cat *survey.Catalogue, rs []studyRespondent) []byte {
	const grid = "How high a priority is each IT workstream for your practice?"
	levels := []string{"Not a priority", "Low priority", "Medium priority", "High priority", "Very high priority"}
	header := []string{"Timestamp", "Email address", "Which practice do you work at? (name or ODS code)", "What is your role?"}
	for _, w := range cat.Workstreams {
		header = append(header, grid+" ["+w.Name+"]")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(header)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, r := range rs {
		rec := []string{start.Add(time.Duration(i) * time.Minute).Format("02/01/2006 15:04:05"),
			fmt.Sprintf("respondent%d@nhs.net", i), r.code, "GP Partner"}
		for _, a := range r.answers {
			if a < 0 {
				rec = append(rec, "Don't know")
			} else {
				rec = append(rec, levels[a])
			}
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// bands formats the calibration bands that have cases: stated confidence
// and share right, with the number of cases.
func (t *studyTally) bands() string {
	var parts []string
	for k, b := range t.band {
		if b.cases == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%.2f–%.2f: %.3f vs %.3f (%d)", studyBands[k], studyBands[k+1],
			b.stated/float64(b.cases), float64(b.right)/float64(b.cases), b.cases))
	}
	return strings.Join(parts, ", ")
}

var (
	studyReps = flag.Int("study.replicates", 4000,
		"surveys per scenario for BenchmarkCoverage's comparison of methods (0 skips it)")
	studyCalReps = flag.Int("study.calibration", 20000,
		"surveys per scenario for BenchmarkCoverage's calibration of the chosen method (0 skips it)")
)

// BenchmarkCoverage is the full coverage study of docs/METHOD.md §9, in
// memory. For each scenario it ranks -study.replicates surveys (4,000)
// from populations of their own by every method of studyMethods and
// prints the coverage of the 90% intervals, the misses on each side and
// the worst calibration gap of the tier confidence; then it ranks
// -study.calibration surveys (20,000) by the chosen method alone, which
// costs little beyond drawing the populations, and prints its calibration
// band by band. TestCoverage shows that the intake and Run give the same
// rankings as this in-memory path.
func BenchmarkCoverage(b *testing.B) {
	cat := survey.DefaultCatalogue()
	opts, err := testOptions().withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	scenarios := []studyScenario{{10, false}, {30, false}, {60, false}, {150, false}, {30, true}}
	for b.Loop() {
		if *studyReps > 0 {
			fmt.Println("| practices | method | surveys | coverage (95% range) | below / above | in doubt: stated vs right (cases) | worst calibration gap (band) |")
			fmt.Println("|---|---|---|---|---|---|---|")
		}
		for _, sc := range scenarios {
			if *studyReps == 0 {
				break
			}
			reps := runScenario(b, cat, opts, sc, *studyReps, studyMethods)
			for m, meth := range studyMethods {
				s := summariseMethod(reps, m)
				lo, hi := coverageRange(s.perReplicate)
				above := float64(s.tally.above) / float64(s.tally.cases)
				below := 1 - s.tally.coverage() - above
				gap, band := s.tally.worstBand(200)
				stated, right, doubt := s.tally.inDoubt()
				fmt.Printf("| %s | %s | %d | %.3f (%.3f–%.3f) | %.3f / %.3f | %.3f vs %.3f (%d) | %.3f (%s) |\n", sc, meth.name,
					len(reps), s.tally.coverage(), lo, hi, below, above, stated, right, doubt, gap, bandName(band))
			}
		}
		if *studyCalReps > 0 {
			fmt.Printf("\nCalibration of the chosen tier confidence, %d surveys per scenario: stated vs right (cases, ± 2 SE of right)\n", *studyCalReps)
		}
		chosen := studyMethods[len(studyMethods)-1:]
		for _, sc := range scenarios {
			if *studyCalReps == 0 {
				break
			}
			s := summariseMethod(runScenario(b, cat, opts, sc, *studyCalReps, chosen), 0)
			lo, hi := coverageRange(s.perReplicate)
			fmt.Printf("%s: coverage %.3f (%.3f–%.3f); %s\n", sc, s.tally.coverage(), lo, hi, s.tally.bandsWithError())
		}
	}
}

// inDoubt returns the mean stated tier confidence and the share right
// over the cases stated below 0.95, the workstreams in doubt, and their
// number.
func (t *studyTally) inDoubt() (stated, right float64, cases int) {
	var n, r int
	var sum float64
	for k, b := range t.band {
		if studyBands[k] < 0.95 {
			n, r, sum = n+b.cases, r+b.right, sum+b.stated
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return sum / float64(n), float64(r) / float64(n), n
}

// bandsWithError is [studyTally.bands] with two binomial standard errors
// of each band's share right.
func (t *studyTally) bandsWithError() string {
	var parts []string
	for k, b := range t.band {
		if b.cases == 0 {
			continue
		}
		right := float64(b.right) / float64(b.cases)
		parts = append(parts, fmt.Sprintf("%.2f–%.2f: %.3f vs %.3f (%d, ±%.3f)", studyBands[k], studyBands[k+1],
			b.stated/float64(b.cases), right, b.cases, 2*math.Sqrt(right*(1-right)/float64(b.cases))))
	}
	return strings.Join(parts, "; ")
}

func bandName(k int) string {
	if k < 0 {
		return "none"
	}
	return fmt.Sprintf("%.2f–%.2f", studyBands[k], studyBands[k+1])
}

// runScenario runs n replicates of sc on every CPU; the results are in
// replicate order whatever the scheduling.
func runScenario(tb testing.TB, cat *survey.Catalogue, opts Options, sc studyScenario, n int, methods []studyMethod) []studyReplicate {
	out := make([]studyReplicate, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range next {
				pop, rs := studyDraw(studySeed, sc, rep, len(cat.Workstreams))
				out[rep], errs[rep] = runReplicate(cat, opts, pop, rs, methods, uint64(rep)+1)
			}
		}()
	}
	for rep := range n {
		next <- rep
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}
