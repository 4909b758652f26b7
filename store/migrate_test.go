package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

// TestMigrationWideAnswersKeepsData writes answers and comments with the
// first schema, one row per answer, then applies 0002 and reads the same
// rows back through the views that replace those tables.
func TestMigrationWideAnswersKeepsData(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	st := storetest.Open(t, url)
	if err := st.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.SyncCatalogue(ctx, survey.DefaultCatalogue()); err != nil {
		t.Fatal(err)
	}
	db := sqlx.MustConnect("postgres", url)
	defer db.Close()
	db.MustExec(`INSERT INTO practices (ods_code, name) VALUES ('K84001', 'Abbey Surgery')`)
	db.MustExec(`INSERT INTO source_files (id, name, sha256, size_bytes, platform, format)
		VALUES (1, 'a.csv', repeat('a', 64), 10, 'google-forms', 'csv'),
		       (2, 'b.csv', repeat('b', 64), 10, 'google-forms', 'csv')`)
	db.MustExec(`INSERT INTO respondents (id, file_id, row_number, respondent_key, practice_ods)
		VALUES (1, 1, 2, 'k1', 'K84001'), (2, 1, 3, 'k2', NULL), (3, 2, 2, 'k3', NULL)`)
	db.MustExec(`INSERT INTO answers (respondent_id, workstream_id, raw, score) VALUES
		(1, 'wifi', 'High', 0.75), (1, 'cyber-security', 'Don''t know', NULL),
		(2, 'wifi', 'Low', 0.25), (3, 'telephony', 'Very high', 1)`)
	db.MustExec(`INSERT INTO comments (respondent_id, question, body) VALUES
		(1, 'Any comments?', 'More wifi'), (3, 'Other', 'Phones')`)

	const answersQ = `SELECT respondent_id, workstream_id, raw, coalesce(score, -1) AS score
		FROM answers ORDER BY respondent_id, workstream_id`
	const commentsQ = `SELECT respondent_id, question, body FROM comments ORDER BY respondent_id, question`
	type answer struct {
		Respondent int64   `db:"respondent_id"`
		Workstream string  `db:"workstream_id"`
		Raw        string  `db:"raw"`
		Score      float64 `db:"score"`
	}
	type comment struct {
		Respondent int64  `db:"respondent_id"`
		Question   string `db:"question"`
		Body       string `db:"body"`
	}
	var before, after []answer
	var cBefore, cAfter []comment
	if err := db.Select(&before, answersQ); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&cBefore, commentsQ); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&after, answersQ); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&cAfter, commentsQ); err != nil {
		t.Fatal(err)
	}
	if len(before) != 4 || len(cBefore) != 2 {
		t.Fatalf("fixture: %d answers, %d comments", len(before), len(cBefore))
	}
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("answers changed by the migration (-before +after):\n%s", d)
	}
	if d := cmp.Diff(cBefore, cAfter); d != "" {
		t.Errorf("comments changed by the migration (-before +after):\n%s", d)
	}
	scores, err := st.PracticeScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PracticeScore{
		{Practice: "K84001", Workstream: "cyber-security", Respondents: 1},
		{Practice: "K84001", Workstream: "wifi", Mean: 0.75, Scored: 1, Respondents: 1},
	}
	if d := cmp.Diff(want, scores); d != "" {
		t.Errorf("practice scores after the migration (-want +got):\n%s", d)
	}
}

// TestMigrationScorePrecision stores real scores with the schema before
// 0004 and checks they come back as the exact fractions they stand for.
func TestMigrationScorePrecision(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	st := storetest.Open(t, url)
	if err := st.MigrateTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	db := sqlx.MustConnect("postgres", url)
	defer db.Close()
	db.MustExec(`INSERT INTO source_files (id, name, sha256, size_bytes, platform, format, workstreams)
		VALUES (1, 'a.csv', repeat('a', 64), 10, 'generic', 'csv', '{x,y,z}')`)
	db.MustExec(`INSERT INTO respondents (file_id, row_number, respondent_key, raw, score)
		VALUES (1, 2, 'k1', '{a,b,c}', '{0.7,0.75,NULL}'), (1, 3, 'k2', '{}', '{}')`)
	var before float64
	if err := db.Get(&before, `SELECT score[1]::float8 FROM respondents WHERE respondent_key = 'k1'`); err != nil || before == 0.7 {
		t.Fatalf("fixture: real 0.7 reads as %v (%v); want the float32 value", before, err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var got []sql.NullFloat64
	rows, err := db.Query(`SELECT unnest(score) FROM respondents WHERE respondent_key = 'k1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v sql.NullFloat64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	want := []sql.NullFloat64{{Float64: 0.7, Valid: true}, {Float64: 0.75, Valid: true}, {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scores after 0004 (-want +got):\n%s", diff)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM answers`); err != nil || n != 3 {
		t.Errorf("answers view after 0004: %d rows, %v; want 3", n, err)
	}
}

// TestMigrationOutboxDeliveryRetiresBodilessMail queues e-mail with the
// schema before 0007, which kept no message body, and checks that 0007
// keeps sent rows as they were and gives up pending ones with the reason,
// rather than leaving them for a sender that has nothing to send.
func TestMigrationOutboxDeliveryRetiresBodilessMail(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	st := storetest.Open(t, url)
	if err := st.MigrateTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	db := sqlx.MustConnect("postgres", url)
	defer db.Close()
	db.MustExec(`INSERT INTO email_outbox (report_key, recipient_email, subject, status, created_at)
		VALUES ('ranking-1', 'a@example.org', 'R', 'sent', '2026-11-24T02:00:00Z'),
		       ('ranking-1', 'b@example.org', 'R', 'pending', '2026-11-24T02:00:00Z')`)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.OutboxEmails(ctx, "ranking-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Status != store.OutboxSent || rows[1].Status != store.OutboxFailed ||
		!rows[1].NextAttemptAt.Equal(rows[1].CreatedAt) || rows[1].LastError == "" {
		t.Errorf("rows after 0007: %+v; want a@ still sent, b@ failed with a reason", rows)
	}
}

// TestMigrationAnswerTotals stores respondents with the schema before
// 0013, in two files, with scores whose double sums are inexact and a
// respondent matched to no practice, applies 0013 and checks the totals
// it computed: exact against the answers, and equal to a recomputation.
func TestMigrationAnswerTotals(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	st := storetest.Open(t, url)
	if err := st.MigrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if err := st.SyncCatalogue(ctx, survey.DefaultCatalogue()); err != nil {
		t.Fatal(err)
	}
	db := sqlx.MustConnect("postgres", url)
	defer db.Close()
	db.MustExec(`INSERT INTO practices (ods_code, name) VALUES ('K84001', 'Abbey'), ('K84002', 'Isis')`)
	db.MustExec(`INSERT INTO source_files (id, name, sha256, size_bytes, platform, format, workstreams)
		VALUES (1, 'a.csv', repeat('a', 64), 10, 'generic', 'csv', '{wifi,telephony}'),
		       (2, 'b.csv', repeat('b', 64), 10, 'generic', 'csv', '{telephony}')`)
	db.MustExec(`INSERT INTO respondents (file_id, row_number, respondent_key, practice_ods, role, raw, score) VALUES
		(1, 2, 'k1', 'K84001', 'GP', '{a,b}', '{0.1,0.7}'),
		(1, 3, 'k2', 'K84001', ' GP ', '{a,b}', '{0.2,0.7}'),
		(1, 4, 'k3', 'K84001', 'Nurse', '{a,"Don''t know"}', '{0.3333333333333333,NULL}'),
		(1, 5, 'k4', NULL, 'GP', '{a,b}', '{1,1}'),
		(2, 2, 'k5', 'K84001', 'GP', '{c}', '{0.7}'),
		(2, 3, 'k6', 'K84002', '', '{""}', '{NULL}')`)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st.RankingInputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 0.7 + 0.7 + 0.7 in doubles is 2.0999999999999996; exactly, 2.1. A
	// mean is the exact sum rounded to a double, divided in doubles.
	sums := []float64{2.1, 0.6333333333333333}
	want := store.RankingInputs{
		Scores: []store.PracticeScore{
			{Practice: "K84001", Workstream: "telephony", Mean: sums[0] / 3, Scored: 3, Respondents: 4},
			{Practice: "K84001", Workstream: "wifi", Mean: sums[1] / 3, Scored: 3, Respondents: 3},
		},
		Roles: []store.RoleScore{
			{Practice: "K84001", Role: "GP", Workstream: "telephony", Sum: 2.1, Scored: 3, Respondents: 3},
			{Practice: "K84001", Role: "GP", Workstream: "wifi", Sum: 0.3, Scored: 2, Respondents: 2},
			{Practice: "K84001", Role: "Nurse", Workstream: "telephony", Scored: 0, Respondents: 1},
			{Practice: "K84001", Role: "Nurse", Workstream: "wifi", Sum: 0.3333333333333333, Scored: 1, Respondents: 1},
		},
		Totals: store.Totals{Respondents: 6, Practices: 2, Files: 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ranking inputs after the migration (-want +got):\n%s", d)
	}
	if check, err := st.RecomputeTotals(ctx); err != nil || !check.Equal() {
		t.Errorf("recompute after the migration: %+v, %v; want the same totals", check, err)
	}
}

// TestMigrationsTakeTheLoadLockByItsKey checks that the migrations that
// wait for loads (a literal in SQL) name the key the loads take.
func TestMigrationsTakeTheLoadLockByItsKey(t *testing.T) {
	sql, err := os.ReadFile("migrations/0013_answer_totals.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pg_advisory_xact_lock(%d)", store.LoadLockKey); !strings.Contains(string(sql), want) {
		t.Errorf("0013 does not take the load lock: want %s", want)
	}
}
