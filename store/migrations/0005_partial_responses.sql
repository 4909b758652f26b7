-- 0005_partial_responses: how many of a file's responses were partial.
--
-- Why: SurveyGizmo, REDCap, Qualtrics, LimeSurvey and Typeform mark a
-- response that was not finished. Such responses are loaded only when
-- configured; either way the file's summary and the Data quality sheet
-- say how many there were, so these counts are kept with the file:
-- partial_loaded of its respondents are partial, and partial_excluded
-- partial responses were read and left out.

ALTER TABLE source_files
    ADD COLUMN partial_loaded   integer NOT NULL DEFAULT 0 CHECK (partial_loaded >= 0),
    ADD COLUMN partial_excluded integer NOT NULL DEFAULT 0 CHECK (partial_excluded >= 0);
