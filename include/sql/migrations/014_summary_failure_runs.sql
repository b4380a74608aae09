-- 014: a motion's failed runs count once per DAG run (a cleared and re-run task adds none), and
-- the run that first failed it is kept, so the failure-ratio gate knows what failed first now.
ALTER TABLE summary_failures ADD COLUMN IF NOT EXISTS last_run_id text;
ALTER TABLE summary_failures ADD COLUMN IF NOT EXISTS first_run_id text;
