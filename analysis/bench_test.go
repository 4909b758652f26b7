package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// BenchmarkRank times a ranking as `surveyworker rank` runs it (Run:
// reading the survey totals, Compute with the default bootstrap, the role
// segments, the movement, saving the run) at 6,500 practices in 13
// federations answering the 21 catalogue workstreams, for 10,000,
// 1,000,000 and 10,000,000 respondents, and beside it, in the same run:
//
//   - baseline=answers: the one GROUP BY over the stored answers (practice
//     by workstream) that any ranking reading the answers would pay at
//     least, which is what the ranking ran before the totals were kept,
//     twice over;
//   - part=bootstrap: Compute alone with 2,000 resamples.
//
// The respondents are generated in PostgreSQL (see genRespondents), in
// files of at most 1,000,000, and their totals computed from them with
// Store.RecomputeTotals, the recomputation the store tests prove equal to
// what loads keep. The ranking reads only the totals of all files, whose
// size is set by practices, roles and workstreams; roles=5 repeats the
// 1,000,000 with five roles in every practice instead of one, so five
// times the rows.
//
// SURVEYWORKER_BENCH_RANK_SIZES (comma-separated respondent counts)
// replaces the sizes. A summary table with each figure beside its
// baseline is printed at the end; docs/BENCHMARKS.md records it.
func BenchmarkRank(b *testing.B) {
	sizes, err := rankSizes()
	if err != nil {
		b.Fatal(err)
	}
	var results []rankResult
	for _, s := range sizes {
		b.Run(s.name(), func(b *testing.B) {
			r := benchRank(b, s)
			if r.rank > 0 {
				results = append(results, r)
			}
		})
	}
	printRankSummary(results)
}

// rankSize is one size of BenchmarkRank.
type rankSize struct {
	practices, respondents, roles int
}

func (s rankSize) name() string {
	n := fmt.Sprintf("respondents=%d", s.respondents)
	if s.roles > 1 {
		n += fmt.Sprintf("/roles=%d", s.roles)
	}
	return n
}

// rankSizes returns the sizes to run.
func rankSizes() ([]rankSize, error) {
	if v := os.Getenv("SURVEYWORKER_BENCH_RANK_SIZES"); v != "" {
		var out []rankSize
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("SURVEYWORKER_BENCH_RANK_SIZES: bad size %q", f)
			}
			out = append(out, rankSize{6_500, n, 1})
		}
		return out, nil
	}
	return []rankSize{{6_500, 10_000, 1}, {6_500, 1_000_000, 1}, {6_500, 1_000_000, 5}, {6_500, 10_000_000, 1}}, nil
}

// rankResult is what one size measured.
type rankResult struct {
	size                          rankSize
	totalsRows                    int
	generate, totals              time.Duration
	rank, baseline, bootstrap2000 time.Duration
}

func benchRank(b *testing.B, s rankSize) rankResult {
	ctx := context.Background()
	url := storetest.URL(b)
	st := storetest.Open(b, url)
	cat := survey.DefaultCatalogue()
	res := rankResult{size: s}
	start := time.Now()
	if err := genRespondents(ctx, url, cat.IDs(), s); err != nil {
		b.Fatal(err)
	}
	res.generate = time.Since(start)
	start = time.Now()
	check, err := st.RecomputeTotals(ctx)
	if err != nil {
		b.Fatal(err)
	}
	res.totals = time.Since(start)
	if err := analyze(ctx, url); err != nil {
		b.Fatal(err)
	}
	in, err := st.RankingInputs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	res.totalsRows = len(in.Roles)
	b.Logf("generated %d respondents in %v; totals from %d answers in %v (%d rows); ranking reads %d role and %d practice rows",
		s.respondents, res.generate.Round(time.Millisecond), check.Answers, res.totals.Round(time.Millisecond),
		check.Rows, len(in.Roles), len(in.Scores))
	b.Run("rank", func(b *testing.B) {
		opts := DefaultOptions()
		var elapsed time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := Run(ctx, st, cat, opts, true); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(t0)
		}
		res.rank = elapsed / time.Duration(b.N)
		b.ReportMetric(float64(s.respondents)*float64(b.N)/elapsed.Seconds(), "respondents/s")
	})
	b.Run("baseline=answers", func(b *testing.B) {
		db, err := sql.Open("postgres", url)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		var elapsed time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := answersGroupBy(ctx, db); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(t0)
		}
		res.baseline = elapsed / time.Duration(b.N)
	})
	b.Run("part=bootstrap", func(b *testing.B) {
		opts := DefaultOptions()
		opts.Resamples = 2000
		var elapsed time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := Compute(cat, in.Scores, in.Totals, opts); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(t0)
		}
		res.bootstrap2000 = elapsed / time.Duration(b.N)
		b.ReportMetric(float64(opts.Resamples)*float64(b.N)/elapsed.Seconds(), "resamples/s")
	})
	return res
}

// answersGroupBy runs the one GROUP BY over every stored answer that the
// ranking replaced: the mean per practice and workstream, read to the end.
func answersGroupBy(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT r.practice_ods, f.workstreams[a.ord], avg(a.score), count(a.score), count(*)
		FROM respondents r
		JOIN source_files f ON f.id = r.file_id
		CROSS JOIN LATERAL unnest(r.raw, r.score) WITH ORDINALITY AS a (raw, score, ord)
		WHERE r.practice_ods IS NOT NULL AND a.raw <> ''
		GROUP BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// printRankSummary prints each size's ranking beside its baselines, and
// how flat the ranking is: its time over that of the smallest size.
func printRankSummary(results []rankResult) {
	if len(results) == 0 {
		return
	}
	base := results[0].rank
	fmt.Printf("\nrank summary (6,500 practices, 21 workstreams; times from this run)\n")
	fmt.Printf("%-28s %10s %12s %10s %14s %10s %14s\n", "size", "rank", "vs smallest", "rows read", "answers GROUP BY", "x faster", "bootstrap 2000")
	for _, r := range results {
		fmt.Printf("%-28s %9.3fs %11.2fx %10d %13.2fs %9.1fx %13.3fs\n", r.size.name(), r.rank.Seconds(),
			r.rank.Seconds()/base.Seconds(), r.totalsRows, r.baseline.Seconds(), r.baseline.Seconds()/r.rank.Seconds(),
			r.bootstrap2000.Seconds())
	}
	fmt.Println()
}

// maxFileRespondents is the most respondents genRespondents puts in one
// file.
const maxFileRespondents = 1_000_000

// genRespondents fills the database at url with practices codes B00000…
// in 13 federations, and s.respondents respondents spread evenly over the
// practices, in files of at most maxFileRespondents answering ids. With
// one role (s.roles 1) respondent g of practice g mod practices has the
// role g mod 5, so a practice's respondents share one of five roles; with
// five, each practice has respondents of all five. Each answer is one of
// the five levels (score 0, 0.25, … 1) or, one time in twenty, "Don't
// know" with no score. The data are drawn with a fixed seed, so every run
// sees the same answers.
func genRespondents(ctx context.Context, url string, ids []string, s rankSize) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // setseed holds for this session only
	if err != nil {
		return err
	}
	defer conn.Close()
	role := `1 + g % 5`
	if s.roles > 1 {
		role = `1 + (g / $1) % 5`
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`SELECT setseed(0.42)`, nil},
		{`INSERT INTO federations (name) SELECT 'Federation ' || f FROM generate_series(1, 13) f`, nil},
		{`INSERT INTO practices (ods_code, name, federation_id, list_size)
			SELECT 'B' || lpad(p::text, 5, '0'), 'Practice ' || p,
				(SELECT id FROM federations WHERE name = 'Federation ' || (1 + p % 13)), 8000
			FROM generate_series(0, $1 - 1) p`, []any{s.practices}},
	}
	for from := 0; from < s.respondents; from += maxFileRespondents {
		to := min(from+maxFileRespondents, s.respondents)
		name := fmt.Sprintf("bench-%d.csv", from/maxFileRespondents+1)
		steps = append(steps, struct {
			query string
			args  []any
		}{`WITH f AS (INSERT INTO source_files (name, sha256, size_bytes, platform, format, workstreams)
				VALUES ($4, lpad(to_hex($2::bigint), 64, '0'), 0, 'bench', 'csv', $5) RETURNING id)
			INSERT INTO respondents (file_id, row_number, respondent_key, practice_ods, role, raw, score)
			SELECT (SELECT id FROM f), g - $2 + 2, 'bench/' || g, 'B' || lpad((g % $1)::text, 5, '0'),
				(ARRAY['GP partner', 'Practice Manager', 'Practice nurse', 'Receptionist', 'Pharmacist'])[` + role + `],
				a.raw, a.score
			FROM generate_series($2, $3 - 1) g
			CROSS JOIN LATERAL (
				SELECT array_agg(CASE WHEN v < 0 THEN 'Don''t know' ELSE 'answer' END ORDER BY w) AS raw,
					array_agg(CASE WHEN v < 0 THEN NULL ELSE v END::float8 ORDER BY w) AS score
				FROM (SELECT w, CASE WHEN random() < 0.05 THEN -1 ELSE floor(random() * 5) / 4 END AS v
					FROM generate_series(1, $6 + 0 * g) w) d) a`,
			[]any{s.practices, from, to, name, pq.Array(ids), len(ids)}})
	}
	for _, st := range steps {
		if _, err := conn.ExecContext(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("generate: %w\n%s", err, st.query)
		}
	}
	return nil
}

// analyze updates the planner's statistics after the data were generated.
func analyze(ctx context.Context, url string) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `ANALYZE`)
	return err
}
