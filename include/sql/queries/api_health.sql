SELECT c.version, v.model, (SELECT count(*) FROM motions WHERE NOT deleted) AS motions
FROM similarity_current c LEFT JOIN similarity_versions v ON v.version = c.version
