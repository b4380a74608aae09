INSERT INTO stage_watermarks (stage, change_seq, updated_at) VALUES (%(stage)s, %(change_seq)s, now())
ON CONFLICT (stage) DO UPDATE SET change_seq = EXCLUDED.change_seq, updated_at = now()
