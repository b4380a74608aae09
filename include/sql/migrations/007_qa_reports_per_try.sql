-- 007: a QA report per (run, version, try), so clearing qa_sample keeps the report of the earlier
-- try; the rendered page is kept with it, so the Airflow UI can show it from the store. Idempotent.
ALTER TABLE qa_reports ADD COLUMN IF NOT EXISTS try_number integer NOT NULL DEFAULT 1;
ALTER TABLE qa_reports ADD COLUMN IF NOT EXISTS html text;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'qa_reports_pkey'
               AND array_length(conkey, 1) = 2) THEN
        ALTER TABLE qa_reports DROP CONSTRAINT qa_reports_pkey;
        ALTER TABLE qa_reports ADD PRIMARY KEY (run_id, version, try_number);
    END IF;
END
$$;
