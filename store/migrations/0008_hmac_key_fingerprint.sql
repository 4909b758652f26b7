-- 0008_hmac_key_fingerprint: remember which HMAC key the data was hashed
-- with.
--
-- Why: replicas that each generated their own key hashed the same
-- respondents differently and counted them twice. The fingerprint of the
-- first key used is kept here, and ingest refuses any other.
--
-- Numbered 0008, after this branch's 0007, which was three ahead of the
-- highest migration of the other branches then (0004).

CREATE TABLE settings (
    name   text PRIMARY KEY,
    value  text NOT NULL,
    set_at timestamptz NOT NULL
);
