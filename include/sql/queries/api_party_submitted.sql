-- The live motions a party submitted (a submitter "Name (PARTY)" under any of its names), newest
-- first, with how many there are (total).
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.outcome, count(*) OVER () AS total
FROM motions m
WHERE NOT m.deleted
  AND EXISTS (SELECT 1 FROM unnest(m.submitters) s, unnest(%(parties)s::text[]) p WHERE right(s, length(p) + 2) = '(' || p || ')')
ORDER BY m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
