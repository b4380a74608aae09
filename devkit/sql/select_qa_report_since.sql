SELECT run_id, version, try_number, passed, metrics FROM qa_reports WHERE created_at >= %(since)s ORDER BY created_at DESC LIMIT 1
