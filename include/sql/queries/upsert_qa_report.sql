INSERT INTO qa_reports (run_id, version, try_number, metrics, passed, html, created_at)
VALUES (%(run_id)s, %(version)s, %(try_number)s, %(metrics)s::jsonb, %(passed)s, %(html)s, now())
ON CONFLICT (run_id, version, try_number) DO UPDATE
    SET metrics = EXCLUDED.metrics, passed = EXCLUDED.passed, html = EXCLUDED.html, created_at = now()
