package analysis

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// BenchmarkRank times the two halves of a ranking separately: the SQL
// aggregation of the answers to practice means (Store.PracticeScores) and
// Compute with a 2,000-resample bootstrap over the practices. size=full is
// the size the ranking must handle, 6,500 practices in 13 federations and
// 1,000,000 respondents answering the 21 catalogue workstreams; size=small
// is a tenth of the practices and a fiftieth of the respondents, for a
// quick check. The respondents are generated in the database with
// generate_series (see genRespondents). docs/BENCHMARKS.md records the
// results.
func BenchmarkRank(b *testing.B) {
	sizes := []struct {
		name                   string
		practices, respondents int
	}{
		{"size=small", 650, 20_000},
		{"size=full", 6_500, 1_000_000},
	}
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) { benchRank(b, s.practices, s.respondents) })
	}
}

func benchRank(b *testing.B, practices, respondents int) {
	ctx := context.Background()
	url := storetest.URL(b)
	st := storetest.Open(b, url)
	cat := survey.DefaultCatalogue()
	start := time.Now()
	if err := genRespondents(ctx, url, cat.IDs(), practices, respondents); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d respondents at %d practices in %v", respondents, practices, time.Since(start).Round(time.Millisecond))
	var scores []store.PracticeScore
	b.Run("part=sql", func(b *testing.B) {
		for b.Loop() {
			var err error
			if scores, err = st.PracticeScores(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(respondents)*float64(b.N)/b.Elapsed().Seconds(), "respondents/s")
	})
	b.Run("part=bootstrap", func(b *testing.B) {
		if scores == nil {
			b.Skip("part=sql did not run")
		}
		opts := DefaultOptions()
		opts.Resamples = 2000
		for b.Loop() {
			if _, err := Compute(cat, scores, store.Totals{}, opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(opts.Resamples)*float64(b.N)/b.Elapsed().Seconds(), "resamples/s")
	})
}

// genRespondents fills the database at url with practices codes B00000…
// in 13 federations, one source file answering ids and respondents spread
// evenly over the practices. Each answer is one of the five levels (score
// 0, 0.25, … 1) or, one time in twenty, "Don't know" with no score. The
// data are drawn with a fixed seed, so every run sees the same answers.
func genRespondents(ctx context.Context, url string, ids []string, practices, respondents int) error {
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
	steps := []struct {
		query string
		args  []any
	}{
		{`SELECT setseed(0.42)`, nil},
		{`INSERT INTO federations (name) SELECT 'Federation ' || f FROM generate_series(1, 13) f`, nil},
		{`INSERT INTO practices (ods_code, name, federation_id, list_size)
			SELECT 'B' || lpad(p::text, 5, '0'), 'Practice ' || p,
				(SELECT id FROM federations WHERE name = 'Federation ' || (1 + p % 13)), 8000
			FROM generate_series(0, $1 - 1) p`, []any{practices}},
		{`INSERT INTO source_files (name, sha256, size_bytes, platform, format, workstreams)
			VALUES ('bench.csv', repeat('0', 64), 0, 'bench', 'csv', $1)`, []any{pq.Array(ids)}},
		{`INSERT INTO respondents (file_id, row_number, respondent_key, practice_ods, role, raw, score)
			SELECT (SELECT id FROM source_files), g + 1, 'bench/' || g, 'B' || lpad((g % $1)::text, 5, '0'),
				(ARRAY['GP partner', 'Practice Manager', 'Practice nurse', 'Receptionist', 'Pharmacist'])[1 + g % 5],
				a.raw, a.score
			FROM generate_series(0, $2 - 1) g
			CROSS JOIN LATERAL (
				SELECT array_agg(CASE WHEN v < 0 THEN 'Don''t know' ELSE 'answer' END ORDER BY w) AS raw,
					array_agg(CASE WHEN v < 0 THEN NULL ELSE v END::float8 ORDER BY w) AS score
				FROM (SELECT w, CASE WHEN random() < 0.05 THEN -1 ELSE floor(random() * 5) / 4 END AS v
					FROM generate_series(1, $3 + 0 * g) w) d) a`, []any{practices, respondents, len(ids)}},
		{`ANALYZE`, nil},
	}
	for _, s := range steps {
		if _, err := conn.ExecContext(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("generate: %w\n%s", err, s.query)
		}
	}
	return nil
}
