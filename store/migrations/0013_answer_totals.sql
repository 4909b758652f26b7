-- 0013_answer_totals: the survey aggregates the ranking reads, kept per
-- file.
--
-- Why: every ranking aggregated every stored answer again, so its cost
-- grew with the respondents (13 s at a million), and serve ranks after
-- every file. The ranking needs only sums and counts per practice, role
-- and workstream. answer_totals keeps them per file, written in the same
-- transaction as the file's respondents, after its duplicates are
-- removed; practice_totals counts each file's respondents per practice
-- ('' for those matched to none), which the ranking's totals need. Both
-- are deleted with their file (forget) and follow re-matched
-- respondents. The respondents keep their answers: `rank --recompute`
-- rebuilds the tables from them and says whether anything differed.
--
-- answer_totals_all and practice_totals_all are the same summed over
-- every file, kept by the same statements: the ranking reads only these,
-- so its cost is bounded by practices, roles and workstreams however many
-- files the respondents came in (daily re-exports of a growing form add
-- a file each day, each with rows for the practices its new respondents
-- named).
--
-- Exactness: score_sum is numeric, the exact sum of each answer's score
-- written as the shortest decimal that reads back as the stored double
-- (score::text, as extra_float_digits >= 1 prints it). A numeric sum is
-- the same in any order and under any grouping, so the totals of a file
-- loaded today equal a recomputation from its answers tomorrow, and the
-- ranking converts each sum to double precision once (docs/METHOD.md §1).
-- (score::numeric would round each score to 15 digits first.)
--
-- A row whose counts reach 0 (a forget, a re-match) is deleted in the
-- transaction that made them so.
--
-- Like respondents, the tables carry no foreign keys: a trigger call per
-- row would cost more than the aggregation. The statements that load,
-- forget and re-match keep them consistent under the load lock.

CREATE TABLE answer_totals (
    file_id       bigint NOT NULL,
    practice_ods  text NOT NULL,
    -- role is the role as typed, trimmed (btrim), as RoleScores groups it.
    role          text NOT NULL,
    workstream_id text NOT NULL,
    -- answered counts non-blank answers, scored those with a score, and
    -- score_sum is the exact sum of their scores.
    answered      integer NOT NULL CHECK (answered > 0),
    scored        integer NOT NULL CHECK (scored BETWEEN 0 AND answered),
    score_sum     numeric NOT NULL CHECK (score_sum >= 0),
    PRIMARY KEY (file_id, practice_ods, role, workstream_id)
);

CREATE TABLE answer_totals_all (
    practice_ods  text NOT NULL,
    role          text NOT NULL,
    workstream_id text NOT NULL,
    answered      bigint NOT NULL CHECK (answered >= 0),
    scored        bigint NOT NULL CHECK (scored BETWEEN 0 AND answered),
    score_sum     numeric NOT NULL CHECK (score_sum >= 0),
    PRIMARY KEY (practice_ods, role, workstream_id)
);

CREATE TABLE practice_totals (
    file_id      bigint NOT NULL,
    -- practice_ods is '' for the file's respondents matched to no practice.
    practice_ods text NOT NULL,
    respondents  integer NOT NULL CHECK (respondents > 0),
    PRIMARY KEY (file_id, practice_ods)
);

CREATE TABLE practice_totals_all (
    practice_ods text PRIMARY KEY,
    respondents  bigint NOT NULL CHECK (respondents >= 0)
);

-- What is stored so far, computed as a load computes it. Any
-- extra_float_digits of 1 or more prints the shortest exact decimal.
-- Loads that commit while the totals are computed would be left out of
-- them: wait for the one running, and hold the rest off, under the lock
-- every load takes (store/load.go loadLockKey, "SWLOAD").
SELECT pg_advisory_xact_lock(91634407522628);
SET LOCAL extra_float_digits = 1;

INSERT INTO answer_totals (file_id, practice_ods, role, workstream_id, answered, scored, score_sum)
SELECT c.file_id, c.practice_ods, c.role, f.workstreams[c.ord],
    sum(c.n), coalesce(sum(c.n) FILTER (WHERE c.score IS NOT NULL), 0),
    coalesce(sum(c.n * c.score::text::numeric), 0)
FROM (SELECT r.file_id, r.practice_ods, btrim(r.role) AS role, a.ord, a.score, count(*) AS n
    FROM respondents r
    CROSS JOIN LATERAL unnest(r.raw, r.score) WITH ORDINALITY AS a (raw, score, ord)
    WHERE r.practice_ods IS NOT NULL AND a.raw <> ''
    GROUP BY 1, 2, 3, 4, 5) c
JOIN source_files f ON f.id = c.file_id
WHERE f.workstreams[c.ord] IS NOT NULL
GROUP BY c.file_id, c.practice_ods, c.role, f.workstreams[c.ord];

INSERT INTO practice_totals (file_id, practice_ods, respondents)
SELECT file_id, coalesce(practice_ods, ''), count(*)
FROM respondents GROUP BY 1, 2;

INSERT INTO answer_totals_all (practice_ods, role, workstream_id, answered, scored, score_sum)
SELECT practice_ods, role, workstream_id, sum(answered), sum(scored), sum(score_sum)
FROM answer_totals GROUP BY 1, 2, 3;

INSERT INTO practice_totals_all (practice_ods, respondents)
SELECT practice_ods, sum(respondents) FROM practice_totals GROUP BY 1;

-- Re-matching looks up the answers that matched no practice; loads add to
-- this index only for those rows.
CREATE INDEX respondents_unmatched_idx ON respondents (practice_text) WHERE practice_ods IS NULL;
