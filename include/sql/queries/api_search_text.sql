-- Full-text search (Dutch) of live motions, ranked, with highlighted snippets (⟦ ⟧ mark the hits);
-- without a query: the newest motions. Every filter is optional (NULL: not applied: search_filters). total: how many match;
-- %(within)s (ids) keeps only those motions (the e-mail digests' new motions).
-- Motions with all the words (websearch_to_tsquery: quotes, -word, or) rank first; with %(broaden)s
-- the motions with some of them (the same lexemes OR-ed) follow, each group by ts_rank_cd.
-- The matches are ranked and counted as narrow rows (id, rank, date; no text): only the page's rows
-- are read whole and get a snippet, so counting them costs no more than ranking them.
WITH q AS NOT MATERIALIZED (SELECT tsq, CASE WHEN %(broaden)s::boolean THEN nullif(replace(plainto_tsquery('dutch', %(q)s::text)::text,
                                                                   ' & ', ' | '), '')::tsquery END AS any_tsq
           FROM (SELECT CASE WHEN %(q)s::text IS NULL THEN NULL
                             ELSE websearch_to_tsquery('dutch', %(q)s::text) END AS tsq) w),
hits AS MATERIALIZED (
    SELECT m.id, m.started_on,
           CASE WHEN q.tsq IS NULL THEN NULL ELSE m.search_tsv @@ q.tsq END AS all_words,
           CASE WHEN q.tsq IS NULL THEN NULL WHEN m.search_tsv @@ q.tsq THEN ts_rank_cd(m.search_tsv, q.tsq)
                ELSE ts_rank_cd(m.search_tsv, q.any_tsq) END AS rank
    FROM motions m, q
    WHERE NOT m.deleted
      AND (q.tsq IS NULL OR m.search_tsv @@ q.tsq OR m.search_tsv @@ q.any_tsq)
      AND (%(within)s::uuid[] IS NULL OR m.id = ANY(%(within)s::uuid[]))
      -- include: search_filters
    ),
page AS (
    SELECT h.* FROM hits h
    ORDER BY h.all_words DESC NULLS LAST, h.rank DESC NULLS LAST, h.started_on DESC NULLS LAST, h.id
    LIMIT %(limit)s OFFSET %(offset)s)
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, p.rank, p.all_words,
       CASE WHEN q.tsq IS NULL THEN NULL ELSE ts_headline('dutch',
            translate(coalesce(m.title, '') || ' · ' || coalesce(m.body_text, ''), '⟦⟧', ''), coalesce(q.any_tsq, q.tsq),
            'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=28, MinWords=8, FragmentDelimiter= … ') END AS snippet,
       (SELECT count(*) FROM hits) AS total
FROM page p JOIN motions m ON m.id = p.id, q
ORDER BY p.all_words DESC NULLS LAST, p.rank DESC NULLS LAST, p.started_on DESC NULLS LAST, p.id
