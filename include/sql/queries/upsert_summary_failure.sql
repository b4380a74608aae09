-- One more failed run for this (motion, prompt key); a changed text starts counting again.
INSERT INTO summary_failures AS f (motion_id, prompt_key, text_hash, failures, quarantined, error_class, last_error, updated_at)
VALUES (%(motion_id)s, %(prompt_key)s, %(text_hash)s, 1, 1 >= %(quarantine_after)s, %(error_class)s, %(error)s, now())
ON CONFLICT (motion_id, prompt_key) DO UPDATE SET
    failures = CASE WHEN f.text_hash = EXCLUDED.text_hash THEN f.failures + 1 ELSE 1 END,
    quarantined = (CASE WHEN f.text_hash = EXCLUDED.text_hash THEN f.failures + 1 ELSE 1 END) >= %(quarantine_after)s,
    text_hash = EXCLUDED.text_hash, error_class = EXCLUDED.error_class, last_error = EXCLUDED.last_error, updated_at = now()
RETURNING failures, quarantined
