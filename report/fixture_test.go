package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// fixtureTime is when the fixture's first ranking is computed; the second
// comes a week later.
var fixtureTime = time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)

// fixturePractices are the fixture's registry: four federations, one of
// them too small for its cells to be shown, and one practice that never
// answers.
var fixturePractices = []survey.Practice{
	{ODSCode: "K84001", Name: "Banbury Cross", Federation: "North"},
	{ODSCode: "K84002", Name: "Bloxham Grove", Federation: "North"},
	{ODSCode: "K84003", Name: "Deddington Health", Federation: "North"},
	{ODSCode: "K84004", Name: "Hook Norton", Federation: "North"},
	{ODSCode: "K84005", Name: "Jericho Canal", Federation: "City"},
	{ODSCode: "K84006", Name: "Cowley Road", Federation: "City"},
	{ODSCode: "K84007", Name: "Headington Hill", Federation: "City"},
	{ODSCode: "K84008", Name: "Summertown Park", Federation: "City"},
	{ODSCode: "K84009", Name: "Abingdon Vale", Federation: "South"},
	{ODSCode: "K84010", Name: "Didcot Ladygrove", Federation: "South"},
	{ODSCode: "K84011", Name: "Wallingford", Federation: "South"},
	{ODSCode: "K84012", Name: "Wantage", Federation: "South"},
	{ODSCode: "K84013", Name: "Burford", Federation: "Rural"},
	{ODSCode: "K84014", Name: "Charlbury", Federation: "Rural"},
	{ODSCode: "K84015", Name: "Chipping Norton", Federation: "Rural"},
}

// fixtureRoles are the roles respondents type, by respondent number; the
// admin staff answer from too few practices to be shown.
var fixtureRoles = []string{"GP partner", "Practice Manager", "Practice nurse", "Salaried GP", "Receptionist", "IT lead"}

// fixtureComments are free-text comments, among them text a spreadsheet
// would read as a formula.
var fixtureComments = []string{
	"=HYPERLINK(\"http://example.com\",\"click\")",
	"+44 calls go unanswered on Mondays",
	"-- slow PCs, again",
	"@everyone: Wi-Fi in the waiting room please",
	"\tThe phones drop calls every Monday morning; patients give up queuing and walk in instead, which fills the waiting room before nine. We have asked twice for the new system to be brought forward.",
	"\rScanning letters by hand takes a full-time post.",
	"Remote access for GPs working from home is essential.",
}

// fixtureWeights are the other weights the What-if tests try: they sum to
// 1, as rank --weights requires.
var fixtureWeights = survey.Weights{Survey: 0.2, Impact: 0.3, GPFV: 0.1, Dependencies: 0.3, Mandated: 0.1}

// fixtureOptions are the ranking options of the fixture, at time at.
func fixtureOptions(at time.Time) analysis.Options {
	o := analysis.DefaultOptions()
	o.Now = func() time.Time { return at }
	return o
}

// fixture is a database holding two survey files, ranked after each, and
// the workbook input of the second ranking as the cycle builds it.
type fixture struct {
	st  *store.Store
	cat *survey.Catalogue
	in  WorkbookInput
}

// newFixture loads the fixture into a fresh database.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.NewStore(t)
	st.Now = func() time.Time { return fixtureTime }
	cat := survey.DefaultCatalogue()
	if _, err := st.UpsertPractices(ctx, fixturePractices); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	loadFixtureFile(t, st, cat, "first-wave.csv", fixturePractices[:10], 1, rng, false)
	if _, err := analysis.Run(ctx, st, cat, fixtureOptions(fixtureTime), true); err != nil {
		t.Fatal(err)
	}
	st.Now = func() time.Time { return fixtureTime.AddDate(0, 0, 7) }
	loadFixtureFile(t, st, cat, "second-wave.csv", fixturePractices[4:14], 2, rng, true)
	r, err := analysis.Run(ctx, st, cat, fixtureOptions(fixtureTime.AddDate(0, 0, 7)), true)
	if err != nil {
		t.Fatal(err)
	}
	in := WorkbookInput{Ranking: r, GeneratedAt: fixtureTime.AddDate(0, 0, 7).Add(time.Minute), Location: london,
		Catalogue: cat, Rank: analysis.DefaultOptions(), Version: "v1.2.3"}
	if err := in.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	in.Quality.Rejected = []survey.RejectedFile{{File: "late-returns.csv", RejectedAt: fixtureTime.AddDate(0, 0, 6),
		Row: 3, Column: `B "Which practice?"`, Reason: "malformed CSV: a quote in an unquoted field"}}
	return &fixture{st: st, cat: cat, in: in}
}

// loadFixtureFile stores one file: per practice, perPractice respondents
// whose answers follow the published roadmap's tiers with some noise;
// with extras, also an unmatched respondent, an answer off the scale and
// the comments.
func loadFixtureFile(t testing.TB, st *store.Store, cat *survey.Catalogue, name string, practices []survey.Practice,
	perPractice int, rng *rand.Rand, extras bool) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	f := store.SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Platform: "google-forms", Format: "csv",
		Workstreams: cat.IDs(), CommentQuestions: []string{"Anything else about Telephony (VOIP, Unified Communications)?", "Any other comments?"}}
	var rows []*store.RespondentRow
	n := 0
	for _, p := range practices {
		for range perPractice {
			n++
			r := &store.RespondentRow{Row: n + 1, Key: fmt.Sprintf("%s/%d", name, n), PracticeODS: p.ODSCode,
				PracticeText: p.Name, MatchMethod: "name", Role: fixtureRoles[n%len(fixtureRoles)],
				SubmittedAt: fixtureTime.AddDate(0, 0, -n%9)}
			for _, w := range cat.Workstreams {
				r.Answers = append(r.Answers, fixtureAnswer(w.DocTier, rng))
			}
			r.Comments = []string{"", ""}
			if extras && n <= len(fixtureComments) {
				r.Comments[n%2] = fixtureComments[n-1]
			}
			rows = append(rows, r)
		}
	}
	if extras {
		rows[0].Warnings = []store.Warning{{Column: `F "Cyber Security"`, Code: "answer_off_scale", Value: "Sometimes",
			Message: "the answer is not on the priority scale; stored without a score"}}
		n++
		rows = append(rows, &store.RespondentRow{Row: n + 1, Key: fmt.Sprintf("%s/%d", name, n), PracticeText: "Banbury",
			Role: "GP", Answers: make([]store.Answer, len(cat.Workstreams)), Comments: []string{"", "=1+1"},
			Warnings: []store.Warning{{Column: `C "Which practice?"`, Code: "practice_unmatched", Value: "Banbury",
				Message: "no practice in the registry has this name" + store.PracticeCandidatesMarker +
					"Banbury Cross (K84001); Bloxham Grove (K84002); Burford (K84013)"}}})
	}
	i := 0
	next := func() (*store.RespondentRow, error) {
		if i == len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}
	if _, err := st.LoadFile(context.Background(), f, next); err != nil {
		t.Fatal(err)
	}
}

// fixtureLevels are the answer scores by level, best first.
var fixtureLevels = []struct {
	raw   string
	score float64
}{{"Very high priority", 1}, {"High priority", 0.75}, {"Medium priority", 0.5}, {"Low priority", 0.25}, {"Not a priority", 0}}

// fixtureAnswer draws an answer around the level the published tier
// suggests; one in twenty is "Don't know".
func fixtureAnswer(t survey.Tier, rng *rand.Rand) store.Answer {
	if rng.IntN(20) == 0 {
		return store.Answer{Raw: "Don't know"}
	}
	base := map[survey.Tier]int{survey.TierVeryHigh: 0, survey.TierMandated: 2, survey.TierHigh: 1, survey.TierMedium: 2}[t]
	l := min(max(base+rng.IntN(3)-1, 0), len(fixtureLevels)-1)
	return store.Answer{Raw: fixtureLevels[l].raw, Score: fixtureLevels[l].score, Scored: true}
}
