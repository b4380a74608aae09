-- One more failed run for this (motion, prompt key): once per DAG run (a cleared task re-running
-- adds nothing); a changed text starts counting again. RETURNING whether this run failed it first.
INSERT INTO summary_failures AS f (motion_id, prompt_key, text_hash, failures, quarantined, error_class, last_error,
                                   updated_at, last_run_id, first_run_id)
VALUES (%(motion_id)s, %(prompt_key)s, %(text_hash)s, 1, 1 >= %(quarantine_after)s, %(error_class)s, %(error)s, now(),
        %(run_id)s, %(run_id)s)
ON CONFLICT (motion_id, prompt_key) DO UPDATE SET
    failures = CASE WHEN f.text_hash <> EXCLUDED.text_hash THEN 1
                    WHEN f.last_run_id IS NOT DISTINCT FROM EXCLUDED.last_run_id THEN f.failures
                    ELSE f.failures + 1 END,
    quarantined = (CASE WHEN f.text_hash <> EXCLUDED.text_hash THEN 1
                        WHEN f.last_run_id IS NOT DISTINCT FROM EXCLUDED.last_run_id THEN f.failures
                        ELSE f.failures + 1 END) >= %(quarantine_after)s,
    first_run_id = CASE WHEN f.text_hash <> EXCLUDED.text_hash THEN EXCLUDED.first_run_id ELSE f.first_run_id END,
    text_hash = EXCLUDED.text_hash, error_class = EXCLUDED.error_class, last_error = EXCLUDED.last_error,
    last_run_id = EXCLUDED.last_run_id, updated_at = now()
RETURNING failures, quarantined, first_run_id IS NOT DISTINCT FROM %(run_id)s AS first_failed_now
