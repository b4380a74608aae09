-- 017 (idempotent): (1) a model's summary that replaces a published extractive one of the same key
-- is stored beside it, pending, and the published one stays what readers see until publish swaps
-- them in one transaction (delete_replaced_summaries + publish_run_summaries): the key gains
-- whether the summary is extractive. (2) Claims: a motion is claimed for a paid stage before its
-- backend is called, so two runs never pay for the same motion at once; a claim expires, so a
-- killed run blocks nobody for longer than a task may run.
ALTER TABLE motion_summaries ADD COLUMN IF NOT EXISTS extractive boolean GENERATED ALWAYS AS (status = 'extractive') STORED;
DO $$
BEGIN
    IF (SELECT array_length(conkey, 1) FROM pg_constraint
        WHERE conrelid = 'motion_summaries'::regclass AND contype = 'p') = 4 THEN
        ALTER TABLE motion_summaries DROP CONSTRAINT motion_summaries_pkey;
        ALTER TABLE motion_summaries
            ADD CONSTRAINT motion_summaries_pkey PRIMARY KEY (motion_id, text_hash, prompt_version, schema_version, extractive);
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS work_claims (
    stage      text        NOT NULL,  -- 'summaries', 'summaries_pilot', 'embeddings:<model>'
    motion_id  uuid        NOT NULL,
    run_id     text        NOT NULL,  -- the run that holds it (the same run may take it again: a cleared task)
    claimed_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (stage, motion_id)
);
