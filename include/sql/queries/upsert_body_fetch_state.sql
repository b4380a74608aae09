-- failures counts runs that failed for good on this document version; a new version starts at 0.
INSERT INTO body_fetch_state AS s (motion_id, versie_id, failures, last_status, last_error, updated_at)
VALUES (%(id)s, %(versie_id)s, %(increment)s, %(status)s, %(error)s, now())
ON CONFLICT (motion_id) DO UPDATE SET
    failures = CASE WHEN s.versie_id IS NOT DISTINCT FROM EXCLUDED.versie_id THEN s.failures + EXCLUDED.failures
                    ELSE EXCLUDED.failures END,
    versie_id = EXCLUDED.versie_id, last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error, updated_at = now()
