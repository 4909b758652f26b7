-- 0004_score_precision: answer scores in double precision.
--
-- Why: real (4-byte) scores carry errors of about 1e-8 (0.7 is stored as
-- 0.699999988), larger than the tolerance with which tiers and the top-two
-- share compare a mean with its threshold, so rounding could decide them.
-- Scores are fractions with short decimal expansions (n/4, n/10, Borda
-- points), so the stored values are rounded to 7 decimals on the way,
-- which gives back 0.7, 0.75 and 0.5 exactly.

DROP VIEW answers;

CREATE FUNCTION pg_temp.scores_to_double(s real[]) RETURNS double precision[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(round(x::numeric, 7)::double precision ORDER BY i), '{}')
    FROM unnest(s) WITH ORDINALITY AS u (x, i)
$$;

ALTER TABLE respondents
    ALTER COLUMN score TYPE double precision[] USING pg_temp.scores_to_double(score),
    ALTER COLUMN score SET DEFAULT '{}';

CREATE VIEW answers AS
SELECT r.id AS respondent_id, a.workstream_id, a.raw, a.score
FROM respondents r
JOIN source_files f ON f.id = r.file_id
CROSS JOIN LATERAL unnest(f.workstreams, r.raw, r.score) AS a (workstream_id, raw, score)
WHERE a.raw <> '';
