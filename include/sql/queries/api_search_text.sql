-- Full-text search (Dutch) of live motions, ranked, with highlighted snippets (⟦ ⟧ mark the hits);
-- without a query: the newest motions. Every filter is optional (NULL: not applied); %(within)s
-- (ids) keeps only those motions (the e-mail digests' new motions).
-- Motions with all the words (websearch_to_tsquery: quotes, -word, or) rank first; with %(broaden)s
-- the motions with some of them (the same lexemes OR-ed) follow, each group by ts_rank_cd.
WITH q AS (SELECT tsq, CASE WHEN %(broaden)s::boolean THEN nullif(replace(plainto_tsquery('dutch', %(q)s::text)::text,
                                                                   ' & ', ' | '), '')::tsquery END AS any_tsq
           FROM (SELECT CASE WHEN %(q)s::text IS NULL THEN NULL
                             ELSE websearch_to_tsquery('dutch', %(q)s::text) END AS tsq) w)
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome,
       CASE WHEN q.tsq IS NULL THEN NULL WHEN m.search_tsv @@ q.tsq THEN ts_rank_cd(m.search_tsv, q.tsq)
            ELSE ts_rank_cd(m.search_tsv, q.any_tsq) END AS rank,
       CASE WHEN q.tsq IS NULL THEN NULL ELSE m.search_tsv @@ q.tsq END AS all_words,
       CASE WHEN q.tsq IS NULL THEN NULL ELSE ts_headline('dutch',
            translate(coalesce(m.title, '') || ' · ' || coalesce(m.body_text, ''), '⟦⟧', ''), coalesce(q.any_tsq, q.tsq),
            'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=28, MinWords=8, FragmentDelimiter= … ') END AS snippet
FROM motions m, q
WHERE NOT m.deleted
  AND (q.tsq IS NULL OR m.search_tsv @@ q.tsq OR m.search_tsv @@ q.any_tsq)
  AND (%(within)s::uuid[] IS NULL OR m.id = ANY(%(within)s::uuid[]))
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
  AND (%(outcome)s::text IS NULL OR lower(m.outcome) = lower(%(outcome)s::text))
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
  AND (%(parties)s::text[] IS NULL OR EXISTS (
        SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.party = ANY(%(parties)s::text[])
           AND (%(vote)s::text IS NULL OR v.vote = %(vote)s::text)))
ORDER BY CASE WHEN q.tsq IS NULL THEN NULL ELSE m.search_tsv @@ q.tsq END DESC NULLS LAST,
         CASE WHEN q.tsq IS NULL THEN NULL WHEN m.search_tsv @@ q.tsq THEN ts_rank_cd(m.search_tsv, q.tsq)
              ELSE ts_rank_cd(m.search_tsv, q.any_tsq) END DESC NULLS LAST,
         m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s OFFSET %(offset)s
