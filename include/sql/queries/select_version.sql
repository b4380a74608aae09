SELECT v.*, (c.version = v.version) AS is_current
FROM similarity_versions v LEFT JOIN similarity_current c ON true
WHERE v.version = %(version)s
