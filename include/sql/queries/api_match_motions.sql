-- Contested live motions for the party match: parties voted both Voor and Tegen on them; newest
-- first, filters as api_party_votes (q: all the words); or exactly the live motions of keys (id or
-- Zaak number), contested or not, in their order.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.outcome, k.ord
FROM motions m
LEFT JOIN LATERAL (SELECT min(o) AS ord FROM unnest(%(keys)s::text[]) WITH ORDINALITY AS u(key, o)
                   WHERE u.key = m.nummer OR u.key = m.id::text) k ON true
WHERE NOT m.deleted
  AND CASE WHEN %(keys)s::text[] IS NOT NULL THEN k.ord IS NOT NULL
           ELSE EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.vote = 'Voor')
            AND EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.vote = 'Tegen') END
  AND (%(q)s::text IS NULL OR m.search_tsv @@ websearch_to_tsquery('dutch', %(q)s::text))
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
ORDER BY k.ord NULLS LAST, m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
