-- Of the motions %(within)s, those the published version relates to %(motion)s either way (its
-- related motions, or it among theirs), the closest in meaning (text score) first.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, max(n.text_score) AS rank
FROM motion_related n
JOIN motions m ON m.id = CASE WHEN n.motion_id = %(motion)s::uuid THEN n.neighbour_id ELSE n.motion_id END
WHERE ((n.motion_id = %(motion)s::uuid AND n.neighbour_id = ANY(%(within)s::uuid[]))
    OR (n.neighbour_id = %(motion)s::uuid AND n.motion_id = ANY(%(within)s::uuid[])))
  AND NOT m.deleted
GROUP BY m.id
ORDER BY max(n.text_score) DESC NULLS LAST, m.id
LIMIT %(limit)s
