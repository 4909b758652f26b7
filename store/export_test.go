package store

import (
	"context"
	"log/slog"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MigrateTo applies the migrations up to version v, for tests of a
// migration against data written by the schema before it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrate(ctx, v) }

// ConnConfig is connConfig, for tests of how a DSN is read.
func ConnConfig(dsn string) (pq.Config, error) { return connConfig(dsn) }

// ClusterDir makes dataDir and returns where StartServer would keep its
// cluster, making that directory too when it is outside dataDir.
func ClusterDir(ctx context.Context, dataDir string, logger *slog.Logger) (string, error) {
	dir, err := makeDataDir(dataDir)
	if err != nil {
		return "", err
	}
	s := &Server{cfg: ServerConfig{DataDir: dir, Logger: logger}}
	err = s.place(ctx)
	return s.dir, err
}

// DatabaseExists reports whether the server has a database called name.
func (s *Store) DatabaseExists(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, name)
	return ok, err
}

// ReportAttachment returns the stored attachment of the report key, nil
// when it has none.
func (s *Store) ReportAttachment(ctx context.Context, key string) ([]byte, error) {
	var b []byte
	err := s.db.GetContext(ctx, &b, `SELECT attachment FROM reports WHERE report_key = $1`, key)
	return b, err
}

// The queries the ranking ran over every stored answer before the survey
// totals were kept, for tests that compare the totals with them.
const (
	answersPracticeScoresSQL = `WITH cells AS (
			SELECT r.practice_ods, r.file_id, a.ord, sum(a.score) AS total,
				count(a.score) AS scored, count(*) AS answered
			FROM respondents r
			CROSS JOIN LATERAL unnest(r.raw, r.score) WITH ORDINALITY AS a (raw, score, ord)
			WHERE r.practice_ods IS NOT NULL AND a.raw <> ''
			GROUP BY r.practice_ods, r.file_id, a.ord),
		agg AS (
			SELECT c.practice_ods, f.workstreams[c.ord] AS workstream_id,
				sum(c.total) / nullif(sum(c.scored), 0) AS mean,
				sum(c.scored)::bigint AS scored, sum(c.answered)::bigint AS respondents
			FROM cells c JOIN source_files f ON f.id = c.file_id
			GROUP BY 1, 2)
		SELECT agg.practice_ods AS practice, coalesce(f.name, '') AS federation,
			coalesce(p.list_size, 0) AS list_size, agg.workstream_id AS workstream,
			coalesce(agg.mean, 0) AS mean, agg.scored, agg.respondents
		FROM agg
		JOIN practices p ON p.ods_code = agg.practice_ods
		LEFT JOIN federations f ON f.id = p.federation_id
		ORDER BY agg.practice_ods COLLATE "C", agg.workstream_id COLLATE "C"`
	answersRoleScoresSQL = `WITH cells AS (
			SELECT r.practice_ods, btrim(r.role) AS role, r.file_id, a.ord, sum(a.score) AS total,
				count(a.score) AS scored, count(*) AS answered
			FROM respondents r
			CROSS JOIN LATERAL unnest(r.raw, r.score) WITH ORDINALITY AS a (raw, score, ord)
			WHERE r.practice_ods IS NOT NULL AND a.raw <> ''
			GROUP BY 1, 2, 3, 4)
		SELECT c.practice_ods AS practice, c.role, f.workstreams[c.ord] AS workstream,
			coalesce(sum(c.total), 0) AS sum, sum(c.scored)::bigint AS scored, sum(c.answered)::bigint AS respondents
		FROM cells c
		JOIN source_files f ON f.id = c.file_id
		JOIN practices p ON p.ods_code = c.practice_ods
		GROUP BY 1, 2, 3
		ORDER BY c.practice_ods COLLATE "C", c.role COLLATE "C", f.workstreams[c.ord] COLLATE "C"`
	answersTotalsSQL = `SELECT
			(SELECT count(*) FROM respondents) AS respondents,
			(SELECT count(DISTINCT practice_ods) FROM respondents) AS practices,
			(SELECT count(*) FROM source_files) AS files`
)

// AnswersRankingInputs returns what the ranking read before the survey
// totals were kept: the practice scores, role scores and totals
// aggregated from every stored answer, in double precision.
func (s *Store) AnswersRankingInputs(ctx context.Context) (RankingInputs, error) {
	var in RankingInputs
	err := s.readTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &in.Scores, answersPracticeScoresSQL); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &in.Roles, answersRoleScoresSQL); err != nil {
			return err
		}
		return tx.GetContext(ctx, &in.Totals, answersTotalsSQL)
	})
	return in, err
}

// StoredAnswer is one stored answer of a respondent matched to a registry
// practice, as the ranking counts it: Score is nil for a missing one.
type StoredAnswer struct {
	Practice   string   `db:"practice"`
	Role       string   `db:"role"`
	Workstream string   `db:"workstream"`
	Score      *float64 `db:"score"`
}

// StoredAnswers returns every answer the ranking counts, from the answers
// view, in no particular order.
func (s *Store) StoredAnswers(ctx context.Context) ([]StoredAnswer, error) {
	var out []StoredAnswer
	err := s.readTx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `SELECT r.practice_ods AS practice, btrim(r.role) AS role,
				a.workstream_id AS workstream, a.score
			FROM answers a JOIN respondents r ON r.id = a.respondent_id
			JOIN practices p ON p.ods_code = r.practice_ods`)
	})
	return out, err
}

// SetMaxTotalsBytes sets the memory a load may use to accumulate a
// file's totals, 0 making every load compute them in PostgreSQL, and
// returns a function that restores it.
func SetMaxTotalsBytes(n int) (restore func()) {
	old := maxTotalsBytes
	maxTotalsBytes = n
	return func() { maxTotalsBytes = old }
}

// ExactDecimal returns n times v as the exact decimal the totals store
// for it.
func ExactDecimal(v float64, n int64) string {
	var s exactSum
	s.add(v, n)
	return s.String()
}

// LoadLockKey is loadLockKey, for the test that migrations taking the
// load lock name it rightly.
const LoadLockKey = loadLockKey
