SELECT run_id, passed, created_at FROM qa_reports WHERE version = %(version)s ORDER BY created_at DESC
