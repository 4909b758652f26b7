-- 0009_web_uploads: files uploaded through the web interface.
--
-- (Numbered 0009 so that it cannot clash with a migration written at the
-- same time on another branch.)
--
-- Why: most practice staff have a browser but no access to the server's
-- inbox folder. The web interface streams their upload into the inbox
-- under a name it generates, and the worker then reads it like any other
-- file. The only things the database did not know already are who sent
-- the file, under what name, and what the upload's inspection showed:
-- one row per upload keeps them, so the Files page can say who uploaded
-- a file and an uploader tied to a federation sees only that
-- federation's uploads. Nothing else is written by the web interface.
--
-- stored_name is the generated name the file has in the inbox and, once
-- loaded, in source_files.name. original_name is the name the browser
-- sent, stripped of any path and control characters, and is only ever
-- displayed. inspection is the JSON of the inspection made at upload.
CREATE TABLE web_uploads (
    token         text PRIMARY KEY CHECK (token ~ '^[0-9a-f]{32}$'),
    stored_name   text NOT NULL UNIQUE,
    original_name text NOT NULL,
    uploaded_by   text NOT NULL,
    federation    text NOT NULL DEFAULT '',
    size_bytes    bigint NOT NULL,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_at   timestamptz NOT NULL,
    inspection    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX web_uploads_uploaded_at_idx ON web_uploads (uploaded_at DESC);
