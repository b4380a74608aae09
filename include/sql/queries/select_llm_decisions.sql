SELECT chain, prompt_key, decision, decided_by, decided_at, run_id, report_path
FROM llm_approvals
WHERE (%(chain)s::text IS NULL OR chain = %(chain)s) AND (%(prompt_key)s::text IS NULL OR prompt_key = %(prompt_key)s)
ORDER BY decided_at DESC
