-- The pilot report a run already keeps for a chain and prompt key (a retry of its pilot task reuses
-- it rather than paying for a second sample).
SELECT report FROM pilot_reports
WHERE run_id = %(run_id)s AND chain = %(chain)s AND prompt_key = %(prompt_key)s
