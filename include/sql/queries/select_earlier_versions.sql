-- A motion's earlier versions in the published version (newest first), and what linked them.
SELECT e.position, e.earlier_id::text AS earlier_id, e.signal, m.nummer, m.title, m.started_on
FROM motion_versions_current e JOIN motions m ON m.id = e.earlier_id
WHERE e.motion_id = %(id)s ORDER BY e.position
