UPDATE motion_summaries SET published_at = now() WHERE run_id = %(run_id)s AND published_at IS NULL
