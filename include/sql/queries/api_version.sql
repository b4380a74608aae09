-- A version (or, with NULL, the published one) and whether it is the published one.
SELECT v.version, v.model, v.status, v.mode, v.params, v.motion_count, v.created_at, v.published_at,
       (v.version = c.version) AS current
FROM similarity_versions v LEFT JOIN similarity_current c ON true
WHERE v.version = coalesce(%(version)s::bigint, c.version)
