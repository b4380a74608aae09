-- Keep the current version and the newest %(keep)s others; never a version still being computed.
DELETE FROM similarity_versions v
WHERE v.version NOT IN (SELECT version FROM similarity_current WHERE version IS NOT NULL)
  AND v.status <> 'computing'
  AND v.version NOT IN (SELECT version FROM similarity_versions ORDER BY version DESC LIMIT %(keep)s)
RETURNING version
