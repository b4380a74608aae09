SELECT e.position, e.earlier_id::text AS id, e.signal, m.nummer, m.title, m.started_on
FROM motion_earlier_versions e JOIN motions m ON m.id = e.earlier_id
WHERE e.version = %(version)s AND e.motion_id = %(id)s ORDER BY e.position
