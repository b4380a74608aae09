-- The Voor/Tegen party votes of the live motions in a selection, for the agreement between parties
-- (numerics/agreement.py): every filter optional (NULL: not applied); q: the motions with all the
-- words (Dutch full text, websearch syntax); ids: exactly these motions. At most the newest limit
-- motions with such votes (a bound on what one request reads).
WITH selected AS (
    SELECT m.id FROM motions m
    WHERE NOT m.deleted
      AND (%(ids)s::uuid[] IS NULL OR m.id = ANY(%(ids)s::uuid[]))
      AND (%(q)s::text IS NULL OR m.search_tsv @@ websearch_to_tsquery('dutch', %(q)s::text))
      AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
      AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
      AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
      AND EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.vote IN ('Voor', 'Tegen'))
    ORDER BY m.started_on DESC NULLS LAST, m.id
    LIMIT %(limit)s)
SELECT v.motion_id::text AS motion_id, v.party, v.vote
FROM selected s JOIN motion_votes v ON v.motion_id = s.id
WHERE v.vote IN ('Voor', 'Tegen')
ORDER BY v.motion_id, v.party
