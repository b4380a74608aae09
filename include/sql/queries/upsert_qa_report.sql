INSERT INTO qa_reports (run_id, version, metrics, passed, created_at)
VALUES (%(run_id)s, %(version)s, %(metrics)s::jsonb, %(passed)s, now())
ON CONFLICT (run_id, version) DO UPDATE SET metrics = EXCLUDED.metrics, passed = EXCLUDED.passed, created_at = now()
