-- Contested live motions for the party match: parties voted both Voor and Tegen on them; newest
-- first, filters as api_party_votes (q: all the words); or exactly the live motions of keys (a Zaak
-- number, or an id: in ids too, as uuids), contested or not, through the indexes on both.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.outcome
FROM motions m
WHERE NOT m.deleted
  AND CASE WHEN %(keys)s::text[] IS NOT NULL THEN m.nummer = ANY(%(keys)s::text[]) OR m.id = ANY(%(ids)s::uuid[])
           ELSE EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.vote = 'Voor')
            AND EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.vote = 'Tegen') END
  AND (%(q)s::text IS NULL OR m.search_tsv @@ websearch_to_tsquery('dutch', %(q)s::text))
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
ORDER BY m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
