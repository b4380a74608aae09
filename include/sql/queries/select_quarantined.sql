SELECT f.motion_id::text AS motion_id, f.model, f.failures, f.last_error, f.updated_at, m.title
FROM embedding_failures f LEFT JOIN motions m ON m.id = f.motion_id
WHERE f.quarantined ORDER BY f.updated_at DESC
