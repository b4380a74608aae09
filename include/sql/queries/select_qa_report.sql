SELECT run_id, version, try_number, metrics, passed, created_at FROM qa_reports
WHERE run_id = %(run_id)s ORDER BY created_at DESC
