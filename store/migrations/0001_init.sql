-- 0001_init: the whole first schema.
--
-- Personal data: respondents hold no names, e-mail addresses or IP
-- addresses. email_hmac is a keyed hash used only to recognise repeat
-- submissions; practice_text is the organisation the respondent named.

CREATE TABLE federations (
    id   bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE practices (
    ods_code      text PRIMARY KEY CHECK (ods_code ~ '^[A-Z0-9]{3,10}$'),
    name          text NOT NULL,
    federation_id bigint REFERENCES federations (id),
    list_size     integer CHECK (list_size IS NULL OR list_size >= 0),
    postcode      text,
    aliases       text[] NOT NULL DEFAULT '{}',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practices_federation_idx ON practices (federation_id);

CREATE TABLE workstreams (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    position integer NOT NULL,
    doc_tier text NOT NULL DEFAULT '',
    mandated boolean NOT NULL DEFAULT false,
    gpfv     boolean NOT NULL DEFAULT false,
    impact   smallint NOT NULL CHECK (impact BETWEEN 1 AND 5),
    aliases  text[] NOT NULL DEFAULT '{}',
    active   boolean NOT NULL DEFAULT true
);

-- workstream_links holds the roadmap's "considered with" relation: a row
-- (a, b) says workstream a must be considered with b.
CREATE TABLE workstream_links (
    workstream_id   text NOT NULL REFERENCES workstreams (id) ON DELETE CASCADE,
    considered_with text NOT NULL REFERENCES workstreams (id) ON DELETE CASCADE,
    PRIMARY KEY (workstream_id, considered_with),
    CHECK (workstream_id <> considered_with)
);

-- source_files has one row per file loaded. Rejected files are not
-- recorded here: a rejection leaves the database unchanged and is explained
-- by the reason file beside the quarantined file.
CREATE TABLE source_files (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes  bigint NOT NULL,
    platform    text NOT NULL,
    format      text NOT NULL,
    encoding    text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'loaded' CHECK (status IN ('loaded')),
    rows_read   integer NOT NULL DEFAULT 0,
    respondents integer NOT NULL DEFAULT 0,
    duplicates  integer NOT NULL DEFAULT 0,
    answers     integer NOT NULL DEFAULT 0,
    warnings    integer NOT NULL DEFAULT 0,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);

-- file_warnings records row problems that did not make the file unusable:
-- an unmatched practice, an answer off the scale.
CREATE TABLE file_warnings (
    file_id     bigint NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
    row_number  integer NOT NULL,
    column_name text NOT NULL DEFAULT '',
    code        text NOT NULL,
    message     text NOT NULL,
    value       text NOT NULL DEFAULT ''
);
CREATE INDEX file_warnings_file_idx ON file_warnings (file_id);

CREATE TABLE respondents (
    id             bigserial PRIMARY KEY,
    file_id        bigint NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
    row_number     integer NOT NULL,
    respondent_key text NOT NULL UNIQUE,
    practice_ods   text REFERENCES practices (ods_code),
    practice_text  text NOT NULL DEFAULT '',
    match_method   text NOT NULL DEFAULT '',
    role           text NOT NULL DEFAULT '',
    email_hmac     text NOT NULL DEFAULT '',
    submitted_at   timestamptz,
    UNIQUE (file_id, row_number)
);
CREATE INDEX respondents_practice_idx ON respondents (practice_ods);

CREATE TABLE answers (
    respondent_id bigint NOT NULL REFERENCES respondents (id) ON DELETE CASCADE,
    workstream_id text NOT NULL REFERENCES workstreams (id),
    raw           text NOT NULL DEFAULT '',
    score         real CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
    PRIMARY KEY (respondent_id, workstream_id)
);
CREATE INDEX answers_workstream_idx ON answers (workstream_id);

CREATE TABLE comments (
    respondent_id bigint NOT NULL REFERENCES respondents (id) ON DELETE CASCADE,
    question      text NOT NULL,
    body          text NOT NULL
);
CREATE INDEX comments_respondent_idx ON comments (respondent_id);

CREATE TABLE ranking_runs (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    method      text NOT NULL,
    weights     jsonb NOT NULL,
    respondents integer NOT NULL DEFAULT 0,
    practices   integer NOT NULL DEFAULT 0,
    files       integer NOT NULL DEFAULT 0
);

CREATE TABLE ranking_rows (
    run_id            bigint NOT NULL REFERENCES ranking_runs (id) ON DELETE CASCADE,
    workstream_id     text NOT NULL,
    workstream        text NOT NULL,
    rank              integer NOT NULL,
    tier              text NOT NULL,
    score             double precision NOT NULL,
    practice_priority double precision NOT NULL DEFAULT 0,
    top2_share        double precision NOT NULL DEFAULT 0,
    practices         integer NOT NULL DEFAULT 0,
    detail            jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, workstream_id)
);

CREATE TABLE job_runs (
    id             bigserial PRIMARY KEY,
    job            text NOT NULL,
    trigger        text NOT NULL,
    scheduled_for  timestamptz,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    status         text NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    files_loaded   integer NOT NULL DEFAULT 0,
    files_skipped  integer NOT NULL DEFAULT 0,
    files_rejected integer NOT NULL DEFAULT 0,
    ranking_run_id bigint REFERENCES ranking_runs (id) ON DELETE SET NULL,
    report_path    text NOT NULL DEFAULT '',
    error          text NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);

-- email_outbox has one row per report and recipient, so a report is sent
-- to each lead at most once however often delivery is retried.
CREATE TABLE email_outbox (
    id              bigserial PRIMARY KEY,
    report_key      text NOT NULL,
    job_run_id      bigint REFERENCES job_runs (id) ON DELETE SET NULL,
    recipient_name  text NOT NULL DEFAULT '',
    recipient_email text NOT NULL,
    subject         text NOT NULL,
    attachment_path text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    message_id      text NOT NULL DEFAULT '',
    eml_path        text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (report_key, recipient_email)
);
