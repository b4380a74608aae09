-- Drop what can never be shown again, of the current version's lineage (its model): retired
-- versions beyond the newest %(keep)s of them (those stay as rollbacks), rejected versions older
-- than the current one, and versions found unchanged except the newest such. Never the current
-- version, never one still computing or computed and waiting for its QA (another run's), never
-- another model's.
DELETE FROM similarity_versions v
USING (SELECT s.version, s.model FROM similarity_current c JOIN similarity_versions s ON s.version = c.version) cur
WHERE v.model = cur.model AND v.version <> cur.version
  AND ((v.version < cur.version AND (v.status = 'rejected'
        OR (v.status = 'retired' AND v.version NOT IN (
            SELECT r.version FROM similarity_versions r
            WHERE r.status = 'retired' AND r.model = cur.model ORDER BY r.version DESC LIMIT %(keep)s))))
       OR (v.status = 'unchanged' AND v.version < (
            SELECT max(u.version) FROM similarity_versions u WHERE u.status = 'unchanged' AND u.model = cur.model)))
RETURNING v.version
