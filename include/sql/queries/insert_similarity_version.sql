INSERT INTO similarity_versions (model, status, mode, params, motion_count, run_id)
VALUES (%(model)s, 'computing', %(mode)s, %(params)s::jsonb, %(motion_count)s, %(run_id)s)
RETURNING version
