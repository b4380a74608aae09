INSERT INTO motion_earlier_versions (version, motion_id, position, earlier_id, signal)
VALUES (%(version)s, %(motion_id)s, %(position)s, %(earlier_id)s, %(signal)s)
