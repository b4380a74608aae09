-- A stored summary that QA found invalid: removed, so the next run summarizes the motion again.
DELETE FROM motion_summaries
WHERE motion_id = %(motion_id)s AND run_id = %(run_id)s AND published_at IS NULL
