package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/surveyworker/surveyworker/survey"
)

// PracticeScore is the survey aggregate of one practice for one workstream:
// the mean of its respondents' scored answers. Respondents whose practice
// was not matched to the registry are not included.
type PracticeScore struct {
	// Practice is the practice's ODS code.
	Practice string `db:"practice"`
	// Federation is the practice's federation, empty when it has none.
	Federation string `db:"federation"`
	// ListSize is the practice's registered list size, 0 when unknown.
	ListSize int `db:"list_size"`
	// Workstream is the workstream ID.
	Workstream string `db:"workstream"`
	// Mean is the mean score (0..1) of the practice's non-missing answers;
	// it is 0 and meaningless when Scored is 0.
	Mean float64 `db:"mean"`
	// Scored is the number of the practice's respondents with a non-missing
	// answer for the workstream.
	Scored int `db:"scored"`
	// Respondents is the number of the practice's respondents with any
	// answer for the workstream, including "Don't know"-style answers.
	Respondents int `db:"respondents"`
}

// RoleScore is the survey aggregate of the respondents of one practice who
// typed the same role, for one workstream. Summing Sum and Scored over role
// texts gives the practice mean of any group of roles with each respondent
// weighing the same.
type RoleScore struct {
	// Practice is the practice's ODS code.
	Practice string `db:"practice"`
	// Role is the role as the respondents typed it, trimmed; empty when
	// not given.
	Role string `db:"role"`
	// Workstream is the workstream ID.
	Workstream string `db:"workstream"`
	// Sum is the sum of the scores (0..1) of the non-missing answers.
	Sum float64 `db:"sum"`
	// Scored is the number of non-missing answers.
	Scored int `db:"scored"`
	// Respondents is the number of respondents with any answer for the
	// workstream, including "Don't know"-style answers.
	Respondents int `db:"respondents"`
}

// Totals counts what the database holds for a ranking's summary.
type Totals struct {
	// Respondents is the number of respondents stored.
	Respondents int `db:"respondents"`
	// Practices is the number of registry practices with at least one
	// respondent.
	Practices int `db:"practices"`
	// Files is the number of source files loaded.
	Files int `db:"files"`
}

// practiceScoresSQL sums the survey totals of every role per practice and
// workstream: the exact sums are converted to double
// precision once, here, and divided by the count in double precision, as
// the mean of the answers was before the totals were kept.
const practiceScoresSQL = `SELECT t.practice_ods AS practice, coalesce(f.name, '') AS federation,
		coalesce(p.list_size, 0) AS list_size, t.workstream_id AS workstream,
		coalesce(t.sum::float8 / nullif(t.scored, 0), 0) AS mean, t.scored, t.respondents
	FROM (SELECT practice_ods, workstream_id, sum(score_sum) AS sum, sum(scored) AS scored,
			sum(answered) AS respondents
		FROM answer_totals_all GROUP BY 1, 2) t
	JOIN practices p ON p.ods_code = t.practice_ods
	LEFT JOIN federations f ON f.id = p.federation_id
	ORDER BY t.practice_ods COLLATE "C", t.workstream_id COLLATE "C"`

// PracticeScores returns one row per (practice, workstream) that has at
// least one answer from a respondent matched to a practice, ordered by
// practice and workstream. It reads the survey totals, not the answers,
// so its cost does not grow with the respondents.
func (s *Store) PracticeScores(ctx context.Context) ([]PracticeScore, error) {
	var out []PracticeScore
	err := s.readTx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, practiceScoresSQL)
	})
	if err != nil {
		return nil, fmt.Errorf("store: practice scores: %w", err)
	}
	return out, nil
}

// roleScoresSQL reads the survey totals per practice, role and
// workstream.
const roleScoresSQL = `SELECT t.practice_ods AS practice, t.role, t.workstream_id AS workstream,
		t.score_sum::float8 AS sum, t.scored, t.answered AS respondents
	FROM answer_totals_all t
	JOIN practices p ON p.ods_code = t.practice_ods
	ORDER BY t.practice_ods COLLATE "C", t.role COLLATE "C", t.workstream_id COLLATE "C"`

// RoleScores returns one row per (practice, role text, workstream) with at
// least one answer from respondents matched to a registry practice,
// ordered by practice, role and workstream. The role text is returned as
// typed (trimmed), so that the grouping of roles stays in one place, the
// analysis. Like [Store.PracticeScores] it reads the survey totals.
func (s *Store) RoleScores(ctx context.Context) ([]RoleScore, error) {
	var out []RoleScore
	err := s.readTx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, roleScoresSQL)
	})
	if err != nil {
		return nil, fmt.Errorf("store: role scores: %w", err)
	}
	return out, nil
}

// totalsSQL counts respondents, responding practices and files from the
// survey totals.
const totalsSQL = `SELECT
		(SELECT coalesce(sum(respondents), 0) FROM practice_totals_all) AS respondents,
		(SELECT count(*) FROM practice_totals_all WHERE practice_ods <> '') AS practices,
		(SELECT count(*) FROM source_files) AS files`

// Totals returns the number of respondents, responding practices and
// loaded files.
func (s *Store) Totals(ctx context.Context) (Totals, error) {
	var t Totals
	if err := s.db.GetContext(ctx, &t, totalsSQL); err != nil {
		return Totals{}, fmt.Errorf("store: totals: %w", err)
	}
	return t, nil
}

// RankingInputs are what a ranking reads from the store, from one
// snapshot of the database.
type RankingInputs struct {
	// Scores are as [Store.PracticeScores] returns them.
	Scores []PracticeScore
	// Roles are as [Store.RoleScores] returns them.
	Roles []RoleScore
	// Totals are as [Store.Totals] returns them.
	Totals Totals
}

// rankingInputsSQL reads the survey totals of registry practices as they
// are stored, one row per practice, role and workstream, the sums as
// exact decimals: summing them per practice in PostgreSQL would cost more
// than the scan, so [scanRankingInputs] does it.
const rankingInputsSQL = `SELECT t.practice_ods, t.role, t.workstream_id, t.score_sum, t.scored, t.answered
	FROM answer_totals_all t
	WHERE EXISTS (SELECT 1 FROM practices p WHERE p.ods_code = t.practice_ods)`

// RankingInputs returns the practice scores, role scores and totals
// together, as the three methods that return each would, to the bit, but
// from one read-only snapshot and one scan of the survey totals.
func (s *Store) RankingInputs(ctx context.Context) (RankingInputs, error) {
	var in RankingInputs
	err := s.readTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &in.Totals, totalsSQL); err != nil {
			return err
		}
		var err error
		in.Scores, in.Roles, err = scanRankingInputs(ctx, tx)
		return err
	})
	if err != nil {
		return RankingInputs{}, fmt.Errorf("store: ranking inputs: %w", err)
	}
	return in, nil
}

// practiceInfo is what a practice score takes from the registry.
type practiceInfo struct {
	federation string
	listSize   int
}

// registryInfo returns the federation and list size of every practice.
func registryInfo(ctx context.Context, tx *sqlx.Tx) (map[string]practiceInfo, error) {
	out := map[string]practiceInfo{}
	rows, err := tx.QueryContext(ctx, `SELECT p.ods_code, coalesce(f.name, ''), coalesce(p.list_size, 0)
		FROM practices p LEFT JOIN federations f ON f.id = p.federation_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var in practiceInfo
		if err := rows.Scan(&code, &in.federation, &in.listSize); err != nil {
			return nil, err
		}
		out[code] = in
	}
	return out, rows.Err()
}

// scanRankingInputs reads rankingInputsSQL and returns the rows as
// PracticeScores and RoleScores return them. A role row's sum is its
// exact decimal rounded to a double, as PostgreSQL's cast rounds it; a
// practice's is the exact sum of its roles' decimals, rounded once.
func scanRankingInputs(ctx context.Context, tx *sqlx.Tx) ([]PracticeScore, []RoleScore, error) {
	registry, err := registryInfo(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM answer_totals_all`); err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, rankingInputsSQL)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	roles := make([]RoleScore, 0, n)
	sums := make([]string, 0, n) // exact sums, aligned with roles
	names := map[string]string{}
	intern := func(b sql.RawBytes) string {
		if s, ok := names[string(b)]; ok {
			return s
		}
		s := string(b)
		names[s] = s
		return s
	}
	var practice, role, workstream, sum sql.RawBytes
	for rows.Next() {
		var r RoleScore
		if err := rows.Scan(&practice, &role, &workstream, &sum, &r.Scored, &r.Respondents); err != nil {
			return nil, nil, err
		}
		r.Practice, r.Role, r.Workstream = intern(practice), intern(role), intern(workstream)
		if r.Sum, err = strconv.ParseFloat(string(sum), 64); err != nil {
			return nil, nil, fmt.Errorf("sum %q: %w", sum, err)
		}
		roles = append(roles, r)
		sums = append(sums, string(sum))
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	order := sortedOrder(roles)
	scores, err := practiceScores(roles, sums, order, registry)
	if err != nil {
		return nil, nil, err
	}
	sorted := make([]RoleScore, len(roles))
	for i, k := range order.byRole {
		sorted[i] = roles[k]
	}
	return scores, sorted, nil
}

// rowOrder holds two orders of role rows, as indexes into them: by
// practice, role and workstream, and by practice, workstream and role.
type rowOrder struct {
	byRole, byWorkstream []int
}

// sortedOrder returns the orders of roles. The names are few (practices,
// roles, workstreams), so each is ranked once and the rows are sorted by
// integer keys, not by comparing strings.
func sortedOrder(roles []RoleScore) rowOrder {
	practice, role, workstream := map[string]uint64{}, map[string]uint64{}, map[string]uint64{}
	for _, r := range roles {
		practice[r.Practice], role[r.Role], workstream[r.Workstream] = 0, 0, 0
	}
	if max(len(practice), len(role), len(workstream)) >= 1<<21 {
		return stringOrder(roles)
	}
	for _, m := range []map[string]uint64{practice, role, workstream} {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		for i, n := range names {
			m[n] = uint64(i)
		}
	}
	type keyed struct {
		key uint64
		row int
	}
	byRole, byWorkstream := make([]keyed, len(roles)), make([]keyed, len(roles))
	for i, r := range roles {
		p, ro, w := practice[r.Practice], role[r.Role], workstream[r.Workstream]
		byRole[i] = keyed{p<<42 | ro<<21 | w, i}
		byWorkstream[i] = keyed{p<<42 | w<<21 | ro, i}
	}
	order := func(keys []keyed) []int {
		slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
		out := make([]int, len(keys))
		for i, k := range keys {
			out[i] = k.row
		}
		return out
	}
	return rowOrder{byRole: order(byRole), byWorkstream: order(byWorkstream)}
}

// stringOrder is [sortedOrder] comparing the names themselves, for more
// names than its keys hold.
func stringOrder(roles []RoleScore) rowOrder {
	o := rowOrder{byRole: make([]int, len(roles)), byWorkstream: make([]int, len(roles))}
	for i := range roles {
		o.byRole[i], o.byWorkstream[i] = i, i
	}
	slices.SortFunc(o.byRole, func(a, b int) int {
		return cmp.Or(strings.Compare(roles[a].Practice, roles[b].Practice), strings.Compare(roles[a].Role, roles[b].Role),
			strings.Compare(roles[a].Workstream, roles[b].Workstream))
	})
	slices.SortFunc(o.byWorkstream, func(a, b int) int {
		return cmp.Or(strings.Compare(roles[a].Practice, roles[b].Practice), strings.Compare(roles[a].Workstream, roles[b].Workstream),
			strings.Compare(roles[a].Role, roles[b].Role))
	})
	return o
}

// practiceScores sums roles (with their exact sums) per practice and
// workstream, sorted by practice and workstream.
func practiceScores(roles []RoleScore, sums []string, o rowOrder, registry map[string]practiceInfo) ([]PracticeScore, error) {
	order := o.byWorkstream
	scores := make([]PracticeScore, 0, len(roles))
	var exact exactSum
	for k := 0; k < len(order); {
		first := roles[order[k]]
		end := k + 1
		for end < len(order) && roles[order[end]].Practice == first.Practice && roles[order[end]].Workstream == first.Workstream {
			end++
		}
		info := registry[first.Practice]
		p := PracticeScore{Practice: first.Practice, Federation: info.federation, ListSize: info.listSize,
			Workstream: first.Workstream}
		sum := first.Sum
		if end-k > 1 {
			exact.reset()
		}
		for _, i := range order[k:end] {
			p.Scored += roles[i].Scored
			p.Respondents += roles[i].Respondents
			if end-k > 1 {
				if err := exact.addDecimal(sums[i]); err != nil {
					return nil, err
				}
			}
		}
		if end-k > 1 {
			var err error
			if sum, err = strconv.ParseFloat(exact.String(), 64); err != nil {
				return nil, err
			}
		}
		if p.Scored > 0 {
			p.Mean = sum / float64(p.Scored)
		}
		scores = append(scores, p)
		k = end
	}
	return scores, nil
}

// readTx runs fn in a read-only, repeatable-read transaction in which
// doubles are printed exactly (see exactFloatText).
func (s *Store) readTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, exactFloatText); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// rowDetail is the part of a ranked workstream kept in ranking_rows.detail.
type rowDetail struct {
	Position      int                  `json:"position"`
	BaseTier      survey.Tier          `json:"base_tier"`
	Mandated      bool                 `json:"mandated"`
	GPFV          bool                 `json:"gpfv"`
	Impact        int                  `json:"impact"`
	Dependents    int                  `json:"dependents"`
	Contributions survey.Contributions `json:"contributions"`

	CILow           float64     `json:"ci_low"`
	CIHigh          float64     `json:"ci_high"`
	RankLow         int         `json:"rank_low"`
	RankHigh        int         `json:"rank_high"`
	TierProbability float64     `json:"tier_probability"`
	RankChange      *int        `json:"rank_change"`
	PreviousTier    survey.Tier `json:"previous_tier,omitempty"`
	TierChange      int         `json:"tier_change"`
}

// SaveRanking stores r as a new ranking run with its rows in one
// transaction, sets r.RunID and returns it. A zero r.CreatedAt is set from
// [Store.Now].
func (s *Store) SaveRanking(ctx context.Context, r *survey.Ranking) (int64, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.Now()
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if id, err = insertRun(ctx, tx, r); err != nil {
			return err
		}
		for i, row := range r.Rows {
			if err := insertRow(ctx, tx, id, i, row); err != nil {
				return fmt.Errorf("row %s: %w", row.WorkstreamID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: save ranking: %w", err)
	}
	r.RunID = id
	return id, nil
}

func insertRun(ctx context.Context, tx *sqlx.Tx, r *survey.Ranking) (int64, error) {
	var js [4][]byte
	for i, v := range []any{r.Weights, r.Params, jsonList(r.Sensitivity), jsonList(r.Segments)} {
		var err error
		if js[i], err = json.Marshal(v); err != nil {
			return 0, err
		}
	}
	var prev *int64
	if r.Previous != nil {
		prev = &r.Previous.RunID
	}
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO ranking_runs (created_at, method, weights, respondents, practices, files,
			params, previous_run_id, new_responses, sensitivity, segments)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.CreatedAt, r.Method, js[0], r.Respondents, r.Practices, r.Files,
		js[1], prev, r.NewResponses, js[2], js[3])
	return id, err
}

// jsonList returns an empty slice for nil, so that it is stored as [] and
// not null.
func jsonList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func insertRow(ctx context.Context, tx *sqlx.Tx, runID int64, pos int, w survey.RankedWorkstream) error {
	detail, err := json.Marshal(rowDetail{
		Position: pos, BaseTier: w.BaseTier, Mandated: w.Mandated, GPFV: w.GPFV,
		Impact: w.Impact, Dependents: w.Dependents, Contributions: w.Contributions,
		CILow: w.CILow, CIHigh: w.CIHigh, RankLow: w.RankLow, RankHigh: w.RankHigh,
		TierProbability: w.TierProbability, RankChange: w.RankChange,
		PreviousTier: w.PreviousTier, TierChange: w.TierChange,
	})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ranking_rows (run_id, workstream_id, workstream, rank, tier, score,
			practice_priority, top2_share, practices, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		runID, w.WorkstreamID, w.Workstream, w.Rank, string(w.Tier), w.Score,
		w.PracticePriority, w.Top2Share, w.Practices, detail)
	return err
}

// LatestRanking returns the most recently stored ranking run with its rows
// in rank order, passing over what-if runs (see [survey.RunParams]). It
// returns an error wrapping [ErrNotFound] when no such ranking has been
// stored.
func (s *Store) LatestRanking(ctx context.Context) (*survey.Ranking, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT id FROM ranking_runs
		WHERE NOT coalesce((params->>'what_if')::boolean, false)
		ORDER BY created_at DESC, id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: latest ranking: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: latest ranking: %w", err)
	}
	return s.Ranking(ctx, id)
}

// PreviousRanking returns the ranking run stored just before run id (by
// creation time, then ID), passing over what-if runs, with its rows, or an
// error wrapping [ErrNotFound] when there is none.
func (s *Store) PreviousRanking(ctx context.Context, id int64) (*survey.Ranking, error) {
	var prev int64
	err := s.db.GetContext(ctx, &prev, `SELECT p.id FROM ranking_runs p, ranking_runs r
		WHERE r.id = $1 AND (p.created_at, p.id) < (r.created_at, r.id)
			AND NOT coalesce((p.params->>'what_if')::boolean, false)
		ORDER BY p.created_at DESC, p.id DESC LIMIT 1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ranking before %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: ranking before %d: %w", id, err)
	}
	return s.Ranking(ctx, prev)
}

// Ranking returns the stored ranking run id with its rows in rank order,
// or an error wrapping [ErrNotFound].
func (s *Store) Ranking(ctx context.Context, id int64) (*survey.Ranking, error) {
	r, err := loadRun(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("store: ranking %d: %w", id, err)
	}
	if r.Rows, err = loadRows(ctx, s.db, id); err != nil {
		return nil, fmt.Errorf("store: ranking %d rows: %w", id, err)
	}
	return r, nil
}

func loadRun(ctx context.Context, db *sqlx.DB, id int64) (*survey.Ranking, error) {
	var run struct {
		CreatedAt    time.Time  `db:"created_at"`
		Method       string     `db:"method"`
		Weights      []byte     `db:"weights"`
		Respondents  int        `db:"respondents"`
		Practices    int        `db:"practices"`
		Files        int        `db:"files"`
		Params       []byte     `db:"params"`
		NewResponses int        `db:"new_responses"`
		Sensitivity  []byte     `db:"sensitivity"`
		Segments     []byte     `db:"segments"`
		PrevID       *int64     `db:"prev_id"`
		PrevAt       *time.Time `db:"prev_at"`
		PrevCount    *int       `db:"prev_respondents"`
	}
	err := db.GetContext(ctx, &run, `SELECT r.created_at, r.method, r.weights, r.respondents, r.practices, r.files,
			r.params, r.new_responses, r.sensitivity, r.segments,
			p.id AS prev_id, p.created_at AS prev_at, p.respondents AS prev_respondents
		FROM ranking_runs r LEFT JOIN ranking_runs p ON p.id = r.previous_run_id
		WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r := &survey.Ranking{RunID: id, CreatedAt: run.CreatedAt, Method: run.Method,
		Respondents: run.Respondents, Practices: run.Practices, Files: run.Files,
		NewResponses: run.NewResponses}
	if run.PrevID != nil {
		r.Previous = &survey.RunRef{RunID: *run.PrevID, CreatedAt: *run.PrevAt, Respondents: *run.PrevCount}
	}
	for _, f := range []struct {
		name string
		raw  []byte
		into any
	}{
		{"weights", run.Weights, &r.Weights}, {"params", run.Params, &r.Params},
		{"sensitivity", run.Sensitivity, &r.Sensitivity}, {"segments", run.Segments, &r.Segments},
	} {
		if err := json.Unmarshal(f.raw, f.into); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if len(r.Sensitivity) == 0 {
		r.Sensitivity = nil
	}
	if len(r.Segments) == 0 {
		r.Segments = nil
	}
	return r, nil
}

func loadRows(ctx context.Context, db *sqlx.DB, id int64) ([]survey.RankedWorkstream, error) {
	rows, err := db.QueryxContext(ctx, `SELECT workstream_id, workstream, rank, tier, score,
			practice_priority, top2_share, practices, detail
		FROM ranking_rows WHERE run_id = $1
		ORDER BY rank, (detail->>'position')::integer, workstream_id COLLATE "C"`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []survey.RankedWorkstream
	for rows.Next() {
		w, err := scanRankedRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func scanRankedRow(rows *sqlx.Rows) (survey.RankedWorkstream, error) {
	var w survey.RankedWorkstream
	var tier string
	var detail []byte
	err := rows.Scan(&w.WorkstreamID, &w.Workstream, &w.Rank, &tier, &w.Score,
		&w.PracticePriority, &w.Top2Share, &w.Practices, &detail)
	if err != nil {
		return w, err
	}
	w.Tier = survey.Tier(tier)
	var d rowDetail
	if err := json.Unmarshal(detail, &d); err != nil {
		return w, fmt.Errorf("workstream %s detail: %w", w.WorkstreamID, err)
	}
	w.BaseTier, w.Mandated, w.GPFV = d.BaseTier, d.Mandated, d.GPFV
	w.Impact, w.Dependents, w.Contributions = d.Impact, d.Dependents, d.Contributions
	w.CILow, w.CIHigh, w.RankLow, w.RankHigh = d.CILow, d.CIHigh, d.RankLow, d.RankHigh
	w.TierProbability, w.RankChange = d.TierProbability, d.RankChange
	w.PreviousTier, w.TierChange = d.PreviousTier, d.TierChange
	return w, nil
}
