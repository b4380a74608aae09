INSERT INTO pilot_reports (run_id, chain, prompt_key, report, report_path)
VALUES (%(run_id)s, %(chain)s, %(prompt_key)s, %(report)s, %(report_path)s)
ON CONFLICT (run_id, chain, prompt_key) DO UPDATE SET report = EXCLUDED.report, report_path = EXCLUDED.report_path,
    created_at = now()
