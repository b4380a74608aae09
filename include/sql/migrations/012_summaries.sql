-- 012: plain-language summaries (idempotent). One row per (motion, text hash, prompt version,
-- schema version): a changed text, prompt or schema is summarized again; the old rows stay for
-- their provenance. Readers see a summary once its run's QA passed (published_at), and only while
-- it is of the motion's current text (motion_summary_current).
CREATE TABLE IF NOT EXISTS motion_summaries (
    motion_id      uuid        NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
    text_hash      text        NOT NULL,
    prompt_version text        NOT NULL,
    schema_version integer     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('llm', 'fallback', 'extractive')),
    summary_nl     text        NOT NULL,
    summary_en     text,
    requests       jsonb       NOT NULL,
    topics         text[]      NOT NULL,
    inferred       text[]      NOT NULL,
    backend        text        NOT NULL,  -- the connection (or 'extractive') that served it
    model          text        NOT NULL,  -- the model as its answer named it
    chain          text        NOT NULL,  -- the chain the router picked (kinds and models, in order)
    attempts       integer     NOT NULL,
    input_tokens   integer     NOT NULL,
    output_tokens  integer     NOT NULL,
    latency_ms     integer     NOT NULL,
    run_id         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    PRIMARY KEY (motion_id, text_hash, prompt_version, schema_version)
);
CREATE INDEX IF NOT EXISTS motion_summaries_run ON motion_summaries (run_id) WHERE published_at IS NULL;

-- Failed runs per (motion, prompt key); a changed text starts counting again; quarantined
-- motions are left out of the plan until released (`python -m motion_ops release --stage summaries`).
CREATE TABLE IF NOT EXISTS summary_failures (
    motion_id   uuid        NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
    prompt_key  text        NOT NULL,
    text_hash   text        NOT NULL,
    failures    integer     NOT NULL,
    quarantined boolean     NOT NULL DEFAULT false,
    error_class text,
    last_error  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, prompt_key)
);

CREATE OR REPLACE VIEW motion_summary_current AS
SELECT DISTINCT ON (s.motion_id) s.*
FROM motion_summaries s JOIN motions m ON m.id = s.motion_id AND m.embed_hash = s.text_hash
WHERE s.published_at IS NOT NULL
ORDER BY s.motion_id, s.published_at DESC, s.created_at DESC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        GRANT SELECT ON motion_summaries, summary_failures, motion_summary_current TO motion_reader;
    END IF;
END $$;
