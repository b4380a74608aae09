-- Three motions from the current version, spread over the id range, for the demo report.
SELECT m.id::text AS id, m.title, m.dossier FROM motions m
WHERE m.id IN (SELECT DISTINCT motion_id FROM motion_related)
ORDER BY md5(m.id::text) LIMIT %(n)s
