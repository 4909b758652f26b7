-- 0002_wide_answers: one row per respondent, answers held as arrays.
--
-- Why: in 0001 every answer was its own row in "answers", with a primary
-- key, a workstream index and two foreign-key triggers. Loading a 100,000
-- respondent export wrote about 4 million such rows and spent about 90% of
-- its time on their index entries and per-row trigger checks. A file's
-- answer columns are the same for every respondent, so the file now records
-- its column list once (source_files.workstreams) and each respondent holds
-- its answers as arrays aligned with it. "answers" and "comments" become
-- views that unnest them, so queries still see one row per answer.
--
-- Respondents no longer carry row-level foreign keys either; each cost one
-- trigger call per respondent. The loader keeps the same guarantees once
-- per file, in the load's transaction: file_id is the source_files row it
-- has just inserted, every practice code is checked against practices, and
-- every workstream of the column list against workstreams. Nothing deletes
-- source files or practices.

ALTER TABLE source_files
    ADD COLUMN workstreams       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN comment_questions text[] NOT NULL DEFAULT '{}';

ALTER TABLE respondents
    ADD COLUMN raw      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN score    real[] NOT NULL DEFAULT '{}',
    ADD COLUMN comments text[] NOT NULL DEFAULT '{}';

-- Move the answers and comments stored so far into the arrays: the file's
-- column list is the workstreams (and comment questions) its respondents
-- answered, in a fixed order; a respondent's unanswered cells are '' with a
-- NULL score, as the loader writes them.
UPDATE source_files f SET workstreams = coalesce((
    SELECT array_agg(DISTINCT a.workstream_id ORDER BY a.workstream_id)
    FROM answers a JOIN respondents r ON r.id = a.respondent_id
    WHERE r.file_id = f.id), '{}');

UPDATE source_files f SET comment_questions = coalesce((
    SELECT array_agg(DISTINCT c.question ORDER BY c.question)
    FROM comments c JOIN respondents r ON r.id = c.respondent_id
    WHERE r.file_id = f.id), '{}');

UPDATE respondents r SET
    raw = coalesce((SELECT array_agg(coalesce(a.raw, '') ORDER BY w.ord)
        FROM unnest(f.workstreams) WITH ORDINALITY AS w (id, ord)
        LEFT JOIN answers a ON a.respondent_id = r.id AND a.workstream_id = w.id), '{}'),
    score = coalesce((SELECT array_agg(a.score ORDER BY w.ord)
        FROM unnest(f.workstreams) WITH ORDINALITY AS w (id, ord)
        LEFT JOIN answers a ON a.respondent_id = r.id AND a.workstream_id = w.id), '{}'),
    comments = coalesce((SELECT array_agg(coalesce(c.body, '') ORDER BY q.ord)
        FROM unnest(f.comment_questions) WITH ORDINALITY AS q (question, ord)
        LEFT JOIN comments c ON c.respondent_id = r.id AND c.question = q.question), '{}')
FROM source_files f
WHERE f.id = r.file_id;

DROP TABLE answers;
DROP TABLE comments;

ALTER TABLE respondents
    DROP CONSTRAINT respondents_file_id_fkey,
    DROP CONSTRAINT respondents_practice_ods_fkey,
    ADD CONSTRAINT respondents_answers_aligned CHECK (cardinality(raw) = cardinality(score)),
    ADD CONSTRAINT respondents_score_range CHECK (0 <= ALL (score) AND 1 >= ALL (score));

-- The respondent key stays unique, checked at commit: the loader copies a
-- file's rows in, then removes the rows whose respondent was already
-- stored, before the check runs.
ALTER TABLE respondents DROP CONSTRAINT respondents_respondent_key_key;
ALTER TABLE respondents ADD CONSTRAINT respondents_respondent_key_key
    UNIQUE (respondent_key) DEFERRABLE INITIALLY DEFERRED;

-- answers has one row per answered cell: respondent, workstream, the answer
-- as written and its 0..1 score (NULL for "Don't know" and the like).
CREATE VIEW answers AS
SELECT r.id AS respondent_id, a.workstream_id, a.raw, a.score
FROM respondents r
JOIN source_files f ON f.id = r.file_id
CROSS JOIN LATERAL unnest(f.workstreams, r.raw, r.score) AS a (workstream_id, raw, score)
WHERE a.raw <> '';

-- comments has one row per non-empty free-text answer, personal data
-- already masked by the loader.
CREATE VIEW comments AS
SELECT r.id AS respondent_id, c.question, c.body
FROM respondents r
JOIN source_files f ON f.id = r.file_id
CROSS JOIN LATERAL unnest(f.comment_questions, r.comments) AS c (question, body)
WHERE c.body <> '';
