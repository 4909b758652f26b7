-- 0003_ranking_uncertainty: what a ranking run keeps beyond its scores.
--
-- params holds the run's parameters other than the weights: the bootstrap
-- resamples and seed, and the source of the workshop criteria (the
-- catalogue, or a criteria file). previous_run_id is the stored run the
-- run was compared with for movement, and new_responses the respondents
-- added since. sensitivity holds the weight margins and segments the
-- per-federation and per-role practice priorities, both as the analysis
-- computed them. Each row's interval, rank range, tier probability and
-- movement go in ranking_rows.detail with its other per-row fields.

ALTER TABLE ranking_runs
    ADD COLUMN params          jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN previous_run_id bigint REFERENCES ranking_runs (id) ON DELETE SET NULL,
    ADD COLUMN new_responses   integer NOT NULL DEFAULT 0,
    ADD COLUMN sensitivity     jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN segments        jsonb NOT NULL DEFAULT '[]';
