-- The Voor/Tegen party votes of the live motions in a selection, for the agreement between parties
-- (numerics/agreement.py): every filter optional (NULL: not applied); q: the motions with all the
-- words (Dutch full text, websearch syntax); ids: exactly these motions.
SELECT v.motion_id::text AS motion_id, v.party, v.vote
FROM motions m JOIN motion_votes v ON v.motion_id = m.id
WHERE NOT m.deleted AND v.vote IN ('Voor', 'Tegen')
  AND (%(ids)s::uuid[] IS NULL OR m.id = ANY(%(ids)s::uuid[]))
  AND (%(q)s::text IS NULL OR m.search_tsv @@ websearch_to_tsquery('dutch', %(q)s::text))
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
ORDER BY v.motion_id, v.party
