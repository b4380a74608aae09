SELECT v.version, v.model, v.status, v.mode, v.motion_count, v.created_at, v.published_at,
       v.params->'weights' AS weights, (v.version = c.version) AS current
FROM similarity_versions v LEFT JOIN similarity_current c ON true
ORDER BY v.version DESC LIMIT %(limit)s
