INSERT INTO feed_checkpoints (category, skiptoken, updated_at) VALUES (%(category)s, %(skiptoken)s, now())
ON CONFLICT (category) DO UPDATE SET skiptoken = EXCLUDED.skiptoken, updated_at = now()
