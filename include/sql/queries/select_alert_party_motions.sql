-- Of the motions %(within)s, those a party (any name it had) submitted or voted on, newest first.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome
FROM motions m
WHERE m.id = ANY(%(within)s::uuid[]) AND NOT m.deleted
  AND (EXISTS (SELECT 1 FROM unnest(m.submitters) s, unnest(%(parties)s::text[]) p WHERE right(s, length(p) + 2) = '(' || p || ')')
       OR EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.party = ANY(%(parties)s::text[])))
ORDER BY m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
