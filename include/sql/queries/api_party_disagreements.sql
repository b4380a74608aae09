-- The live motions in a selection on which party a voted Voor and b Tegen or the other way round,
-- newest first, with both votes and how many there are (total). Filters as api_party_votes.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.outcome, va.vote AS vote_a, vb.vote AS vote_b, count(*) OVER () AS total
FROM motions m
JOIN motion_votes va ON va.motion_id = m.id AND va.party = %(a)s::text
JOIN motion_votes vb ON vb.motion_id = m.id AND vb.party = %(b)s::text
WHERE NOT m.deleted AND va.vote IN ('Voor', 'Tegen') AND vb.vote IN ('Voor', 'Tegen') AND va.vote <> vb.vote
  AND (%(q)s::text IS NULL OR m.search_tsv @@ websearch_to_tsquery('dutch', %(q)s::text))
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
ORDER BY m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
