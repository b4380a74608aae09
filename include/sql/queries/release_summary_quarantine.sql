DELETE FROM summary_failures
WHERE quarantined AND (%(ids)s::uuid[] IS NULL OR motion_id = ANY(%(ids)s::uuid[]))
RETURNING motion_id::text AS motion_id, prompt_key
