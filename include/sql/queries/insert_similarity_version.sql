INSERT INTO similarity_versions (model, status, mode, params, motion_count, run_id, corpus_as_of)
VALUES (%(model)s, 'computing', %(mode)s, %(params)s::jsonb, %(motion_count)s, %(run_id)s, %(corpus_as_of)s)
RETURNING version
