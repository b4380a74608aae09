-- 013: what each summarize attempt of a motion cost (idempotent): tokens and cost per run, so a
-- run stops at its budget (items, tokens, cost) and `status` shows the spend so far.
CREATE TABLE IF NOT EXISTS summary_spend (
    run_id        text        NOT NULL,
    motion_id     uuid        NOT NULL,
    backend       text,
    ok            boolean     NOT NULL,
    requests      integer     NOT NULL,
    input_tokens  integer     NOT NULL,
    output_tokens integer     NOT NULL,
    cost          double precision NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS summary_spend_run ON summary_spend (run_id);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        GRANT SELECT ON summary_spend TO motion_reader;
    END IF;
END $$;
