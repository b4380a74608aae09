INSERT INTO motion_duplicates (version, motion_id, duplicate_id) VALUES (%(version)s, %(motion_id)s, %(duplicate_id)s)
ON CONFLICT DO NOTHING
