-- The latest decision on a (chain, prompt key), with who made it and when.
INSERT INTO llm_approvals (chain, prompt_key, decision, decided_by, run_id, report_path)
VALUES (%(chain)s, %(prompt_key)s, %(decision)s, %(decided_by)s, %(run_id)s, %(report_path)s)
ON CONFLICT (chain, prompt_key) DO UPDATE SET decision = EXCLUDED.decision, decided_by = EXCLUDED.decided_by,
    decided_at = now(), run_id = EXCLUDED.run_id, report_path = coalesce(EXCLUDED.report_path, llm_approvals.report_path)
RETURNING chain, prompt_key, decision, decided_by, decided_at
