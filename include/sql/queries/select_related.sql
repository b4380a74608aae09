-- A motion's related motions in the published version (view motion_related), best first.
SELECT r.rank, r.score, r.neighbour_id::text AS neighbour_id, m.nummer, m.title, m.dossier
FROM motion_related r JOIN motions m ON m.id = r.neighbour_id
WHERE r.motion_id = %(id)s ORDER BY r.rank LIMIT %(limit)s
