-- One more failed run for this (motion, model); a changed text starts counting again.
INSERT INTO embedding_failures AS f (motion_id, model, content_hash, failures, quarantined, last_error, updated_at)
VALUES (%(motion_id)s, %(model)s, %(content_hash)s, 1, 1 >= %(quarantine_after)s, %(error)s, now())
ON CONFLICT (motion_id, model) DO UPDATE SET
    failures = CASE WHEN f.content_hash = EXCLUDED.content_hash THEN f.failures + 1 ELSE 1 END,
    quarantined = (CASE WHEN f.content_hash = EXCLUDED.content_hash THEN f.failures + 1 ELSE 1 END) >= %(quarantine_after)s,
    content_hash = EXCLUDED.content_hash, last_error = EXCLUDED.last_error, updated_at = now()
RETURNING failures, quarantined
