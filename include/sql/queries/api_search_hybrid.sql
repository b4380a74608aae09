-- Hybrid search: the text ranking (exactly as api_search_text: all words first, then with %(broaden)s some
-- of them; its first %(text_depth)s) and the semantic ranking (exactly as api_search_semantic: cosine to
-- the query's vector moved towards its first %(feedback)s matches; its first %(depth)s) fused by reciprocal rank: score = weight / (%(k)s + text rank)
-- + 1 / (%(k)s + semantic rank), a list a motion is not in adding nothing; the weight is
-- %(all_words_weight)s for a motion with all the words, %(text_weight)s for one with some of them.
-- found_by says which lists a motion was in; total how many the two lists hold together. The same optional
-- filters as api_search_text (search_filters).
WITH q AS (SELECT tsq, CASE WHEN %(broaden)s::boolean THEN nullif(replace(plainto_tsquery('dutch', %(q)s::text)::text,
                                                                   ' & ', ' | '), '')::tsquery END AS any_tsq
           FROM (SELECT websearch_to_tsquery('dutch', %(q)s::text) AS tsq) w),
live AS NOT MATERIALIZED (
    SELECT m.id, m.search_tsv, m.embed_hash, m.started_on FROM motions m
    WHERE NOT m.deleted
    -- include: search_filters
),
by_text AS (
    SELECT l.id, l.search_tsv @@ q.tsq AS all_words, row_number() OVER (ORDER BY l.search_tsv @@ q.tsq DESC,
                                    CASE WHEN l.search_tsv @@ q.tsq THEN ts_rank_cd(l.search_tsv, q.tsq)
                                         ELSE ts_rank_cd(l.search_tsv, q.any_tsq) END DESC,
                                    l.started_on DESC NULLS LAST, l.id) AS r
    FROM live l, q
    WHERE l.search_tsv @@ q.tsq OR l.search_tsv @@ q.any_tsq
    ORDER BY r LIMIT %(text_depth)s),
embedded AS NOT MATERIALIZED (
    SELECT l.id, e.embedding
    FROM live l JOIN motion_embeddings e ON e.motion_id = l.id AND e.model = %(model)s AND e.content_hash = l.embed_hash),
best AS (SELECT x.embedding FROM embedded x ORDER BY x.embedding <=> %(vector)s::vector, x.id LIMIT %(feedback)s),
qv AS (SELECT CASE WHEN count(*) = 0 THEN %(vector)s::vector ELSE %(vector)s::vector + sum(b.embedding) END AS v
       FROM best b),
by_meaning AS (
    SELECT x.id, row_number() OVER (ORDER BY x.embedding <=> qv.v, x.id) AS r
    FROM embedded x, qv
    ORDER BY r LIMIT %(depth)s),
fused AS (
    SELECT coalesce(t.id, s.id) AS id, t.r AS text_rank, s.r AS semantic_rank, t.all_words,
           coalesce(CASE WHEN t.all_words THEN %(all_words_weight)s::float8 ELSE %(text_weight)s::float8 END
                    / (%(k)s::float8 + t.r), 0)
             + coalesce(1.0 / (%(k)s::float8 + s.r), 0) AS score
    FROM by_text t FULL JOIN by_meaning s ON s.id = t.id)
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, f.score AS rank, f.text_rank, f.semantic_rank,
       CASE WHEN f.text_rank IS NULL THEN 'semantic' WHEN f.semantic_rank IS NULL THEN 'text' ELSE 'both' END AS found_by,
       f.all_words,
       ts_headline('dutch', translate(coalesce(m.title, '') || ' · ' || coalesce(m.body_text, ''), '⟦⟧', ''),
                   coalesce(q.any_tsq, q.tsq),
                   'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=28, MinWords=8, FragmentDelimiter= … ') AS snippet,
       count(*) OVER () AS total
FROM fused f JOIN motions m ON m.id = f.id, q
ORDER BY f.score DESC, m.id
LIMIT %(limit)s OFFSET %(offset)s
