DELETE FROM embedding_failures
WHERE quarantined AND (%(model)s::text IS NULL OR model = %(model)s)
  AND (%(ids)s::uuid[] IS NULL OR motion_id = ANY(%(ids)s::uuid[]))
RETURNING motion_id::text AS motion_id, model
