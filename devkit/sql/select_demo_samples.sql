-- Three motions of the published version for the demo report, spread over the id range; first
-- those whose top-3 related motions reach another dossier (what a reader needs beyond the dossier).
SELECT m.id::text AS id, m.title, m.dossier FROM motions m
WHERE m.id IN (SELECT DISTINCT motion_id FROM motion_related)
ORDER BY EXISTS (SELECT 1 FROM motion_related r JOIN motions n ON n.id = r.neighbour_id
                 WHERE r.motion_id = m.id AND r.rank <= 3 AND n.dossier IS DISTINCT FROM m.dossier) DESC,
         md5(m.id::text)
LIMIT %(n)s
