SELECT o.rank, o.neighbour_id::text AS id, m.nummer, m.title, m.started_on,
       coalesce(m.dossier, m.publication_dossier) AS dossier, o.score, o.text_score, o.same_dossier
FROM related_on_demand o JOIN motions m ON m.id = o.neighbour_id
WHERE o.version = %(version)s AND o.motion_id = %(id)s ORDER BY o.rank
